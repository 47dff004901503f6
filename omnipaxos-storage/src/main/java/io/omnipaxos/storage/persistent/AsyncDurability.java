package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageOp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * How a {@link PersistentStorage} in the asynchronous mode ({@link SyncPolicy#ASYNCHRONOUS}) writes
 * and makes its writes durable: the writer's side (which records an append writes, which writes
 * need a commit) and the sync ({@link #syncLocked}), which runs on another thread.
 *
 * <p><b>Writes.</b> A write changes the {@link StoreState} (and writes its records into the
 * queue's memory-mapped file) under the store's write lock and returns: no fsync, no commit. A
 * write <i>needs a commit</i> if it changes the small state (promise, accepted round, compaction,
 * snapshot, stop-sign; the decided index only with a zero {@link
 * PersistentStorageConfig#decidedIdxFlushInterval}) or writes batch records. A plain append, and a
 * {@code writeAtomically} of nothing but appends and decided indices (the follower's accept), writes
 * plain records if every earlier write that needs a commit is committed ({@link
 * AsyncWrites#plainRecordsAllowed}): all {@link LogRecord#PLAIN_CONTINUED} but the last, a {@link
 * LogRecord#PLAIN}, so opening drops a write cut short whole. Otherwise it writes batch records
 * and needs a commit itself. Its decided index lags like a {@code setDecidedIdx}'s; where that may
 * not lag (a zero flush interval), an accept that sets one needs a commit and writes batch records,
 * as its entries must not outlive its decided index. Log files that no completed commit needs any
 * more are released by the writer, which owns the queue, and deleted by the next sync (unlinking a
 * five-minute file of gigabytes takes the kernel hundreds of ms, which the writer must not wait).
 *
 * <p><b>A sync</b>, with the store's sync lock held (one at a time):
 * <ol>
 *   <li>takes the write lock for a moment, with no I/O: notes the writes made so far (n), the log
 *       files written since the last sync and, if a write needs a commit (or a checkpoint or a
 *       decided-index flush is due), the state to commit;</li>
 *   <li>without the write lock: forces those log files (one fsync each, usually one file), then makes
 *       that MapDB commit, if any. The writer appends meanwhile; the fsync may carry some of that
 *       along, which is harmless (the next paragraph);</li>
 *   <li>publishes the commit (so appends write plain records again) and returns n.</li>
 * </ol>
 * One sync covers every write made before it began, however many (group commit). The writer waits
 * for a sync only while it notes its work, never for an fsync or a commit.
 *
 * <p><b>Why a crash reopens the store with a prefix of its writes.</b> After a crash the store
 * holds the last completed commit C (which names only records forced before it) and the records
 * after its covered index. Opening adopts the plain records that continue the log, a whole write
 * at a time, up to the first batch record ({@link TailReplay}). A write w after C wrote plain
 * records only if every earlier write that needs a commit was in a commit that had completed, so
 * in C: the writes between C and w are all plain appends (or lagging decided indices). So opening
 * adopts the writes after C up to some point, never a later one without an earlier one; a write
 * that needs a commit and is not in C is lost with everything after it; a commit captures the state
 * between two writes, so a {@code writeAtomically} is all or nothing. Every write counted by a sync
 * is in C or a plain append forced before the sync returned: it survives kill -9, an OS crash and
 * a power loss.
 *
 * @param <T> the user's entry type
 */
final class AsyncDurability<T> {

    private final StoreState<T> current;
    private final LogicalLog<T> log;
    private final CommitSchedule commits;
    private final UseGuard guard;
    private final ReentrantLock writeLock;
    private final Consumer<DurableState> commit;
    /** A decided index needs a commit of its own (a zero flush interval): then it never lags. */
    private final boolean decidedNeedsCommit;
    private final AsyncWrites writes = new AsyncWrites();
    /** Log files the writer released for the next sync to delete. Under the write lock. */
    private final List<Path> releasedFiles = new ArrayList<>();
    /** Files were deleted since the writer last refreshed Chronicle's listing. */
    private volatile boolean listingStale;
    /** Test hook: runs in a sync after it noted its work and before it forces anything. */
    volatile Runnable beforeForcesForTests;

    /**
     * @param writeLock the lock every write holds while it runs
     * @param commit makes one MapDB commit of the given state
     */
    AsyncDurability(StoreState<T> current, CommitSchedule commits, UseGuard guard, ReentrantLock writeLock,
            Consumer<DurableState> commit, boolean decidedNeedsCommit) {
        this.current = current;
        this.log = current.log();
        this.commits = commits;
        this.guard = guard;
        this.writeLock = writeLock;
        this.commit = commit;
        this.decidedNeedsCommit = decidedNeedsCommit;
    }

    // ---- the writer's side, under the write lock ----

    /**
     * Before each write: releases the log files that the commits completed since no longer need, for
     * the next sync to delete (unlinking a large file takes long: not on the writer's thread), and
     * refreshes Chronicle's listing of files once a sync deleted some.
     */
    void beforeWrite() {
        if (listingStale) {
            listingStale = false;
            log.refreshListing();
        }
        long committedNeeds = writes.takeNewlyFreed();
        if (committedNeeds >= 0) {
            releasedFiles.addAll(log.releaseFilesBefore(Math.min(committedNeeds, current.oldestNeededQueueIdx())));
        }
    }

    /** A write that only a commit makes durable was made. */
    void committedWriteMade() {
        writes.made(true);
    }

    /** A {@code setDecidedIdx} was made (the state already holds the index). */
    void decidedIdxWritten() {
        commits.decidedIdxChanged();
        writes.made(decidedNeedsCommit);
    }

    /** A plain append of {@code entries} (possibly none). */
    void appendPlain(List<T> entries) {
        writes.made(append(entries, false));
    }

    /** Whether a batch only appends entries and sets decided indices (the follower's accept). */
    static <T> boolean onlyAppendsAndDecidedIdx(List<StorageOp<T>> ops) {
        for (StorageOp<T> op : ops) {
            if (!(op instanceof StorageOp.AppendEntry<T> || op instanceof StorageOp.AppendEntries<T>
                    || op instanceof StorageOp.SetDecidedIdx<T>)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A validated batch of appends and decided indices ({@link #onlyAppendsAndDecidedIdx}) as one
     * plain append, whole or not at all after a crash, its decided index lagging as a {@code
     * setDecidedIdx}'s may.
     */
    void appendAndDecide(List<StorageOp<T>> ops) {
        List<T> entries = new ArrayList<>();
        long decidedIdx = -1;
        for (StorageOp<T> op : ops) {
            if (op instanceof StorageOp.AppendEntry<T> a) {
                entries.add(a.entry());
            } else if (op instanceof StorageOp.AppendEntries<T> a) {
                entries.addAll(a.entries());
            } else if (op instanceof StorageOp.SetDecidedIdx<T> d) {
                decidedIdx = d.decidedIdx();
            }
        }
        // A decided index that needs a commit makes the whole write wait for it: its entries are
        // then batch records, or a crash could keep them and lose the index, half the write.
        boolean decidedWaitsForCommit = decidedIdx >= 0 && decidedNeedsCommit;
        boolean needsCommit = append(entries, decidedWaitsForCommit);
        if (decidedIdx >= 0) {
            current.setDecidedIdx(decidedIdx);
            commits.decidedIdxChanged();
        }
        writes.made(needsCommit || decidedWaitsForCommit);
    }

    /**
     * Writes {@code entries} as plain records, or as batch records if {@code needsCommit} or an
     * earlier write waits for its commit; returns whether it wrote batch records (then the write
     * needs a commit itself).
     */
    private boolean append(List<T> entries, boolean needsCommit) {
        if (entries.isEmpty()) {
            return false;
        }
        if (!needsCommit && writes.plainRecordsAllowed()) {
            current.append(entries, LogRecord.PLAIN_CONTINUED, LogRecord.PLAIN);
            commits.plainAppended(entries.size());
            return false;
        }
        current.append(entries, LogRecord.BATCH, LogRecord.BATCH);
        return true;
    }

    // ---- the sync ----

    /** What one sync makes durable: the writes, the log files to force, the state to commit (or null). */
    private record SyncPoint(long writes, QueueLog.Unsynced unsynced, DurableState state, long oldestNeeded) {
    }

    /**
     * One sync (see the class comment), with the store's sync lock held; {@code closing}: also
     * commits what is merely pending (plain appends since the last commit, a lagging decided index).
     *
     * @return the writes durable, counted from 1 since the store was opened
     * @throws io.omnipaxos.storage.StorageException if a write failed earlier, or forcing or
     *     committing fails (which fails the store)
     */
    long syncLocked(boolean closing) {
        SyncPoint point = notePoint(closing);
        if (point == null) {
            return writes.durable();
        }
        guard.write(() -> { // a failure fails the store, for the writer too
            Runnable hook = beforeForcesForTests;
            if (hook != null) {
                hook.run();
            }
            point.unsynced().force();
            if (point.state() != null) {
                commit.accept(point.state());
                writes.committed(point.writes(), point.oldestNeeded());
            }
            deleteReleasedFiles();
        });
        writes.durable(point.writes());
        return point.writes();
    }

    /** Deletes the log files the writer released, outside the write lock. */
    private void deleteReleasedFiles() {
        List<Path> files;
        writeLock.lock();
        try {
            if (releasedFiles.isEmpty()) {
                return;
            }
            files = new ArrayList<>(releasedFiles);
            releasedFiles.clear();
        } finally {
            writeLock.unlock();
        }
        QueueLog.deleteReleased(log.dir(), files);
        listingStale = true;
    }

    /** Under the write lock, without I/O: what a sync must do now; null if nothing. */
    private SyncPoint notePoint(boolean closing) {
        writeLock.lock();
        try {
            guard.ensureNotFailed(); // a write that failed may have left memory ahead of its records
            boolean commitNow = writes.commitNeeded() || commits.due() || (closing && commits.hasPending());
            if (!commitNow && writes.made() == writes.durable()) {
                return null;
            }
            DurableState state = null;
            long oldestNeeded = -1;
            if (commitNow) {
                state = current.toDurable();
                oldestNeeded = current.oldestNeededQueueIdx();
                commits.committed();
            }
            return new SyncPoint(writes.made(), log.takeUnsynced(), state, oldestNeeded);
        } finally {
            writeLock.unlock();
        }
    }
}
