package io.omnipaxos.storage;

/**
 * A storage could not do what it was asked (I/O error, corrupt file, closed storage). The server
 * that sees it must stop: its in-memory state may be ahead of what is durable.
 */
public class StorageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that names what failed. */
    public StorageException(String message) {
        super(message);
    }

    /** Creates an exception with a message that names what failed, and its cause. */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
