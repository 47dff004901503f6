package io.omnipaxos.storage.persistent;

import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.storage.StorageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The logical log on top of the append-only queue: which queue records hold which log indices
 * ({@link RunMap}), how long the log is, and the last queue record written. Writing appends a record
 * and points the next logical index at it; overwriting a suffix or compacting a prefix only moves the
 * run table, never the queue. Reading follows the run table and checks every record it returns
 * (present, intact, holding the index asked for, decodable).
 *
 * <p>What is committed is {@link PersistentStorage}'s business: this class changes memory and the
 * queue only, and its {@link #runsBytes()}, {@link #length()} and {@link #lastQueueIdx()} are what a
 * commit records.
 *
 * @param <T> the user's entry type
 */
final class LogicalLog<T> {

    /** Records read per step when the whole log is verified on open. */
    private static final int VERIFY_STEP = 65_536;

    /**
     * The last entries read back on open: the records written last are the ones a crash or a
     * failing disk most likely damaged, and reading them at open (at most this many reads) turns a
     * later read failure into a refusal to open. {@link TailCheck} walks their headers first.
     */
    static final int VERIFIED_LAST_ENTRIES = TailCheck.CHECKED_BEHIND;

    /** Bounds of {@link #recent}: ample for the entries appended but not yet read back under load. */
    static final int RECENT_ENTRIES = 16_384;

    static final long RECENT_BYTES = 16L << 20;

    private final QueueLog queue;
    private final RunMap runs;
    private final EntryCodec<T> codec;
    /** The last entries appended, read from memory instead of the queue. */
    private final RecentEntries<T> recent = new RecentEntries<>(RECENT_ENTRIES, RECENT_BYTES);
    /** One past the last logical index; every index in [compacted index, length) has a run. */
    private long length;
    /** The last queue index written or replayed (-1: none). */
    private long lastQueueIdx;

    private LogicalLog(QueueLog queue, RunMap runs, EntryCodec<T> codec, long length, long lastQueueIdx) {
        this.queue = queue;
        this.runs = runs;
        this.codec = codec;
        this.length = length;
        this.lastQueueIdx = lastQueueIdx;
    }

    /**
     * The log a committed state describes, with the records written after its last commit replayed
     * onto it ({@link TailReplay}).
     *
     * @throws StorageException if the state's run table is malformed (naming {@code stateFile}) or
     *     the tail is corrupt
     */
    static <T> LogicalLog<T> recover(QueueLog queue, DurableState committed, EntryCodec<T> codec, Object stateFile) {
        RunMap runs;
        try {
            runs = RunMap.fromBytes(committed.runs());
        } catch (IllegalArgumentException e) {
            throw new StorageException("state file " + stateFile + ": bad run table: " + e.getMessage(), e);
        }
        TailReplay.Result r = TailReplay.replay(queue, runs, committed.logLength(), committed.coveredQueueIdx(),
                stateFile);
        return new LogicalLog<>(queue, runs, codec, r.logLength(), r.lastQueueIdx());
    }

    long length() {
        return length;
    }

    long lastQueueIdx() {
        return lastQueueIdx;
    }

    int runCount() {
        return runs.size();
    }

    byte[] runsBytes() {
        return runs.toBytes();
    }

    /** Appends {@code entry} as a record of {@code kind} holding the next logical index. */
    void append(byte kind, T entry) {
        int size = codec.encodedSize(entry);
        long q = queue.append(kind, length, codec, entry, size);
        recent.appended(length, entry, size);
        runs.extend(length++, q);
        lastQueueIdx = q;
    }

    /** Forgets the logical indices from {@code fromIdx} on; the next append holds {@code fromIdx}. */
    void truncate(long fromIdx) {
        runs.truncate(fromIdx);
        recent.truncate(fromIdx);
        length = fromIdx;
    }

    /** Forgets the logical indices below {@code idx}; beyond the log end, nothing is retained. */
    void dropBelow(long idx) {
        if (idx >= length) {
            runs.clear(); // nothing retained: no run may pretend to hold the next index
        } else {
            runs.dropBelow(idx);
        }
        recent.dropBelow(idx);
    }

    /** Makes the log at least {@code idx} long (a snapshot beyond the end: the next record holds idx). */
    void extendTo(long idx) {
        length = Math.max(length, idx);
    }

    /** Forces the queue's written pages to disk. */
    void sync() {
        queue.sync();
    }

    /** What forcing the records written so far takes ({@link QueueLog#takeUnsynced}). */
    QueueLog.Unsynced takeUnsynced() {
        return queue.takeUnsynced();
    }

    /**
     * Deletes the queue's cycle files that lie wholly below the oldest record a committed state still
     * needs ({@link QueueLog#deleteFilesBefore}); call right after a commit (so {@link #lastQueueIdx()}
     * is the committed covered index) and on open.
     *
     * <p>The oldest record kept is the lower of the first retained entry's record and the covered
     * record (opening replays from the covered record, so it must exist). Deleting only ever follows
     * the commit that made the files unreferenced: a crash before the commit leaves the old state,
     * whose files are all there; a crash after it leaves files no committed state needs, which the
     * next open deletes. A file holds five minutes of log ({@link QueueLog}; one day in stores
     * created before), so disk use is bounded by the retained log plus at most the rest of the oldest
     * retained record's five minutes.
     */
    void deleteUnreferencedFiles(long compactedIdx) {
        deleteFilesBefore(oldestNeededQueueIdx(compactedIdx));
    }

    /**
     * The oldest queue record a state committed now would need (-1: none): the lower of the first
     * retained entry's record and {@link #lastQueueIdx()}. It never decreases: records are only
     * added above the last one, and runs only dropped.
     */
    long oldestNeededQueueIdx(long compactedIdx) {
        long keep = lastQueueIdx; // opening replays from the covered record: it must stay
        if (length > compactedIdx) {
            keep = Math.min(keep, runs.lowestQueueIndexFrom(compactedIdx));
        }
        return keep;
    }

    /**
     * Deletes the cycle files wholly below {@code keepQueueIdx}, the oldest record that the committed
     * state and this one need ({@link QueueLog#deleteFilesBefore}); nothing for -1.
     */
    void deleteFilesBefore(long keepQueueIdx) {
        if (keepQueueIdx >= 0) {
            queue.deleteFilesBefore(keepQueueIdx);
        }
    }

    /**
     * As {@link #deleteFilesBefore}, but leaves the deleting to the caller, on any thread ({@link
     * QueueLog#releaseFilesBefore}); returns the files to delete.
     */
    List<Path> releaseFilesBefore(long keepQueueIdx) {
        return keepQueueIdx < 0 ? List.of() : queue.releaseFilesBefore(keepQueueIdx);
    }

    /** After released files were deleted: see {@link QueueLog#refreshListing}. */
    void refreshListing() {
        queue.refreshListing();
    }

    /** The queue's folder. */
    Path dir() {
        return queue.dir();
    }

    /**
     * Checks on open that the first and the last {@link #VERIFIED_LAST_ENTRIES} retained entries
     * (or, with {@code wholeLog}, all of them) read back, and that a non-empty log has a run table.
     *
     * @throws StorageException naming {@code stateFile} or the record's file and index
     */
    void verify(long compactedIdx, boolean wholeLog, Object stateFile) {
        if (length <= compactedIdx) {
            return;
        }
        if (runs.size() == 0) {
            throw new StorageException("state file " + stateFile + " says the log holds [" + compactedIdx
                    + ", " + length + ") but has no run table");
        }
        readQueue(compactedIdx, compactedIdx + 1, new ArrayList<>());
        readQueue(Math.max(compactedIdx, length - VERIFIED_LAST_ENTRIES), length, new ArrayList<>());
        if (wholeLog) {
            for (long from = compactedIdx; from < length; from += VERIFY_STEP) {
                readQueue(from, Math.min(length, from + VERIFY_STEP), new ArrayList<>());
            }
        }
    }

    /**
     * The entries at {@code [from, to)}, which the caller has checked lie in the retained log: from
     * memory if they were appended last ({@link RecentEntries}), else read from the queue.
     */
    List<T> read(long from, long to) {
        List<T> out = new ArrayList<>((int) Math.min(to - from, 1 << 20));
        if (recent.covers(from, to)) {
            recent.copy(from, to, out);
            return out;
        }
        return readQueue(from, to, out);
    }

    /** As {@link #read}, from the queue, checking every record; adds to {@code out}. */
    private List<T> readQueue(long from, long to, List<T> out) {
        long idx = from;
        while (idx < to) {
            long q = runs.queueIndexOf(idx);
            long end = Math.min(to, runs.runEndAfter(idx));
            if (!queue.seek(q)) {
                throw new StorageException("log file " + queue.fileOf(q) + ": log index " + idx
                        + " should be at queue index 0x" + Long.toHexString(q) + " but there is no such record"
                        + " (file missing or cut short?)");
            }
            for (; idx < end; idx++, q++) {
                out.add(decode(queue.next(), idx, q));
            }
        }
        return out;
    }

    private T decode(LogRecord r, long idx, long q) {
        if (r == null || r.queueIndex() != q) {
            throw new StorageException(where(r, idx, q) + ": record missing" + (r == null ? ""
                    : ", found queue index 0x" + Long.toHexString(r.queueIndex())));
        }
        if (!r.intact()) {
            throw new StorageException(where(r, idx, q) + ": record is corrupt (checksum mismatch)");
        }
        if (r.logicalIdx() != idx) {
            throw new StorageException(where(r, idx, q) + ": record holds log index " + r.logicalIdx());
        }
        try {
            return codec.decode(r.payload());
        } catch (DecodeException e) {
            throw new StorageException(where(r, idx, q) + ": cannot decode the entry: " + e.getMessage(), e);
        }
    }

    /** Where record {@code r} (null: none found) for log index {@code idx} is, for an error message only. */
    private String where(LogRecord r, long idx, long q) {
        return (r == null ? "log file " + queue.readerFileOrDir() : queue.lastReadPlace()) + ", log index " + idx
                + " (queue index 0x" + Long.toHexString(q) + ")";
    }

    void close() {
        queue.close();
    }
}
