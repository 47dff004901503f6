package io.omnipaxos;

/**
 * One position of the replicated log as seen by a read.
 *
 * <p>{@link Decided} entries are final on every server; {@link Undecided} entries are accepted
 * locally but may still be overwritten by a new leader. A compacted prefix reads as a single
 * {@link Snapshotted} entry if it was compacted by {@link OmniPaxos#snapshot}, else as a single
 * {@link Trimmed} entry. A {@link StopSign} is always the last entry of the log.
 *
 * @param <T> the user's entry type
 */
public sealed interface LogEntry<T>
        permits LogEntry.Decided, LogEntry.Undecided, LogEntry.Trimmed, LogEntry.Snapshotted, LogEntry.StopSign {

    /**
     * An entry that a quorum has accepted and that will never change.
     *
     * @param entry the entry
     * @param proposalId in what {@link OmniPaxos#takeDecided} hands out: the id {@link
     *     OmniPaxos#append} returned on this server for this entry, or 0 when it was appended
     *     elsewhere (or its id is no longer known, see {@code takeDecided}); always 0 in the other reads
     */
    record Decided<T>(T entry, long proposalId) implements LogEntry<T> {

        /** A decided entry read without its proposal id. */
        public Decided(T entry) {
            this(entry, 0);
        }
    }

    /** An entry accepted by this server but not yet known to be decided. */
    record Undecided<T>(T entry) implements LogEntry<T> {}

    /**
     * The log prefix up to {@code compactedIdx} (exclusive) was trimmed away; its entries are gone.
     *
     * @param compactedIdx the first index that was not trimmed
     */
    record Trimmed<T>(long compactedIdx) implements LogEntry<T> {}

    /**
     * The log prefix up to {@code compactedIdx} (exclusive) was replaced by {@code snapshot}, made by
     * the application's {@link Snapshot}; applying it stands for applying the whole prefix.
     *
     * @param compactedIdx the first index after the snapshot
     * @param snapshot the snapshot of the prefix
     */
    record Snapshotted<T>(long compactedIdx, T snapshot) implements LogEntry<T> {}

    /**
     * The stop-sign that ends this configuration's log; once {@code decided}, the configuration is
     * finished and {@link OmniPaxos#isReconfigured()} returns it.
     *
     * @param stopSign the stop-sign, naming the next configuration
     * @param decided whether it is decided
     */
    record StopSign<T>(io.omnipaxos.StopSign stopSign, boolean decided) implements LogEntry<T> {}
}
