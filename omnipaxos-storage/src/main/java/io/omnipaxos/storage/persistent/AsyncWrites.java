package io.omnipaxos.storage.persistent;

/**
 * The write counts of a {@link PersistentStorage} in the asynchronous mode ({@link
 * SyncPolicy#ASYNCHRONOUS}): writes made, which of them only a state commit makes durable, how far
 * the last completed commit reaches and how far {@code sync()} made writes durable. Writes are
 * counted from 1 since the store was opened, as the {@code Storage} SPI numbers them.
 *
 * <p><b>Threads.</b> The writer calls {@link #made} under the store's lock, and a sync reads {@link
 * #made()} and {@link #commitNeeded()} under that lock too. The sync thread publishes {@link
 * #committed} only after the MapDB commit returned, so a writer that reads it (volatile) and finds
 * every earlier write committed knows that commit is on the disk.
 */
final class AsyncWrites {

    /** Writes made since open. Writer, under the store's lock. */
    private long made;
    /**
     * The last write (0: none) that only a state commit makes durable: it changed the small state
     * (or, with a zero decided-flush interval, the decided index) or wrote batch records.
     */
    private long lastNeedingCommit;
    /** Writes covered by the last completed state commit. */
    private volatile long committed;
    /** The oldest queue record that the last completed commit's state needs (-1: none). */
    private volatile long committedOldestNeeded = -1;
    /** The oldest needed record the writer last deleted files below. Writer only. */
    private long deletedBelow = -1;
    /** Writes made durable by the last sync. */
    private volatile long durable;

    /** One write was made; {@code needsCommit}: only a state commit makes it durable. */
    void made(boolean needsCommit) {
        made++;
        if (needsCommit) {
            lastNeedingCommit = made;
        }
    }

    /** Writes made since open. */
    long made() {
        return made;
    }

    /**
     * Whether a plain append may write plain records now, which are durable once the log is synced:
     * only if every earlier write that needs a commit is committed. Otherwise a crash could keep the
     * append (plain records are adopted on open) and lose an earlier write, and the store would not
     * reopen with a prefix of its writes.
     */
    boolean plainRecordsAllowed() {
        return lastNeedingCommit <= committed;
    }

    /** Whether a write made so far waits for a state commit. */
    boolean commitNeeded() {
        return lastNeedingCommit > committed;
    }

    /** A state commit of the state after {@code writes} writes returned; that state needs records from {@code oldestNeeded}. */
    void committed(long writes, long oldestNeeded) {
        committedOldestNeeded = oldestNeeded;
        committed = writes;
    }

    /**
     * The oldest record the last commit needs, if it moved since the writer last asked (so files
     * below it may go); -1 if it did not. Writer only.
     */
    long takeNewlyFreed() {
        long oldest = committedOldestNeeded;
        if (oldest <= deletedBelow) {
            return -1;
        }
        deletedBelow = oldest;
        return oldest;
    }

    /** The first {@code writes} writes are durable. */
    void durable(long writes) {
        durable = writes;
    }

    /** Writes made durable by the last sync. */
    long durable() {
        return durable;
    }
}
