package io.omnipaxos.examples.kv.state;

import io.omnipaxos.codec.DecodeException;

/** The operations of the key-value store, with the byte that names each on the wire and in the log. */
public enum KvOp {
    /** Reads a key; served through the read index, not the log (linearizable). */
    GET(1),
    /** Sets a key to a value. */
    PUT(2),
    /** Appends a value to a key's current value (an absent key counts as empty). */
    APPEND(3),
    /** Removes a key. */
    DELETE(4),
    /**
     * Administration, never in the log: ends the current configuration with a stop-sign that hands
     * over to the configuration the value describes ({@code kv.reconfig.ReconfigureRequest}).
     */
    RECONFIGURE(5),
    /**
     * Administration, never in the log: asks a node for the {@code kv.reconfig.Handover} it knows (the final
     * state of an ended configuration), answered with a {@link KvStatus#STATE} reply.
     */
    FETCH_STATE(6),
    /**
     * Opens a client session (in the log, like a write): the client's first request, before any
     * other. A request of a session the state machine does not know is refused with {@link
     * KvStatus#SESSION_EXPIRED} rather than applied, so a session evicted by a flood of new ones
     * never has a retried write applied twice.
     */
    REGISTER(7),
    /**
     * Administration, never in the log: asks a node which configuration it runs, answered with a
     * {@link KvStatus#OK} reply holding it in the text form of {@code kv.reconfig.ReconfigureRequest}
     * (id, nodes and their addresses, quorum). A node about to join a configuration asks it, to learn
     * the configuration that runs until then.
     */
    CONFIGURATION(8);

    /** The byte that stands for this operation in encodings. */
    public final byte code;

    KvOp(int code) {
        this.code = (byte) code;
    }

    /** Whether the operation carries a value (PUT, APPEND and RECONFIGURE do). */
    public boolean hasValue() {
        return this == PUT || this == APPEND || this == RECONFIGURE;
    }

    /** Whether the operation is a request to the node rather than a command for the log. */
    public boolean isAdministrative() {
        return this == RECONFIGURE || this == FETCH_STATE || this == CONFIGURATION;
    }

    /** Every constant, read without the copy {@code values()} makes on each call (once per decoded message). */
    private static final KvOp[] ALL = values();

    /**
     * The operation encoded as {@code code}.
     *
     * @throws DecodeException if no operation has that code
     */
    public static KvOp ofCode(byte code) {
        for (KvOp op : ALL) {
            if (op.code == code) {
                return op;
            }
        }
        throw new DecodeException("unknown operation code " + code);
    }
}
