package io.omnipaxos.examples.kv.state;

import io.omnipaxos.codec.DecodeException;

/** How a request ended, with the byte that names it on the client port. */
public enum KvStatus {
    /** Done; a GET's reply carries the value. */
    OK(0),
    /** GET or DELETE of a key that is absent. */
    NOT_FOUND(1),
    /** This server is not the leader; the reply's leader hint names the leader if known (0 if not). */
    NOT_LEADER(2),
    /** The request was refused; the reply's text says why. */
    ERROR(3),
    /**
     * The answer to {@link KvOp#FETCH_STATE}: the reply's text field carries an encoded {@code
     * kv.reconfig.Handover} instead of UTF-8 text (see {@code kv.net.ClientWire.encodeStateReply}).
     */
    STATE(4),
    /**
     * The client's session is unknown: it was never registered, or it was evicted (see {@code
     * KvStateMachine}). The request was not applied now; whether it was applied before the eviction
     * is unknown. The client must register a new session ({@link KvOp#REGISTER}).
     */
    SESSION_EXPIRED(5);

    /** The byte that stands for this status on the wire. */
    public final byte code;

    KvStatus(int code) {
        this.code = (byte) code;
    }

    /** Every constant, read without the copy {@code values()} makes on each call (once per decoded message). */
    private static final KvStatus[] ALL = values();

    /**
     * The status encoded as {@code code}.
     *
     * @throws DecodeException if no status has that code
     */
    public static KvStatus ofCode(byte code) {
        for (KvStatus status : ALL) {
            if (status.code == code) {
                return status;
            }
        }
        throw new DecodeException("unknown status code " + code);
    }
}
