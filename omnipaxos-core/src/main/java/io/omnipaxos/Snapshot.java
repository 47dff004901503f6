package io.omnipaxos;

import java.util.List;

/**
 * How the application compacts a decided log prefix of entries of type {@code T} into a snapshot.
 * A snapshot is itself a value of type {@code T} (typically one variant of the application's entry
 * type, such as "the whole key-value map"), so the same entry codec carries it on the wire and on
 * disk.
 *
 * <p>{@link OmniPaxos#snapshot} replaces a decided prefix by its snapshot; reads of that prefix
 * then return one {@link LogEntry.Snapshotted}, and a server that fell behind it is sent the
 * snapshot followed by the entries after it. Both methods must be deterministic: every server
 * derives the same snapshot from the same entries.
 *
 * @param <T> the user's entry type
 */
public interface Snapshot<T> {

    /** Snapshots {@code entries}, a contiguous part of the decided log in log order (never empty). */
    T create(List<T> entries);

    /**
     * Combines {@code base}, a snapshot of a log prefix, with {@code delta}, a snapshot of the
     * entries that directly follow it, into one snapshot of both.
     */
    T merge(T base, T delta);

    /** Whether snapshots are used at all; if not, {@link OmniPaxos#snapshot} is refused. */
    default boolean useSnapshots() {
        return true;
    }
}
