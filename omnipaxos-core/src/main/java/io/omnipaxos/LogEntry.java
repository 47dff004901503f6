package io.omnipaxos;

/**
 * One position of the replicated log as seen by a read.
 *
 * <p>{@link Decided} entries are final on every server; {@link Undecided} entries are accepted
 * locally but may still be overwritten by a new leader. Compacted prefixes read as a single
 * {@link Trimmed} entry.
 *
 * @param <T> the user's entry type
 */
public sealed interface LogEntry<T> permits LogEntry.Decided, LogEntry.Undecided, LogEntry.Trimmed {

    /** An entry that a quorum has accepted and that will never change. */
    record Decided<T>(T entry) implements LogEntry<T> {}

    /** An entry accepted by this server but not yet known to be decided. */
    record Undecided<T>(T entry) implements LogEntry<T> {}

    /**
     * The log prefix up to {@code compactedIdx} (exclusive) was trimmed away; its entries are gone.
     *
     * @param compactedIdx the first index that was not trimmed
     */
    record Trimmed<T>(long compactedIdx) implements LogEntry<T> {}
}
