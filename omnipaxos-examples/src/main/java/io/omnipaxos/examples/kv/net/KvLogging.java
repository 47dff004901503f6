package io.omnipaxos.examples.kv.net;

/**
 * Names shared by the key-value store's logging. The Logback configuration ({@code logback.xml})
 * sends everything to the node's log file ({@value #LOG_FILE_PROPERTY}) and only the {@link
 * #EVENTS} logger to the console: one line per notable event (leader change, peer up/down,
 * recovery), never one per message.
 */
public final class KvLogging {

    /** The logger of notable events, shown on the console. */
    public static final String EVENTS = "io.omnipaxos.examples.kv.events";

    /** System property naming the log file; set before the first logger is created. */
    public static final String LOG_FILE_PROPERTY = "kv.log.file";

    /** System property naming this process in console lines (e.g. {@code node1}). */
    public static final String NAME_PROPERTY = "kv.name";

    private KvLogging() {}
}
