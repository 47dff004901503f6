package io.omnipaxos.storage.persistent;

import static io.omnipaxos.storage.persistent.IncompleteTailRepair.LENGTH_MASK;
import static io.omnipaxos.storage.persistent.IncompleteTailRepair.NOT_COMPLETE;

import io.omnipaxos.storage.StorageException;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Walks, on open and before Chronicle reads or appends anything, the record headers at the end of
 * the newest cycle file, and makes sure Chronicle can follow them: every length read from the disk
 * is checked against {@link QueueLog#MAX_RECORD_BYTES} and the file's size before Chronicle (or
 * anyone) acts on it. Chronicle itself trusts every header: a garbage length makes its readers
 * allocate or map whatever it says, and its appender jump there.
 *
 * <p><b>Where the walk starts.</b> At a record Chronicle's index locates exactly (an index point, no
 * scan): the one at or before {@link #CHECKED_BEHIND} records before the covered record, if that
 * lies in the newest cycle; otherwise at the start of the file, all of whose records then belong to
 * the tail that opening replays anyway. So the walk costs about what the replay costs.
 *
 * <p><b>The rules.</b> The file's own header records where its last record starts (Chronicle's
 * {@code writePosition}, written after each record is complete; called W here).
 * <ul>
 *   <li>Before W every header must be complete, at most {@link QueueLog#MAX_RECORD_BYTES} long,
 *       inside the file, and the chain of headers must reach W exactly. Anything else is damage
 *       to records Chronicle had finished (and numbered): opening is refused, naming the file and
 *       the byte offset. No repair is attempted there, as records that Chronicle has numbered
 *       cannot be removed without renumbering the ones after them.</li>
 *   <li>From W on, the bytes are what the last writes left: a complete header is followed (its
 *       record may be torn; {@link TailReplay} decides); the first header that is zero,
 *       unfinished, or claims an impossible length ends the data, and every non-zero byte from it
 *       up to {@link #LOOK_AHEAD_BYTES} further is covered by one skipped meta-data record ({@link
 *       IncompleteTailRepair#cover}). Left there, Chronicle's next appender would write over part
 *       of them and trip over the rest, and the open after that would fail.</li>
 * </ul>
 * A process killed while writing (the page cache survives) leaves records before W complete: the
 * record being written has a zero header and whatever body bytes it got, which the second rule
 * covers. A crash of the machine may also lose pages Chronicle's header already points past; such
 * a store is refused under the first rule (before this check it opened and failed at the next
 * append or open).
 *
 * <p>Limits: only the newest cycle file is walked (older ones were synced whole before the newest
 * got its first record); records more than {@link #CHECKED_BEHIND} (plus up to one index spacing)
 * before the covered one are not walked; garbage more than {@link #LOOK_AHEAD_BYTES} past the end
 * of the data is not seen.
 */
final class TailCheck {

    /** Records before the covered one whose headers are walked, at least. */
    static final int CHECKED_BEHIND = 256;

    /** How far past the end of the data non-zero bytes are looked for: a header and the largest record. */
    static final int LOOK_AHEAD_BYTES = 4 + QueueLog.MAX_RECORD_BYTES;

    /** Bytes read from the file at a time. */
    private static final int WINDOW_BYTES = 64 << 10;

    private final FileChannel channel;
    private final File file;
    private final long lastRecordAt;
    private final long size;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private long windowAt = -1;

    private TailCheck(FileChannel channel, File file, long lastRecordAt) throws IOException {
        this.channel = channel;
        this.file = file;
        this.lastRecordAt = lastRecordAt;
        this.size = channel.size();
    }

    /**
     * Checks (and repairs, see the class comment) the newest cycle file of {@code queue}, which no
     * appender or tailer has touched yet.
     *
     * @param coveredQueueIdx the last queue index the committed state covers, -1 for none
     * @throws StorageException naming the file and the byte offset of the damage
     */
    static void run(SingleChronicleQueue queue, long coveredQueueIdx) {
        int cycle = queue.lastCycle();
        if (cycle == Integer.MIN_VALUE) {
            return; // no cycle file yet
        }
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return;
        }
        File file = store.file();
        long lastRecordAt;
        try {
            lastRecordAt = store.writePosition();
        } finally {
            queue.closeStore(store);
        }
        long start = startPosition(queue, cycle, coveredQueueIdx);
        try (FileChannel ch = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            new TailCheck(ch, file, lastRecordAt).walkFrom(start);
        } catch (IOException e) {
            throw new StorageException("cannot check the end of log file " + file + ": " + e, e);
        }
    }

    /**
     * The byte offset of the header of the index point at or before {@link #CHECKED_BEHIND} records
     * before {@code coveredQueueIdx}, when that lies in {@code cycle}; else 0, the start of the file.
     */
    private static long startPosition(SingleChronicleQueue queue, int cycle, long coveredQueueIdx) {
        RollCycle rollCycle = queue.rollCycle();
        if (coveredQueueIdx < 0 || rollCycle.toCycle(coveredQueueIdx) != cycle) {
            return 0;
        }
        long seq = Math.max(0, rollCycle.toSequenceNumber(coveredQueueIdx) - CHECKED_BEHIND);
        seq -= seq % queue.indexSpacing();
        ExcerptTailer tailer = queue.createTailer();
        try {
            if (!tailer.moveToIndex(rollCycle.toIndex(cycle, seq))) {
                return 0;
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                return dc.isPresent() ? dc.wire().bytes().readPosition() - 4 : 0;
            }
        } catch (RuntimeException e) {
            return 0; // the index does not lead there: walk the whole file, which finds out why
        } finally {
            tailer.close();
        }
    }

    /** Follows the headers from {@code start} to the end of the data; see the class comment. */
    private void walkFrom(long start) throws IOException {
        long at = start;
        for (long steps = 0; steps <= size / 4 + 1; steps++) {
            int header = intAt(at);
            int length = header & LENGTH_MASK;
            boolean complete = header != 0 && (header & NOT_COMPLETE) == 0;
            long next = align4(at + 4 + length);
            if (at < lastRecordAt) {
                requireFollowable(at, header, complete, next);
            } else if (!complete || length > QueueLog.MAX_RECORD_BYTES) {
                IncompleteTailRepair.cover(channel, file, at, Math.min(size, at + LOOK_AHEAD_BYTES),
                        at == lastRecordAt || header != 0);
                return;
            }
            at = next;
        }
        throw new StorageException("log file " + file + ": more record headers after byte " + start
                + " than fit in its " + size + " bytes; refusing to open");
    }

    /** Throws unless the header at {@code at}, before the last record, leads on towards it. */
    private void requireFollowable(long at, int header, boolean complete, long next) {
        int length = header & LENGTH_MASK;
        String problem;
        if (header == 0) {
            problem = "is zero (the records end there)";
        } else if (!complete) {
            problem = "marks an unfinished write";
        } else if (length > QueueLog.MAX_RECORD_BYTES) {
            problem = "claims " + length + " bytes, more than any record (" + QueueLog.MAX_RECORD_BYTES + ")";
        } else if (at + 4 + length > size) {
            problem = "claims " + length + " bytes, past the end of the file (" + size + " bytes)";
        } else if (next > lastRecordAt) {
            problem = "claims " + length + " bytes, which runs over the start of the last record";
        } else {
            return;
        }
        throw new StorageException(String.format("log file %s is damaged or cut short: the record header at byte %d"
                + " (0x%08x) %s, but the file's own header says its last record starts at byte %d; refusing to open",
                file, at, header, problem, lastRecordAt));
    }

    /** The little-endian int at {@code at}; 0 past the end of the file, which reads as zeros to Chronicle. */
    private int intAt(long at) throws IOException {
        if (at + 4 > size) {
            return 0;
        }
        if (windowAt < 0 || at < windowAt || at + 4 > windowAt + window.limit()) {
            window.clear();
            windowAt = at;
            while (window.hasRemaining() && channel.read(window, windowAt + window.position()) > 0) {
                // a read may return fewer bytes than asked
            }
            window.flip();
        }
        return window.getInt((int) (at - windowAt));
    }

    private static long align4(long pos) {
        return (pos + 3) & ~3L;
    }
}
