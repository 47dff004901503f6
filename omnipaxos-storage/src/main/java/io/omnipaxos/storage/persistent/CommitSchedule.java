package io.omnipaxos.storage.persistent;

import java.time.Duration;

/**
 * When {@link PersistentStorage} commits changes that do not need a MapDB commit of their own: plain
 * appends (durable once the queue is synced) are recorded in the state every {@code checkpointEvery}
 * records, which bounds the replay on open; a new decided index is committed at most once per {@code
 * decidedIdxFlushInterval} (a lost one is learned again from the leader). Any commit carries both.
 * In the asynchronous mode the writer only notes what it wrote, and each {@code sync()} asks {@link
 * #due()}; it is used under the store's lock then.
 *
 * <p>It reads the system's monotonic clock: this is the storage module, which does I/O, not the
 * deterministic core.
 */
final class CommitSchedule {

    private final long checkpointEvery;
    private final long decidedFlushNanos;
    private long uncommittedPlain;
    private boolean decidedDirty;
    private long lastCommitNanos = System.nanoTime();

    CommitSchedule(long checkpointEvery, Duration decidedIdxFlushInterval) {
        this.checkpointEvery = checkpointEvery;
        this.decidedFlushNanos = decidedIdxFlushInterval.toNanos();
    }

    /** Notes {@code count} plain records written; returns whether a commit is due now. */
    boolean plainAppended(int count) {
        uncommittedPlain += count;
        return uncommittedPlain >= checkpointEvery || decidedFlushDue();
    }

    /** Notes a new decided index; returns whether a commit is due now. */
    boolean decidedIdxChanged() {
        decidedDirty = true;
        return decidedFlushDue();
    }

    /** Whether a commit is due now for what was noted so far (the asynchronous mode asks at each sync). */
    boolean due() {
        return uncommittedPlain >= checkpointEvery || decidedFlushDue();
    }

    /** Whether anything is not committed yet (for close). */
    boolean hasPending() {
        return uncommittedPlain > 0 || decidedDirty;
    }

    /** Notes a commit of the whole current state. */
    void committed() {
        uncommittedPlain = 0;
        decidedDirty = false;
        lastCommitNanos = System.nanoTime();
    }

    private boolean decidedFlushDue() {
        return decidedDirty && System.nanoTime() - lastCommitNanos >= decidedFlushNanos;
    }
}
