package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.StorageOp;
import io.omnipaxos.storage.support.LogBounds;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import net.openhft.chronicle.core.time.TimeProvider;

/**
 * A {@link Storage} on disk: log records in a Chronicle queue, the small state in MapDB.
 *
 * <p><b>Files.</b> In the configured folder: {@code log/} holds the Chronicle queue ({@link
 * QueueLog}) and the {@link CommitMark}; {@code state.db} (and MapDB's write-ahead log next to it)
 * holds the promise, accepted round, decided index, compacted index, logical log length, <i>covered
 * queue index</i> (the last queue record the state accounts for), <i>run table</i> ({@link RunMap}:
 * which queue indices hold which logical indices), commit number and, if any, the snapshot (encoded
 * with the entry codec) and stop-sign, each value behind a CRC32C ({@link StateStore}). The
 * snapshot is committed with the compacted index it covers, so a crash never separates them.
 * Creating a file syncs its folder ({@link FolderSync}).
 *
 * <p><b>Records.</b> A Chronicle queue cannot be truncated, so the queue is append-only and the
 * logical log is defined by the state: every record carries its logical index, its kind and a
 * CRC32C ({@link LogRecord}), and {@link LogicalLog} maps logical indices to records. Overwriting a
 * suffix ({@code appendOnPrefix}) appends new records and points the run table at them; the old
 * records stay in the queue, unreferenced. A {@code setSnapshot} beyond the log end empties the run
 * table and sets the length to its index, so the next record written holds that logical index.
 *
 * <p><b>Write order.</b>
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
 * checked whenever read (or on open, with {@link PersistentStorageConfig#verifyWholeLogOnOpen}).
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
 * state needs are deleted ({@link LogicalLog#deleteUnreferencedFiles} says why that is crash-safe).
 *
 * <p><b>Failures.</b> Any I/O or codec failure while writing throws {@link StorageException} and
 * leaves this object failed (every later call throws): in-memory state may be ahead of the disk,
 * so the server must reopen. Invalid arguments throw {@link IllegalArgumentException} and change
 * nothing. A missing {@code state.db} next to existing log files, a damaged one, or one older
 * than the log refuses to open, naming the file (and the key or byte offset where known).
 *
 * <p>Not thread-safe: one thread at a time, as the SPI says.
 *
 * @param <T> the user's entry type
 */
public final class PersistentStorage<T> implements Storage<T> {

    private final PersistentStorageConfig<T> config;
    private final StateStore state;
    private final LogicalLog<T> log;
    private final CommitSchedule commits;
    private final UseGuard guard;

    private Ballot promise;
    private Ballot acceptedRound;
    private long decidedIdx;
    private long compactedIdx;
    /** The entry codec's bytes of the snapshot of {@code [0, compactedIdx)}, or null; never changed in place. */
    private byte[] snapshotBytes;
    /** The stop-sign at the slot after the log's last entry, or null. */
    private StopSign stopSign;
    /** Test hook: the next commit fails before touching MapDB, as if the process died just then. */
    boolean crashBeforeNextCommit;

    private PersistentStorage(PersistentStorageConfig<T> config, StateStore state, QueueLog queue, DurableState s) {
        this.config = config;
        this.state = state;
        this.guard = new UseGuard(config.dir());
        this.commits = new CommitSchedule(config.checkpointEvery(), config.decidedIdxFlushInterval());
        this.promise = s.promise();
        this.acceptedRound = s.acceptedRound();
        this.decidedIdx = s.decidedIdx();
        this.compactedIdx = s.compactedIdx();
        this.snapshotBytes = s.snapshot();
        this.stopSign = s.stopSign();
        this.log = LogicalLog.recover(queue, s, config.codec(), state.file());
        if (log.lastQueueIdx() != s.coveredQueueIdx()) {
            commitNow();
        }
        log.verify(compactedIdx, config.verifyWholeLogOnOpen(), state.file());
        log.deleteUnreferencedFiles(compactedIdx); // finishes a deletion that a crash interrupted
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

    // ---- writes ----

    @Override
    public void writeAtomically(List<StorageOp<T>> ops) {
        guard.ensureUsable();
        LogBounds.checkBatch(ops, compactedIdx, log.length());
        byte[][] snapshots = encodeSnapshotsAndCheckStopSigns(ops);
        guard.write(() -> {
            boolean wroteRecords = false;
            for (int i = 0; i < ops.size(); i++) {
                wroteRecords |= apply(ops.get(i), snapshots[i]);
            }
            if (wroteRecords) {
                syncLog();
            }
            commitNow();
            log.deleteUnreferencedFiles(compactedIdx);
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
                    requireEncodable(ss.stopSign());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("op " + i + " of " + ops.size()
                            + " (SetStopSign) is invalid, nothing was applied: " + e.getMessage(), e);
                }
            }
        }
        return snapshots;
    }

    /**
     * Applies one validated op to memory, writing batch records for log ops; returns whether it
     * wrote any. {@code snapshot} is the encoded snapshot of a SetSnapshot op.
     */
    private boolean apply(StorageOp<T> op, byte[] snapshot) {
        if (op instanceof StorageOp.AppendEntry<T> a) {
            log.append(LogRecord.BATCH, a.entry());
            return true;
        } else if (op instanceof StorageOp.AppendEntries<T> a) {
            a.entries().forEach(e -> log.append(LogRecord.BATCH, e));
            return !a.entries().isEmpty();
        } else if (op instanceof StorageOp.AppendOnPrefix<T> a) {
            log.truncate(a.fromIdx());
            a.entries().forEach(e -> log.append(LogRecord.BATCH, e));
            return !a.entries().isEmpty();
        } else if (op instanceof StorageOp.SetPromise<T> p) {
            promise = p.promise();
        } else if (op instanceof StorageOp.SetAcceptedRound<T> r) {
            acceptedRound = r.acceptedRound();
        } else if (op instanceof StorageOp.SetDecidedIdx<T> d) {
            decidedIdx = d.decidedIdx();
        } else if (op instanceof StorageOp.Trim<T> t) {
            trimTo(t.idx());
        } else if (op instanceof StorageOp.SetCompactedIdx<T> c) {
            compactTo(c.idx());
        } else if (op instanceof StorageOp.SetSnapshot<T> snap) {
            installSnapshot(snap.idx(), snapshot);
        } else if (op instanceof StorageOp.SetStopSign<T> ss) {
            stopSign = ss.stopSign();
        }
        return false;
    }

    private void compactTo(long idx) {
        compactedIdx = idx;
        log.dropBelow(idx);
    }

    /** A trim past the compacted index drops the snapshot, which covers only the old prefix. */
    private void trimTo(long idx) {
        if (idx > compactedIdx) {
            snapshotBytes = null;
        }
        compactTo(idx);
    }

    /** Replaces the prefix below {@code idx} by {@code encoded}; beyond the log end, the log jumps to idx. */
    private void installSnapshot(long idx, byte[] encoded) {
        log.extendTo(idx);
        compactTo(idx);
        snapshotBytes = encoded;
    }

    @Override
    public void appendEntry(T entry) {
        guard.ensureUsable();
        LogBounds.requireEntry(entry, log.length());
        guard.write(() -> {
            log.append(LogRecord.PLAIN, entry);
            finishPlainAppend(1);
        });
    }

    @Override
    public void appendEntries(List<T> entries) {
        guard.ensureUsable();
        int n = LogBounds.requireEntries(entries);
        if (n == 0) {
            return;
        }
        guard.write(() -> {
            for (T e : entries) {
                log.append(LogRecord.PLAIN, e);
            }
            finishPlainAppend(n);
        });
    }

    private void finishPlainAppend(int n) {
        syncLog();
        if (commits.plainAppended(n)) {
            commitNow();
        }
    }

    @Override
    public void appendOnPrefix(long fromIdx, List<T> entries) {
        guard.ensureUsable();
        new LogBounds(compactedIdx, log.length()).requireInLog("appendOnPrefix fromIdx", fromIdx);
        LogBounds.requireEntries(entries);
        writeAtomically(List.of(new StorageOp.AppendOnPrefix<>(fromIdx, entries)));
    }

    @Override
    public void setPromise(Ballot ballot) {
        guard.ensureUsable();
        LogBounds.requireBallot("promise", ballot);
        guard.write(() -> {
            promise = ballot;
            commitNow();
        });
    }

    @Override
    public void setAcceptedRound(Ballot ballot) {
        guard.ensureUsable();
        LogBounds.requireBallot("acceptedRound", ballot);
        guard.write(() -> {
            acceptedRound = ballot;
            commitNow();
        });
    }

    @Override
    public void setDecidedIdx(long idx) {
        guard.ensureUsable();
        LogBounds.requireNonNegative("decidedIdx", idx);
        decidedIdx = idx;
        if (commits.decidedIdxChanged()) {
            guard.write(this::commitNow);
        }
    }

    @Override
    public void trim(long idx) {
        guard.ensureUsable();
        new LogBounds(compactedIdx, log.length()).requireInLog("trim idx", idx);
        guard.write(() -> {
            trimTo(idx);
            commitNow();
            log.deleteUnreferencedFiles(compactedIdx);
        });
    }

    @Override
    public void setCompactedIdx(long idx) {
        guard.ensureUsable();
        new LogBounds(compactedIdx, log.length()).requireInLog("compacted idx", idx);
        guard.write(() -> {
            compactTo(idx);
            commitNow();
            log.deleteUnreferencedFiles(compactedIdx);
        });
    }

    /** One commit: the snapshot, the compacted index and the dropped entries together. */
    @Override
    public void setSnapshot(long idx, T snapshot) {
        guard.ensureUsable();
        new LogBounds(compactedIdx, log.length()).requireSnapshot(idx, snapshot);
        byte[] encoded = SnapshotBytes.encode(config.codec(), idx, snapshot);
        guard.write(() -> {
            installSnapshot(idx, encoded);
            commitNow();
            log.deleteUnreferencedFiles(compactedIdx);
        });
    }

    /** Decodes the stored snapshot anew on every call, as entries are. */
    @Override
    public Optional<T> getSnapshot() {
        guard.ensureUsable();
        if (snapshotBytes == null) {
            return Optional.empty();
        }
        return Optional.of(SnapshotBytes.decode(config.codec(), snapshotBytes,
                "state file " + state.file() + ": the snapshot below log index " + compactedIdx));
    }

    /** One commit; the stop-sign is stored with {@link StopSignCodec} behind a checksum. */
    @Override
    public void setStopSign(StopSign newStopSign) {
        guard.ensureUsable();
        requireEncodable(newStopSign);
        guard.write(() -> {
            stopSign = newStopSign;
            commitNow();
        });
    }

    @Override
    public Optional<StopSign> getStopSign() {
        guard.ensureUsable();
        return Optional.ofNullable(stopSign);
    }

    /** Throws IllegalArgumentException unless {@code s} is null or within {@link StopSignCodec}'s limits. */
    private static void requireEncodable(StopSign s) {
        if (s != null) {
            StopSignCodec.encode(s);
        }
    }

    private void syncLog() {
        if (config.syncPolicy() == SyncPolicy.SYNC_EVERY_WRITE) {
            log.sync();
        }
    }

    /** One MapDB commit of the whole current state; every record it covers was synced before. */
    private void commitNow() {
        if (crashBeforeNextCommit) {
            throw new StorageException("simulated crash before a MapDB commit");
        }
        state.commit(new DurableState(promise, acceptedRound, decidedIdx, compactedIdx, log.length(),
                log.lastQueueIdx(), log.runsBytes(), snapshotBytes, stopSign));
        commits.committed();
    }

    // ---- reads ----

    @Override
    public List<T> getEntries(long from, long to) {
        guard.ensureUsable();
        new LogBounds(compactedIdx, log.length()).requireReadable(from, to);
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
        return promise;
    }

    @Override
    public Ballot getAcceptedRound() {
        guard.ensureUsable();
        return acceptedRound;
    }

    @Override
    public long getDecidedIdx() {
        guard.ensureUsable();
        return decidedIdx;
    }

    @Override
    public long getCompactedIdx() {
        guard.ensureUsable();
        return compactedIdx;
    }

    // ---- lifecycle ----

    /** Commits anything pending (plain appends not yet checkpointed, a lagging decided index) and closes the files. */
    @Override
    public void close() {
        if (!guard.close()) {
            return;
        }
        try {
            if (!guard.failed() && commits.hasPending()) {
                commitNow();
            }
        } finally {
            closeFiles();
        }
    }

    /**
     * Test hook: closes the files without committing anything pending, leaving on disk exactly what
     * a process killed now would leave (the queue's pages are in the OS page cache already).
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
        return "PersistentStorage[" + config.dir() + ", log=[" + compactedIdx + ", " + log.length() + "), runs="
                + log.runCount() + ", snapshot=" + (snapshotBytes == null ? "none" : snapshotBytes.length + " bytes")
                + ", stopSign=" + stopSign + "]";
    }
}
