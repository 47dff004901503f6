package io.omnipaxos.codec;

/** Bytes from outside (a network frame, a file) could not be decoded; the message says why and where. */
public class DecodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message names what was wrong. */
    public DecodeException(String message) {
        super(message);
    }

    /** Creates an exception whose message names what was wrong, with its cause. */
    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
