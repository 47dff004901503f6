package io.omnipaxos;

import java.util.OptionalLong;

/** {@link OmniPaxos#trim} refused; nothing was trimmed. {@link #reason()} says why. */
public class CompactionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a trim was refused. */
    public enum Reason {
        /** Only the leader trims; {@link #leader()} names it if known. */
        NOT_LEADER,
        /** The index is beyond the decided index ({@link #limitIdx()}). */
        INDEX_NOT_DECIDED,
        /** The log is already trimmed beyond the index ({@link #limitIdx()} is the compacted index). */
        INDEX_ALREADY_TRIMMED,
        /** Not every server has accepted up to the index ({@link #limitIdx()} is the smallest accepted index). */
        NOT_ALL_ACCEPTED
    }

    private final Reason reason;
    private final long requestedIdx;
    private final long limitIdx;
    private final OptionalLong leader;

    CompactionException(Reason reason, long requestedIdx, long limitIdx, OptionalLong leader, String message) {
        super(message);
        this.reason = reason;
        this.requestedIdx = requestedIdx;
        this.limitIdx = limitIdx;
        this.leader = leader;
    }

    /** Why the trim was refused. */
    public Reason reason() {
        return reason;
    }

    /** The index the caller asked to trim to (-1 if it asked for the default). */
    public long requestedIdx() {
        return requestedIdx;
    }

    /** The index that bounded the request; its meaning depends on {@link #reason()}. */
    public long limitIdx() {
        return limitIdx;
    }

    /** The current leader as this server knows it, for {@link Reason#NOT_LEADER}. */
    public OptionalLong leader() {
        return leader;
    }
}
