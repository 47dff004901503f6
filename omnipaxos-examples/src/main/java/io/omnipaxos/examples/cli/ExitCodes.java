package io.omnipaxos.examples.cli;

/**
 * The exit codes of the key-value programs. The same number means the same kind of outcome in
 * every command; each command's {@code --help} lists the ones it uses.
 */
public final class ExitCodes {

    /** Done. */
    public static final int OK = 0;
    /** The client: a GET or DELETE of a key that is absent. The server: it could not start. */
    public static final int NOT_FOUND_OR_START_FAILED = 1;
    /** A bad command line or a bad configuration file: the message names the culprit. */
    public static final int USAGE = 2;
    /**
     * The client: the request failed (no node answered, or the cluster refused it). The server:
     * its peers know its data folder under another incarnation (the folder was emptied).
     */
    public static final int FAILED = 3;
    /** The server: a storage failure or a broken invariant stopped it. */
    public static final int FATAL = 70;

    private ExitCodes() {}
}
