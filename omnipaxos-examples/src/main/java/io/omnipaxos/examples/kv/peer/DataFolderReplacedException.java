package io.omnipaxos.examples.kv.peer;

/**
 * This node's peers know it, a member of its configuration, under another incarnation: its data
 * folder was replaced or emptied (or, with {@code --memory}, it restarted) since, so it has
 * forgotten the promises it made and must not take part as that member again. The node stops; it
 * can come back only as a new node through a reconfiguration. See {@link Incarnations}.
 */
public final class DataFolderReplacedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what happened and what to do, naming the folder, configuration and incarnations */
    public DataFolderReplacedException(String message) {
        super(message);
    }
}
