package io.omnipaxos.examples.kv.client;

/** A key-value request failed: the servers refused it (ERROR) or none answered in time. */
public class KvException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message says what failed. */
    public KvException(String message) {
        super(message);
    }

    /** Creates an exception whose message says what failed, with its cause. */
    public KvException(String message, Throwable cause) {
        super(message, cause);
    }
}
