package io.omnipaxos;

import java.util.OptionalLong;

/** {@link OmniPaxos#trim} or {@link OmniPaxos#snapshot} refused; nothing was compacted. {@link #reason()} says why. */
public class CompactionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a trim was refused. */
    public enum Reason {
        /** Only the leader trims or snapshots every server; {@link #leader()} names it if known. */
        NOT_LEADER,
        /** The index is beyond the decided index ({@link #limitIdx()}). */
        INDEX_NOT_DECIDED,
        /** The log is already trimmed beyond the index ({@link #limitIdx()} is the compacted index). */
        INDEX_ALREADY_TRIMMED,
        /** Not every server has accepted up to the index ({@link #limitIdx()} is the smallest accepted index). */
        NOT_ALL_ACCEPTED,
        /** The server was built without a {@link Snapshot} that uses snapshots. */
        SNAPSHOTS_DISABLED,
        /**
         * The prefix below the compacted index ({@link #limitIdx()}) was trimmed, not snapshotted, so
         * no snapshot can cover the log from index 0.
         */
        TRIMMED_WITHOUT_SNAPSHOT
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

    /** Why the compaction was refused. */
    public Reason reason() {
        return reason;
    }

    /** The index the caller asked to compact to (-1 if it asked for the default). */
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
