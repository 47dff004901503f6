package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs, on open, what a killed process left incomplete: the header of a record, or a whole
 * cycle file it was creating ({@link #discardHalfCreatedFiles}).
 *
 * <p>Chronicle starts a record by setting its 4-byte header to "not complete, length unknown" and
 * sets the real length when the record is closed. A process killed in between leaves that header
 * behind. Chronicle's readers stop at it for ever (it looks like a writer still at work), while a
 * new appender writes past it: every record appended after such a crash would be unreadable, and
 * the next open would fail. Before the appender is created, this finds the first header after the
 * last complete record of the last cycle file and, if it is incomplete, rewrites it as a complete
 * meta-data record covering the torn bytes (up to the last non-zero byte within
 * {@link #MAX_TORN_BYTES}); readers skip meta-data, so the torn record disappears as if never
 * written, which is what recovery does with a torn last record anyway. The call that wrote it had
 * not returned, so nothing acknowledged is lost.
 *
 * <p>Limits: only the last cycle file is examined, after its last complete data record (a crash
 * during the very first record of a new cycle file is not repaired and shows as before); only
 * data headers are repaired, never a meta-data header in progress (Chronicle's own index writes)
 * nor the end-of-data marker of a rolled file, which carry the same "not complete" bit; a torn
 * record longer than {@link #MAX_TORN_BYTES} is not covered whole and the next open reports it.
 */
final class IncompleteTailRepair {

    /** Chronicle header bits (net.openhft.chronicle.wire.Wires). */
    static final int NOT_COMPLETE = 0x8000_0000;
    static final int META_DATA = 0x4000_0000;
    static final int LENGTH_MASK = 0x3FFF_FFFF;
    /** How far past a torn header the torn bytes are looked for: a record's largest size, with room. */
    static final int MAX_TORN_BYTES = 32 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(PersistentStorage.class);

    private IncompleteTailRepair() {
    }

    /**
     * Deletes, before the queue in {@code dir} is opened, every cycle file whose first header (the
     * file's own metadata, written when Chronicle creates the file) is missing or incomplete: a
     * process killed while creating the file left it so. Records are written only after that
     * header is complete, so such a file holds none; Chronicle's readers would otherwise wait on
     * it for about a minute before giving up.
     */
    static void discardHalfCreatedFiles(Path dir) {
        for (File file : QueueLog.dataFiles(dir)) {
            if (isHalfCreated(file)) {
                try {
                    Files.delete(file.toPath());
                } catch (IOException e) {
                    throw new StorageException("cannot delete the half-created log file " + file + ": " + e, e);
                }
                LOG.warn("log file {} was being created when the process died; it holds no record; deleted", file);
            }
        }
    }

    private static boolean isHalfCreated(File file) {
        try (FileChannel ch = FileChannel.open(file.toPath(), StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (header.hasRemaining() && ch.read(header, header.position()) > 0) {
                // a 4-byte read from a regular file completes at once unless the file is shorter
            }
            return header.hasRemaining() || header.getInt(0) == 0 || (header.getInt(0) & NOT_COMPLETE) != 0;
        } catch (IOException e) {
            throw new StorageException("cannot read log file " + file + ": " + e, e);
        }
    }

    /** Finds and repairs an incomplete header after the last record of {@code queue}, if any. */
    static void run(SingleChronicleQueue queue) {
        long last = queue.lastIndex();
        if (last < 0) {
            return;
        }
        long end;
        File file;
        ExcerptTailer tailer = queue.createTailer();
        try {
            if (!tailer.moveToIndex(last)) {
                return;
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return;
                }
                end = dc.wire().bytes().readLimit();
                file = tailer.currentFile();
            }
        } finally {
            tailer.close();
        }
        if (file != null) {
            repairAfter(file, end);
        }
    }

    private static void repairAfter(File file, long end) {
        try (FileChannel ch = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = align4(end);
            ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (pos + 4 <= size) {
                header.clear();
                ch.read(header, pos);
                int h = header.getInt(0);
                if (h == 0) {
                    return; // free space: the log ends cleanly
                }
                if ((h & (NOT_COMPLETE | META_DATA)) == NOT_COMPLETE) {
                    coverTornRecord(ch, file, pos, size); // a data record whose writer died
                    return;
                }
                if ((h & NOT_COMPLETE) != 0) {
                    return; // END_OF_DATA (a rolled file's end) or meta-data in progress: not ours to touch
                }
                pos = align4(pos + 4 + (h & LENGTH_MASK)); // a complete record (e.g. index meta-data)
            }
        } catch (IOException e) {
            throw new StorageException("cannot repair log file " + file + ": " + e, e);
        }
    }

    private static void coverTornRecord(FileChannel ch, File file, long pos, long size) throws IOException {
        long bodyStart = pos + 4;
        long limit = Math.min(size, bodyStart + MAX_TORN_BYTES);
        long lastNonZero = bodyStart - 1;
        ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
        for (long at = bodyStart; at < limit; at += chunk.capacity()) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), limit - at));
            ch.read(chunk, at);
            for (int i = chunk.position() - 1; i >= 0; i--) {
                if (chunk.get(i) != 0) {
                    lastNonZero = at + i;
                    break;
                }
            }
        }
        int length = (int) (align4(lastNonZero + 1) - bodyStart);
        ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, META_DATA | length);
        ch.write(header, pos);
        ch.force(false);
        LOG.warn("log file {}: a record at byte {} was left incomplete by a crash; "
                + "marked its {} byte(s) as skipped", file, pos, length);
    }

    private static long align4(long pos) {
        return (pos + 3) & ~3L;
    }
}
