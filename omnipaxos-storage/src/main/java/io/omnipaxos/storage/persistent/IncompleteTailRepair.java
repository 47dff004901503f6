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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs, on open, what a killed process left incomplete: a whole cycle file it was creating
 * ({@link #discardHalfCreatedFiles}), and the bytes of a record it was writing ({@link #cover}),
 * once {@link TailCheck} has found where the complete records end.
 *
 * <p>This version of Chronicle leaves a record's 4-byte header zero while the record is written
 * and sets it when the record is closed; older ones set it to "not complete" first. Either way, a
 * process killed in between leaves a header that is not a complete one, with body bytes after it.
 * Readers stop there, but a new appender writes its record over part of those bytes and then
 * trips over the rest (the open after that fails). {@link #cover} rewrites the header as a
 * complete meta-data record spanning the torn bytes, up to the last non-zero byte: readers skip
 * meta-data, so the torn record disappears as if never written, which is what recovery does with
 * a torn last record anyway. The call that wrote it had not returned, so nothing acknowledged is
 * lost.
 */
final class IncompleteTailRepair {

    /** Chronicle header bits (net.openhft.chronicle.wire.Wires). */
    static final int NOT_COMPLETE = 0x8000_0000;
    static final int META_DATA = 0x4000_0000;
    static final int LENGTH_MASK = 0x3FFF_FFFF;
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

    /**
     * Turns the bytes from {@code pos} (a header that is not a complete one, or the first zero
     * header after the records) up to the last non-zero byte before {@code limit} into one skipped
     * meta-data record, and forces it to the disk. Writes nothing if they are all zero, unless
     * {@code always} (then an empty meta-data record, so that the header at {@code pos} is a
     * complete one).
     */
    static void cover(FileChannel ch, File file, long pos, long limit, boolean always) throws IOException {
        long bodyStart = pos + 4;
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
        if (lastNonZero < bodyStart && !always) {
            return; // the log ends cleanly
        }
        int length = (int) (align4(lastNonZero + 1) - bodyStart);
        ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, META_DATA | length);
        ch.write(header, pos);
        ch.force(false);
        LOG.warn("log file {}: the records end at byte {}, followed by what a crash or damage left there; "
                + "marked its {} byte(s) as skipped", file, pos, length);
    }

    private static long align4(long pos) {
        return (pos + 3) & ~3L;
    }
}
