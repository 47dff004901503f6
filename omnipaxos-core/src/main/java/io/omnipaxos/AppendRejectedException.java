package io.omnipaxos;

/**
 * {@link OmniPaxos#append} (or {@link OmniPaxos#reconfigure}) could not take the entry. Nothing was appended; the caller may retry
 * later (for example after the next {@code tick()} and a drain of the outgoing messages).
 */
public class AppendRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why an append was refused. */
    public enum Reason {
        /** {@code buffer_size} proposals are already waiting for a leader to take them. */
        BUFFER_FULL,
        /**
         * The log ends with a stop-sign that is not decided yet: no entry may follow it. Retry once
         * it is decided (in the next configuration) or, if a leader change dropped it, here.
         */
        STOP_SIGN_PENDING,
        /** The stop-sign is decided: this configuration is finished; use the next one. */
        RECONFIGURED,
        /**
         * The entry encodes to more than {@code max_message_bytes}: no message could carry it. Only
         * a server built with an entry codec knows ({@link OmniPaxosConfig#build(
         * io.omnipaxos.storage.Storage, Snapshot, io.omnipaxos.codec.EntryCodec)}).
         */
        ENTRY_TOO_LARGE,
        /** This server is a learner: it proposes nothing; append on one of the nodes. */
        LEARNER
    }

    private final Reason reason;

    AppendRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Why the entry was refused. */
    public Reason reason() {
        return reason;
    }
}
