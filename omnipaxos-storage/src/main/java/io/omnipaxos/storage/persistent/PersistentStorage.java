package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.StorageOp;
import io.omnipaxos.storage.support.LogBounds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.TimeProvider;

/**
 * A {@link Storage} on disk: log records in a Chronicle queue, the small state in MapDB.
 *
 * <p><b>Files.</b> In the configured folder: {@code log/} holds the Chronicle queue ({@link
 * QueueLog}), {@code state.db} (and MapDB's write-ahead log next to it) holds the promise, accepted
 * round, decided index, compacted index, the logical log length, the <i>covered queue index</i> (the
 * last queue record the state accounts for), the <i>run table</i> ({@link RunMap}: which queue
 * indices hold which logical indices), and, when there are any, the snapshot (encoded with the entry
 * codec) and the stop-sign, each behind a CRC32C ({@link StateStore}). The snapshot is committed in
 * the same MapDB commit as the compacted index it covers, so a crash never separates them.
 *
 * <p><b>Records.</b> A Chronicle queue cannot be truncated, so the queue is append-only and the
 * logical log is defined by the state: every record carries its logical index, its kind and a
 * CRC32C ({@link LogRecord}). Overwriting a suffix ({@code appendOnPrefix}) appends new records and
 * points the run table at them; the old records stay in the queue, unreferenced. A {@code
 * setSnapshot} beyond the log end empties the run table and sets the length to its index, so the
 * next record written holds that logical index.
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
 * <p><b>Opening.</b> First a Chronicle record header that a killed process left "not complete" is
 * turned into a skipped meta-data record ({@link IncompleteTailRepair}); otherwise readers would stop
 * at it for ever while new records went past it. Then load the committed state and replay the records after the covered queue
 * index ({@link TailReplay}): a plain record whose logical index equals the current length is
 * adopted (it was acknowledged by a plain append that did not need a commit); the first batch
 * record is part of a batch whose commit never happened, so it and everything after it are
 * ignored; a record that fails its checksum is a torn write if it is the last record (dropped) and
 * corruption otherwise ({@link StorageException} naming the file and the index). If the tail was not
 * empty, one commit moves the covered index past it, so later appends are never mixed up with it.
 * Then the first and last retained entries are read back and checked. Opening never reads the
 * whole log (unless {@link PersistentStorageConfig#verifyWholeLogOnOpen} asks); other records are
 * checked whenever they are read.
 *
 * <p><b>Why a crash between any two writes opens correctly.</b> MapDB commits are atomic, so the
 * state is always some committed state, and every committed state refers only to records that
 * were synced before the commit. A crash during or after writing plain records leaves a prefix of
 * them readable (Chronicle stops at the first incomplete header; a record torn by the OS is the last
 * one visible and fails its checksum), and adopting a prefix of an unacknowledged append is what a
 * crash in the middle of that call may do. A crash after writing batch records but before their
 * commit leaves records that replay ignores: the batch is all or nothing. A crash after the commit
 * finds them covered. A crash during the open-time commit just replays the same tail again.
 *
 * <p><b>Deleting old log files.</b> After every commit that may move the oldest record still
 * referenced (trim, snapshot, compaction, a batch) and on open, the queue's cycle files that lie
 * wholly below that record are deleted ({@link QueueLog#deleteFilesBefore}). The oldest record
 * kept is the lower of the first retained entry's record and the covered record (opening replays
 * from the covered record, so it must exist). Deleting only ever follows the commit that made the
 * files unreferenced: a crash before the commit leaves the old state, whose files are all there; a
 * crash after it leaves files no committed state needs, which the next open deletes. A file holds
 * five minutes of log ({@link QueueLog}; one day in stores created before), so disk use is bounded
 * by the retained log plus at most the rest of the oldest retained record's five minutes.
 *
 * <p><b>Failures.</b> Any I/O or codec failure while writing throws {@link StorageException} and
 * leaves this object failed (every later call throws): in-memory state may be ahead of the disk,
 * so the server must reopen. Invalid arguments throw {@link IllegalArgumentException} and change
 * nothing. A missing {@code state.db} next to existing log files, or a corrupt one, refuses to open.
 *
 * <p>Not thread-safe: one thread at a time, as the SPI says.
 *
 * @param <T> the user's entry type
 */
public final class PersistentStorage<T> implements Storage<T> {

    static final String STATE_FILE = "state.db";
    static final String LOG_DIR = "log";

    private final PersistentStorageConfig<T> config;
    private final EntryCodec<T> codec;
    private final QueueLog log;
    private final StateStore state;
    private final RunMap runs;
    private final long decidedFlushNanos;

    private Ballot promise;
    private Ballot acceptedRound;
    private long decidedIdx;
    private long compactedIdx;
    private long logLength;
    private long lastQueueIdx;
    /** The entry codec's bytes of the snapshot of {@code [0, compactedIdx)}, or null; never changed in place. */
    private byte[] snapshotBytes;
    /** The stop-sign at slot {@code logLength}, or null. */
    private StopSign stopSign;
    private long uncommittedPlain;
    private boolean decidedDirty;
    private long lastCommitNanos = System.nanoTime();
    private boolean closed;
    private StorageException failure;
    /** Test hook: the next commit fails before touching MapDB, as if the process died just then. */
    boolean crashBeforeNextCommit;

    private PersistentStorage(PersistentStorageConfig<T> config, StateStore state, QueueLog log, DurableState s) {
        this.config = config;
        this.codec = config.codec();
        this.state = state;
        this.log = log;
        this.decidedFlushNanos = config.decidedIdxFlushInterval().toNanos();
        this.promise = s.promise();
        this.acceptedRound = s.acceptedRound();
        this.decidedIdx = s.decidedIdx();
        this.compactedIdx = s.compactedIdx();
        this.snapshotBytes = s.snapshot();
        this.stopSign = s.stopSign();
        try {
            this.runs = RunMap.fromBytes(s.runs());
        } catch (IllegalArgumentException e) {
            throw new StorageException("state file " + state.file() + ": bad run table: " + e.getMessage(), e);
        }
        TailReplay.Result r = TailReplay.replay(log, runs, s.logLength(), s.coveredQueueIdx());
        this.logLength = r.logLength();
        this.lastQueueIdx = r.lastQueueIdx();
        if (lastQueueIdx != s.coveredQueueIdx()) {
            commitNow();
        }
        verifyOnOpen();
        deleteUnreferencedFiles(); // finishes a deletion that a crash interrupted
    }

    /**
     * Opens the store in {@code config.dir()}, creating it if the folder holds none.
     *
     * @throws StorageException if the files cannot be opened, are corrupt, or the state file is
     *     missing while log files exist
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
        Path logDir = dir.resolve(LOG_DIR);
        try {
            if (Files.isDirectory(logDir)) {
                try (Stream<Path> files = Files.list(logDir)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(logDir);
            }
            // The state file goes last: until then an interrupted deletion is refused on open.
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith(STATE_FILE)).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (NoSuchFileException e) {
            // nothing (left) to delete
        } catch (IOException e) {
            throw new StorageException("cannot delete the store in " + dir + ": " + e, e);
        }
    }

    /**
     * Test hook: as {@link #open(PersistentStorageConfig)}, with the clock that decides the queue's
     * roll cycles ({@code null}: the system clock), so tests can fill several log files at once.
     */
    static <T> PersistentStorage<T> open(PersistentStorageConfig<T> config, TimeProvider clock) {
        if (config == null || config.codec() == null) {
            throw new IllegalArgumentException("config and its codec must be set, got " + config);
        }
        Path dir = config.dir();
        Path stateFile = dir.resolve(STATE_FILE);
        Path logDir = dir.resolve(LOG_DIR);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create storage folder " + dir + ": " + e, e);
        }
        boolean hasLog = QueueLog.hasDataFiles(logDir);
        boolean hasState = Files.exists(stateFile);
        if (!hasState && hasLog) {
            throw new StorageException("state file " + stateFile + " is missing but " + logDir
                    + " holds log files; refusing to open (it would look like an empty store)");
        }
        StateStore st = StateStore.open(stateFile, !hasState);
        try {
            if (st.isBlank()) {
                if (hasLog) {
                    throw new StorageException("state file " + stateFile + " is empty but " + logDir + " holds log files");
                }
                st.commit(DurableState.empty());
            }
            DurableState s = st.load();
            QueueLog q = QueueLog.open(logDir, clock);
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

    private void verifyOnOpen() {
        if (logLength > compactedIdx) {
            if (runs.size() == 0) {
                throw new StorageException("state file " + state.file() + " says the log holds [" + compactedIdx
                        + ", " + logLength + ") but has no run table");
            }
            readRange(compactedIdx, compactedIdx + 1);
            readRange(logLength - 1, logLength);
        }
        if (config.verifyWholeLogOnOpen()) {
            for (long from = compactedIdx; from < logLength; from += 65_536) {
                readRange(from, Math.min(logLength, from + 65_536));
            }
        }
    }

    // ---- writes ----

    @Override
    public void writeAtomically(List<StorageOp<T>> ops) {
        ensureUsable();
        LogBounds.checkBatch(ops, compactedIdx, logLength);
        byte[][] snapshots = encodeSnapshotsAndCheckStopSigns(ops);
        guarded(() -> {
            boolean wroteRecords = false;
            for (int i = 0; i < ops.size(); i++) {
                wroteRecords |= apply(ops.get(i), snapshots[i]);
            }
            if (wroteRecords) {
                syncLog();
            }
            commitNow();
            deleteUnreferencedFiles();
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
                snapshots[i] = SnapshotBytes.encode(codec, snap.idx(), snap.snapshot());
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
            writeRecord(LogRecord.BATCH, a.entry());
            return true;
        } else if (op instanceof StorageOp.AppendEntries<T> a) {
            a.entries().forEach(e -> writeRecord(LogRecord.BATCH, e));
            return !a.entries().isEmpty();
        } else if (op instanceof StorageOp.AppendOnPrefix<T> a) {
            runs.truncate(a.fromIdx());
            logLength = a.fromIdx();
            a.entries().forEach(e -> writeRecord(LogRecord.BATCH, e));
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

    private void writeRecord(byte kind, T entry) {
        long q = log.append(kind, logLength, codec, entry);
        runs.extend(logLength++, q);
        lastQueueIdx = q;
    }

    private void compactTo(long idx) {
        compactedIdx = idx;
        if (idx >= logLength) {
            runs.clear(); // nothing retained: no run may pretend to hold the next index
        } else {
            runs.dropBelow(idx);
        }
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
        logLength = Math.max(logLength, idx);
        compactTo(idx);
        snapshotBytes = encoded;
    }

    @Override
    public void appendEntry(T entry) {
        ensureUsable();
        LogBounds.requireEntry(entry, logLength);
        guarded(() -> {
            writeRecord(LogRecord.PLAIN, entry);
            finishPlainAppend(1);
        });
    }

    @Override
    public void appendEntries(List<T> entries) {
        ensureUsable();
        int n = LogBounds.requireEntries(entries);
        if (n == 0) {
            return;
        }
        guarded(() -> {
            for (T e : entries) {
                writeRecord(LogRecord.PLAIN, e);
            }
            finishPlainAppend(n);
        });
    }

    private void finishPlainAppend(int n) {
        syncLog();
        uncommittedPlain += n;
        if (uncommittedPlain >= config.checkpointEvery() || decidedFlushDue()) {
            commitNow();
        }
    }

    @Override
    public void appendOnPrefix(long fromIdx, List<T> entries) {
        ensureUsable();
        new LogBounds(compactedIdx, logLength).requireInLog("appendOnPrefix fromIdx", fromIdx);
        LogBounds.requireEntries(entries);
        writeAtomically(List.of(new StorageOp.AppendOnPrefix<>(fromIdx, entries)));
    }

    @Override
    public void setPromise(Ballot ballot) {
        ensureUsable();
        requireBallot("promise", ballot);
        guarded(() -> {
            promise = ballot;
            commitNow();
        });
    }

    @Override
    public void setAcceptedRound(Ballot ballot) {
        ensureUsable();
        requireBallot("acceptedRound", ballot);
        guarded(() -> {
            acceptedRound = ballot;
            commitNow();
        });
    }

    @Override
    public void setDecidedIdx(long idx) {
        ensureUsable();
        LogBounds.requireNonNegative("decidedIdx", idx);
        decidedIdx = idx;
        decidedDirty = true;
        if (decidedFlushDue()) {
            guarded(this::commitNow);
        }
    }

    @Override
    public void trim(long idx) {
        ensureUsable();
        new LogBounds(compactedIdx, logLength).requireInLog("trim idx", idx);
        guarded(() -> {
            trimTo(idx);
            commitNow();
            deleteUnreferencedFiles();
        });
    }

    @Override
    public void setCompactedIdx(long idx) {
        ensureUsable();
        new LogBounds(compactedIdx, logLength).requireInLog("compacted idx", idx);
        guarded(() -> {
            compactTo(idx);
            commitNow();
            deleteUnreferencedFiles();
        });
    }

    /** One commit: the snapshot, the compacted index and the dropped entries together. */
    @Override
    public void setSnapshot(long idx, T snapshot) {
        ensureUsable();
        new LogBounds(compactedIdx, logLength).requireSnapshot(idx, snapshot);
        byte[] encoded = SnapshotBytes.encode(codec, idx, snapshot);
        guarded(() -> {
            installSnapshot(idx, encoded);
            commitNow();
            deleteUnreferencedFiles();
        });
    }

    /** Decodes the stored snapshot anew on every call, as entries are. */
    @Override
    public Optional<T> getSnapshot() {
        ensureUsable();
        if (snapshotBytes == null) {
            return Optional.empty();
        }
        return Optional.of(SnapshotBytes.decode(codec, snapshotBytes,
                "state file " + state.file() + ": the snapshot below log index " + compactedIdx));
    }

    /** One commit; the stop-sign is stored with {@link StopSignCodec} behind a checksum. */
    @Override
    public void setStopSign(StopSign newStopSign) {
        ensureUsable();
        requireEncodable(newStopSign);
        guarded(() -> {
            stopSign = newStopSign;
            commitNow();
        });
    }

    @Override
    public Optional<StopSign> getStopSign() {
        ensureUsable();
        return Optional.ofNullable(stopSign);
    }

    /** Throws IllegalArgumentException unless {@code s} is null or within {@link StopSignCodec}'s limits. */
    private static void requireEncodable(StopSign s) {
        if (s != null) {
            StopSignCodec.encode(s);
        }
    }

    /**
     * Deletes the queue files below the oldest record a committed state still needs; call right
     * after a commit (so {@code lastQueueIdx} is the committed covered index).
     */
    private void deleteUnreferencedFiles() {
        long keep = lastQueueIdx; // opening replays from the covered record: it must stay
        if (logLength > compactedIdx) {
            keep = Math.min(keep, runs.lowestQueueIndexFrom(compactedIdx));
        }
        if (keep >= 0) {
            log.deleteFilesBefore(keep);
        }
    }

    private boolean decidedFlushDue() {
        return decidedDirty && System.nanoTime() - lastCommitNanos >= decidedFlushNanos;
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
        state.commit(new DurableState(promise, acceptedRound, decidedIdx, compactedIdx, logLength, lastQueueIdx,
                runs.toBytes(), snapshotBytes, stopSign));
        uncommittedPlain = 0;
        decidedDirty = false;
        lastCommitNanos = System.nanoTime();
    }

    // ---- reads ----

    @Override
    public List<T> getEntries(long from, long to) {
        ensureUsable();
        new LogBounds(compactedIdx, logLength).requireReadable(from, to);
        return Collections.unmodifiableList(readRange(from, to));
    }

    private List<T> readRange(long from, long to) {
        List<T> out = new ArrayList<>((int) Math.min(to - from, 1 << 20));
        long idx = from;
        while (idx < to) {
            long q = runs.queueIndexOf(idx);
            long end = Math.min(to, runs.runEndAfter(idx));
            if (!log.seek(q)) {
                throw new StorageException("log " + log.dir() + ": log index " + idx + " should be at queue index 0x"
                        + Long.toHexString(q) + " but the queue has no such record (missing log file?)");
            }
            for (; idx < end; idx++, q++) {
                out.add(decode(log.next(), idx, q));
            }
        }
        return out;
    }

    private T decode(LogRecord r, long idx, long q) {
        String where = "log file " + log.readerFileOrDir() + ", log index " + idx + " (queue index 0x"
                + Long.toHexString(q) + ")";
        if (r == null || r.queueIndex() != q) {
            throw new StorageException(where + ": record missing" + (r == null ? "" : ", found queue index 0x"
                    + Long.toHexString(r.queueIndex())));
        }
        if (!r.intact()) {
            throw new StorageException(where + ": record is corrupt (checksum mismatch)");
        }
        if (r.logicalIdx() != idx) {
            throw new StorageException(where + ": record holds log index " + r.logicalIdx());
        }
        try {
            return codec.decode(r.payload());
        } catch (DecodeException e) {
            throw new StorageException(where + ": cannot decode the entry: " + e.getMessage(), e);
        }
    }

    @Override
    public long getLogLength() {
        ensureUsable();
        return logLength;
    }

    @Override
    public Ballot getPromise() {
        ensureUsable();
        return promise;
    }

    @Override
    public Ballot getAcceptedRound() {
        ensureUsable();
        return acceptedRound;
    }

    @Override
    public long getDecidedIdx() {
        ensureUsable();
        return decidedIdx;
    }

    @Override
    public long getCompactedIdx() {
        ensureUsable();
        return compactedIdx;
    }

    // ---- lifecycle ----

    /** Commits anything pending (plain appends not yet checkpointed, a lagging decided index) and closes the files. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (failure == null && (uncommittedPlain > 0 || decidedDirty)) {
                commitNow();
            }
        } finally {
            try {
                log.close();
            } finally {
                state.close();
            }
        }
    }

    /**
     * Test hook: closes the files without committing anything pending, leaving on disk exactly what
     * a process killed now would leave (the queue's pages are in the OS page cache already).
     */
    void crashForTests() {
        closed = true;
        try {
            log.close();
        } finally {
            state.close();
        }
    }

    private void guarded(Runnable write) {
        try {
            write.run();
        } catch (StorageException e) {
            failure = e;
            throw e;
        } catch (RuntimeException e) {
            failure = new StorageException("write to " + config.dir() + " failed: " + e, e);
            throw failure;
        }
    }

    private void ensureUsable() {
        if (closed) {
            throw new StorageException("PersistentStorage " + config.dir() + " is closed");
        }
        if (failure != null) {
            throw new StorageException("PersistentStorage " + config.dir() + " failed earlier and must be reopened: "
                    + failure.getMessage(), failure);
        }
    }

    private static void requireBallot(String what, Ballot b) {
        if (b == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
    }

    @Override
    public String toString() {
        return "PersistentStorage[" + config.dir() + ", log=[" + compactedIdx + ", " + logLength + "), runs="
                + runs.size() + ", snapshot=" + (snapshotBytes == null ? "none" : snapshotBytes.length + " bytes")
                + ", stopSign=" + stopSign + "]";
    }
}
