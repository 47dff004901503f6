package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.StorageOp;
import io.omnipaxos.storage.support.LogBounds;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import net.openhft.chronicle.core.time.TimeProvider;

/**
 * A {@link Storage} on disk: log records in a Chronicle queue, the small state in MapDB.
 *
 * <p><b>Files.</b> In the configured folder: {@code log/} holds the Chronicle queue ({@link
 * QueueLog}) and the {@link CommitMark}; {@code state.db} and {@code state-b.db} (MapDB files, each
 * with its write-ahead log next to it, taking the commits in turn: {@link StateStore} says why)
 * hold the promise, accepted round, decided index, compacted index, logical log length, <i>covered
 * queue index</i> (the last queue record the state accounts for), <i>run table</i> ({@link RunMap}:
 * which queue indices hold which logical indices), commit number and stop-sign, each value behind a
 * CRC32C ({@link StateSlot}); the snapshot (encoded with the entry codec) is in {@code
 * snapshot-<n>.bin} ({@link SnapshotFile}), written and forced before the commit that names it, so
 * a crash never separates it from the compacted index it covers. Creating a file syncs its folder
 * ({@link FolderSync}).
 *
 * <p><b>Records.</b> A Chronicle queue cannot be truncated, so the queue is append-only and the
 * logical log is defined by the state: every record carries its logical index, its kind and a
 * CRC32C ({@link LogRecord}), and {@link LogicalLog} maps logical indices to records. Overwriting a
 * suffix ({@code appendOnPrefix}) appends new records and points the run table at them; the old
 * records stay in the queue, unreferenced. A {@code setSnapshot} beyond the log end empties the run
 * table and sets the length to its index, so the next record written holds that logical index.
 *
 * <p><b>Write order</b> under the synchronous policies ({@link SyncPolicy#SYNC_EVERY_WRITE}, {@link
 * SyncPolicy#OS_PAGE_CACHE}, which skips the syncs):
 * <ul>
 *   <li>Plain appends ({@code appendEntry}, {@code appendEntries}) write <i>plain</i> records, then
 *       sync the queue, then return: no MapDB commit. Every {@link PersistentStorageConfig#checkpointEvery}
 *       records one commit records them in the state, which bounds the replay below.</li>
 *   <li>{@code appendOnPrefix} and {@code writeAtomically} write <i>batch</i> records, sync the
 *       queue, then make one MapDB commit of the whole new state (covered queue index = the last
 *       record written), then return.</li>
 *   <li>{@code setPromise}, {@code setAcceptedRound}, {@code trim}, {@code setCompactedIdx}, {@code
 *       setSnapshot}, {@code setStopSign}: one commit each. {@code setDecidedIdx} commits only if
 *       the last commit is older than {@link PersistentStorageConfig#decidedIdxFlushInterval};
 *       otherwise the next commit (or close) carries it. Every commit writes the complete current
 *       state (the snapshot only if it changed, as it may be megabytes).</li>
 * </ul>
 *
 * <p><b>The asynchronous mode</b> ({@link SyncPolicy#ASYNCHRONOUS}; {@link #isAsynchronous()} is
 * true) writes the same records but moves every sync and commit into {@link #sync()}, which another
 * thread calls while the writer goes on writing; plain appends that follow a write still waiting
 * for its commit write batch records, so a crash reopens the store with a prefix of its writes,
 * each whole ({@link AsyncDurability} describes the writes, the sync and why).
 *
 * <p><b>Opening.</b> First the end of the newest log file is walked ({@link TailCheck}): every
 * length there is bounded before Chronicle acts on it, what a killed writer left after the last
 * complete record is marked skipped, and damage before it refuses to open, naming the file and
 * byte offset. Then load the committed state (refused if older than the log: {@link CommitMark})
 * and replay the records after the covered queue index ({@link TailReplay}): a plain record that
 * continues the log is adopted (a plain append acknowledged it without a commit); the first batch
 * record starts a batch whose commit never happened, so it and all after it are ignored; a record
 * that fails its checksum is a torn write if it is the last (dropped), else corruption (refused,
 * naming the file and index). If the tail was not empty, one commit moves the covered index past
 * it, so later appends are never mixed up with it. Then the first and the last {@value
 * LogicalLog#VERIFIED_LAST_ENTRIES} retained entries are read back and checked; others are
 * checked whenever read from the log files (or on open, with {@link
 * PersistentStorageConfig#verifyWholeLogOnOpen}).
 *
 * <p><b>Reads.</b> The entries appended last (up to {@value LogicalLog#RECENT_ENTRIES} entries and
 * 16 MiB encoded, {@link RecentEntries}) are also kept in memory, as the objects appended, and a
 * read that lies wholly among them is answered from memory: a server reads back what it decided
 * milliseconds after appending it. So, as with {@code MemoryStorage}, a read may return the very
 * objects appended, and entries should be immutable. Other reads come from the log files.
 *
 * <p><b>Why a crash between any two writes opens correctly.</b> MapDB commits are atomic, so the
 * state is always some committed state, referring only to records synced before the commit. A
 * crash during or after writing plain records leaves a prefix of them readable (the record being
 * written is skipped; one torn by the OS is the last one visible and fails its checksum), and
 * adopting a prefix of an unacknowledged append is what a crash in the middle of that call may
 * do. A crash after writing batch records but before their commit leaves records that replay
 * ignores: the batch is all or nothing. A crash after the commit finds them covered. A crash
 * during the open-time commit just replays the same tail again.
 *
 * <p><b>Deleting old log files.</b> After every commit that may move the oldest record still
 * referenced (trim, snapshot, compaction, a batch) and on open, the queue's files that no committed
 * state needs are deleted ({@link LogicalLog#deleteUnreferencedFiles} says why that is crash-safe);
 * asynchronously, by the writer at its next write after a sync's commit.
 *
 * <p><b>Failures.</b> Any I/O or codec failure while writing (or syncing) throws {@link
 * StorageException} and leaves this object failed (every later call throws): in-memory state may be
 * ahead of the disk, so the server must reopen. Invalid arguments throw {@link
 * IllegalArgumentException} and change nothing. State files that hold no readable state next to
 * existing log files, or whose newest readable commit is older than the log, refuse to open,
 * naming the files (and the key or byte offset where known).
 *
 * <p>One thread at a time writes and reads, as the SPI says; {@link #sync()} may be called from
 * any thread, also while the writer runs.
 *
 * @param <T> the user's entry type
 */
public final class PersistentStorage<T> implements Storage<T> {

    private final PersistentStorageConfig<T> config;
    private final StateStore state;
    private final LogicalLog<T> log;
    private final StoreState<T> current;
    private final CommitSchedule commits;
    private final UseGuard guard;
    /** The asynchronous mode's writes and syncs; null under the synchronous policies. */
    private final AsyncDurability<T> async;
    /** Held by every write while it runs, and by a sync while it notes what to make durable (never longer). */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Held by a sync and by close: one at a time, and no close in the middle of a sync. */
    private final ReentrantLock syncLock = new ReentrantLock();

    /** Test hook: the next commit fails before touching MapDB, as if the process died just then. */
    boolean crashBeforeNextCommit;

    private PersistentStorage(PersistentStorageConfig<T> config, StateStore state, QueueLog queue, DurableState s) {
        this.config = config;
        this.state = state;
        this.guard = new UseGuard(config.dir());
        this.commits = new CommitSchedule(config.checkpointEvery(), config.decidedIdxFlushInterval());
        this.log = LogicalLog.recover(queue, s, config.codec(), state.file());
        this.current = new StoreState<>(s, log);
        this.async = config.syncPolicy() != SyncPolicy.ASYNCHRONOUS ? null : new AsyncDurability<>(current, commits,
                guard, writeLock, this::commit, config.decidedIdxFlushInterval().isZero());
        if (log.lastQueueIdx() != s.coveredQueueIdx()) {
            commitNow();
        }
        log.verify(current.compactedIdx(), config.verifyWholeLogOnOpen(), state.file());
        log.deleteUnreferencedFiles(current.compactedIdx()); // finishes a deletion that a crash interrupted
    }

    /**
     * Opens the store in {@code config.dir()}, creating it if the folder holds none.
     *
     * @throws StorageException naming the file if the files cannot be opened, are damaged, or the
     *     state file is missing while log files exist, or is older than the log
     */
    public static <T> PersistentStorage<T> open(PersistentStorageConfig<T> config) {
        return open(config, null);
    }

    /**
     * Deletes the store in {@code dir}: its log folder and its state file. Other files in {@code
     * dir} are left alone. The store must not be open. Use it to discard the storage of a
     * configuration that a stop-sign ended, once the next configuration runs on its own storage. A
     * crash during the deletion leaves a store that refuses to open; calling this again finishes it.
     *
     * @throws StorageException naming the file that cannot be deleted
     */
    public static void deleteStore(Path dir) {
        StoreFolder.delete(dir);
    }

    /**
     * Test hook: as {@link #open(PersistentStorageConfig)}, with the clock that decides the queue's
     * roll cycles ({@code null}: the system clock), so tests can fill several log files at once.
     */
    static <T> PersistentStorage<T> open(PersistentStorageConfig<T> config, TimeProvider clock) {
        if (config == null || config.codec() == null) {
            throw new IllegalArgumentException("config and its codec must be set, got " + config);
        }
        StateStore st = StoreFolder.openState(config.dir());
        try {
            DurableState s = st.load();
            QueueLog q = QueueLog.open(StoreFolder.logDir(config.dir()), clock, s.coveredQueueIdx());
            try {
                return new PersistentStorage<>(config, st, q, s);
            } catch (RuntimeException e) {
                q.close();
                throw e;
            }
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
    }

    /** True with {@link SyncPolicy#ASYNCHRONOUS}: writes are durable once {@link #sync()} says so. */
    @Override
    public boolean isAsynchronous() {
        return async != null;
    }

    /**
     * Makes every write made before this call durable and returns how many writes are durable,
     * counted from 1 since this store was opened (so an {@code OmniPaxos} built on the store right
     * after opening it numbers its writes the same way). For {@link SyncPolicy#ASYNCHRONOUS} only.
     *
     * <p>Thread-safe, and meant for a thread other than the writer's: it holds the writer up only
     * while it notes what to force (no I/O), then forces the log and commits the state, if a write
     * needs it, while the writer goes on writing (see the class comment). Syncs run one at a time;
     * each covers every write made before it began. Returns at once if nothing was written since the
     * last sync.
     *
     * @return the writes made durable, at least as many as were made before the call
     * @throws IllegalStateException if the store is not asynchronous
     * @throws StorageException if the store is closed or failed, or if forcing or committing fails
     *     (the store is failed then: the writer's next call throws too)
     */
    public long sync() {
        if (async == null) {
            throw new IllegalStateException("PersistentStorage " + config.dir() + " has sync policy "
                    + config.syncPolicy() + ": every write syncs itself; sync() is for SyncPolicy.ASYNCHRONOUS");
        }
        syncLock.lock();
        try {
            guard.ensureUsable();
            return async.syncLocked(false);
        } finally {
            syncLock.unlock();
        }
    }

    /** Test hook: {@code hook} runs in every later {@link #sync()} after it noted its work, before it forces anything. */
    void beforeSyncForcesForTests(Runnable hook) {
        async.beforeForcesForTests = hook;
    }

    // ---- writes ----

    /**
     * Runs one write under the write lock; a failure fails the store. Asynchronously it first deletes
     * the log files that the commits completed since no longer need.
     */
    private void write(Runnable change) {
        writeLock.lock();
        try {
            guard.write(() -> {
                if (async != null) {
                    async.beforeWrite();
                }
                change.run();
            });
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Ends a write that only a commit records: synchronously, syncs the log if the write wrote
     * records, commits, and deletes the log files no longer needed if {@code mayFreeFiles};
     * asynchronously, leaves all that to the next {@link #sync()}.
     */
    private void endCommittedWrite(boolean wroteRecords, boolean mayFreeFiles) {
        if (async != null) {
            async.committedWriteMade();
            return;
        }
        if (wroteRecords) {
            syncLog();
        }
        commitNow();
        if (mayFreeFiles) {
            log.deleteUnreferencedFiles(current.compactedIdx());
        }
    }

    @Override
    public void writeAtomically(List<StorageOp<T>> ops) {
        guard.ensureUsable();
        LogBounds.checkBatch(ops, current.compactedIdx(), log.length());
        byte[][] snapshots = encodeSnapshotsAndCheckStopSigns(ops);
        if (async != null && AsyncDurability.onlyAppendsAndDecidedIdx(ops)) {
            write(() -> async.appendAndDecide(ops));
            return;
        }
        write(() -> {
            boolean wroteRecords = false;
            for (int i = 0; i < ops.size(); i++) {
                wroteRecords |= current.apply(ops.get(i), snapshots[i]);
            }
            endCommittedWrite(wroteRecords, true);
        });
    }

    /**
     * Before anything changes: encodes the snapshot of every SetSnapshot op (at its position in the
     * result) and checks that every stop-sign can be encoded, so a bad one changes nothing.
     */
    private byte[][] encodeSnapshotsAndCheckStopSigns(List<StorageOp<T>> ops) {
        byte[][] snapshots = new byte[ops.size()][];
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof StorageOp.SetSnapshot<T> snap) {
                snapshots[i] = SnapshotBytes.encode(config.codec(), snap.idx(), snap.snapshot());
            } else if (ops.get(i) instanceof StorageOp.SetStopSign<T> ss) {
                try {
                    StoreState.requireEncodable(ss.stopSign());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("op " + i + " of " + ops.size()
                            + " (SetStopSign) is invalid, nothing was applied: " + e.getMessage(), e);
                }
            }
        }
        return snapshots;
    }

    @Override
    public void appendEntry(T entry) {
        guard.ensureUsable();
        LogBounds.requireEntry(entry, log.length());
        write(() -> appendPlain(List.of(entry)));
    }

    @Override
    public void appendEntries(List<T> entries) {
        guard.ensureUsable();
        int n = LogBounds.requireEntries(entries);
        if (n == 0 && async == null) {
            return; // nothing to sync (asynchronously it is still a write, counted as the SPI numbers them)
        }
        write(() -> appendPlain(entries));
    }

    private void appendPlain(List<T> entries) {
        if (async != null) {
            async.appendPlain(entries);
            return;
        }
        current.append(entries, LogRecord.PLAIN, LogRecord.PLAIN);
        syncLog();
        if (commits.plainAppended(entries.size())) {
            commitNow();
        }
    }

    @Override
    public void appendOnPrefix(long fromIdx, List<T> entries) {
        guard.ensureUsable();
        new LogBounds(current.compactedIdx(), log.length()).requireInLog("appendOnPrefix fromIdx", fromIdx);
        LogBounds.requireEntries(entries);
        writeAtomically(List.of(new StorageOp.AppendOnPrefix<>(fromIdx, entries)));
    }

    @Override
    public void setPromise(Ballot ballot) {
        guard.ensureUsable();
        LogBounds.requireBallot("promise", ballot);
        write(() -> {
            current.setPromise(ballot);
            endCommittedWrite(false, false);
        });
    }

    @Override
    public void setAcceptedRound(Ballot ballot) {
        guard.ensureUsable();
        LogBounds.requireBallot("acceptedRound", ballot);
        write(() -> {
            current.setAcceptedRound(ballot);
            endCommittedWrite(false, false);
        });
    }

    @Override
    public void setDecidedIdx(long idx) {
        guard.ensureUsable();
        LogBounds.requireNonNegative("decidedIdx", idx);
        write(() -> {
            current.setDecidedIdx(idx);
            if (async != null) {
                async.decidedIdxWritten();
            } else if (commits.decidedIdxChanged()) {
                commitNow();
            }
        });
    }

    @Override
    public void trim(long idx) {
        guard.ensureUsable();
        new LogBounds(current.compactedIdx(), log.length()).requireInLog("trim idx", idx);
        write(() -> {
            current.trimTo(idx);
            endCommittedWrite(false, true);
        });
    }

    @Override
    public void setCompactedIdx(long idx) {
        guard.ensureUsable();
        new LogBounds(current.compactedIdx(), log.length()).requireInLog("compacted idx", idx);
        write(() -> {
            current.compactTo(idx);
            endCommittedWrite(false, true);
        });
    }

    /** One commit: the snapshot, the compacted index and the dropped entries together. */
    @Override
    public void setSnapshot(long idx, T snapshot) {
        guard.ensureUsable();
        new LogBounds(current.compactedIdx(), log.length()).requireSnapshot(idx, snapshot);
        byte[] encoded = SnapshotBytes.encode(config.codec(), idx, snapshot);
        write(() -> {
            current.installSnapshot(idx, encoded);
            endCommittedWrite(false, true);
        });
    }

    /** Decodes the stored snapshot anew on every call, as entries are. */
    @Override
    public Optional<T> getSnapshot() {
        guard.ensureUsable();
        byte[] snapshotBytes = current.snapshotBytes();
        if (snapshotBytes == null) {
            return Optional.empty();
        }
        return Optional.of(SnapshotBytes.decode(config.codec(), snapshotBytes,
                "state file " + state.file() + ": the snapshot below log index " + current.compactedIdx()));
    }

    /**
     * The stored snapshot's bytes as this storage keeps them, without a copy, if {@code codec} is
     * the codec it encodes with (the same instance); they are never changed in place.
     */
    @Override
    public Optional<byte[]> getSnapshotBytes(EntryCodec<T> codec) {
        guard.ensureUsable();
        byte[] snapshotBytes = current.snapshotBytes();
        return codec == config.codec() && snapshotBytes != null ? Optional.of(snapshotBytes) : Optional.empty();
    }

    /** One commit; the stop-sign is stored with {@code StopSignCodec} behind a checksum. */
    @Override
    public void setStopSign(StopSign newStopSign) {
        guard.ensureUsable();
        StoreState.requireEncodable(newStopSign);
        write(() -> {
            current.setStopSign(newStopSign);
            endCommittedWrite(false, false);
        });
    }

    @Override
    public Optional<StopSign> getStopSign() {
        guard.ensureUsable();
        return Optional.ofNullable(current.stopSign());
    }

    private void syncLog() {
        if (config.syncPolicy() == SyncPolicy.SYNC_EVERY_WRITE) {
            log.sync();
        } else {
            log.takeUnsynced(); // OS_PAGE_CACHE forces nothing: forget the files, so their list stays short
        }
    }

    /** One MapDB commit of the whole current state; every record it covers was synced before. */
    private void commitNow() {
        commit(current.toDurable());
        commits.committed();
    }

    private void commit(DurableState committed) {
        if (crashBeforeNextCommit) {
            throw new StorageException("simulated crash before a MapDB commit");
        }
        state.commit(committed);
    }

    // ---- reads ----

    @Override
    public List<T> getEntries(long from, long to) {
        guard.ensureUsable();
        new LogBounds(current.compactedIdx(), log.length()).requireReadable(from, to);
        return Collections.unmodifiableList(log.read(from, to));
    }

    @Override
    public long getLogLength() {
        guard.ensureUsable();
        return log.length();
    }

    @Override
    public Ballot getPromise() {
        guard.ensureUsable();
        return current.promise();
    }

    @Override
    public Ballot getAcceptedRound() {
        guard.ensureUsable();
        return current.acceptedRound();
    }

    @Override
    public long getDecidedIdx() {
        guard.ensureUsable();
        return current.decidedIdx();
    }

    @Override
    public long getCompactedIdx() {
        guard.ensureUsable();
        return current.compactedIdx();
    }

    // ---- lifecycle ----

    /**
     * Commits anything pending (plain appends not yet checkpointed, a lagging decided index;
     * asynchronously, a last sync makes every write durable) and closes the files. Waits for a sync
     * in progress; the writer must not write meanwhile.
     */
    @Override
    public void close() {
        syncLock.lock();
        try {
            if (!guard.close()) {
                return;
            }
            try {
                if (!guard.failed() && async != null) {
                    async.syncLocked(true);
                } else if (!guard.failed() && commits.hasPending()) {
                    commitNow();
                }
            } finally {
                closeFiles();
            }
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * Test hook: closes the files without committing or syncing anything pending, leaving on disk
     * exactly what a process killed now would leave (the queue's pages are in the OS page cache
     * already). No sync may run meanwhile.
     */
    void crashForTests() {
        guard.close();
        closeFiles();
    }

    private void closeFiles() {
        try {
            log.close();
        } finally {
            state.close();
        }
    }

    @Override
    public String toString() {
        return "PersistentStorage[" + config.dir() + ", " + config.syncPolicy() + ", " + current + "]";
    }
}
