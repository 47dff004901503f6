package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The number of the newest state commit, copied into a small file in the log folder ({@value
 * #FILE_NAME}) so that a state file rolled back to an older copy (restored from a backup, say) is
 * refused: such a node could hold an older promise than it made, and vote twice.
 *
 * <p><b>Why it never refuses what a crash leaves.</b> Every {@link StateStore#commit} numbers its
 * commit one higher and writes the number into the state; only after MapDB's commit returned (it
 * is durable then) is the number written here. So after any crash this file holds at most the
 * state's number. A higher number here means the state file is older than a commit the store made.
 *
 * <p><b>What it costs and catches.</b> One 12-byte positional write per commit, never forced to
 * the disk: a rollback is caught once the OS wrote the mark back (at once if the machine did not
 * restart, as reads see the page cache; else within the OS's write-back delay, about 30 s on
 * Linux). A rollback of the state file and the whole log folder together cannot be caught here.
 *
 * <p><b>Format.</b> {@code number (8 bytes, big-endian) | CRC32C of it (4)}. A mark that is
 * missing (a store made before marks existed) reads as 0; one that is damaged reads as 0 with a
 * warning, and is rewritten by the next commit: a damaged mark can only cost the check, never
 * refuse a store.
 */
final class CommitMark implements AutoCloseable {

    static final String FILE_NAME = "commit.mark";
    private static final int BYTES = 12;
    private static final Logger LOG = LoggerFactory.getLogger(PersistentStorage.class);

    private final Path file;
    private final long found;
    private FileChannel channel;

    private CommitMark(Path file, long found) {
        this.file = file;
        this.found = found;
    }

    /** Reads the mark in {@code logDir} (0 if there is none yet). */
    static CommitMark open(Path logDir) {
        Path file = logDir.resolve(FILE_NAME);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new CommitMark(file, 0);
        } catch (IOException e) {
            throw new StorageException("cannot read commit mark " + file + ": " + e, e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length != BYTES || b.getInt(8) != crc(b.getLong(0))) {
            LOG.warn("commit mark {} is damaged ({} bytes); ignoring it, the next commit rewrites it", file, bytes.length);
            return new CommitMark(file, 0);
        }
        return new CommitMark(file, b.getLong(0));
    }

    /** The file. */
    Path file() {
        return file;
    }

    /** The number the mark held when opened. */
    long found() {
        return found;
    }

    /** Records that commit {@code number} is durable in the state file; not forced to the disk. */
    void record(long number) {
        try {
            if (channel == null) {
                Files.createDirectories(file.getParent());
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            ByteBuffer b = ByteBuffer.allocate(BYTES).putLong(0, number).putInt(8, crc(number));
            while (b.hasRemaining()) {
                channel.write(b, b.position());
            }
        } catch (IOException e) {
            throw new StorageException("cannot write commit mark " + file + ": " + e, e);
        }
    }

    private static int crc(long number) {
        return Checksums.crc32c(ByteBuffer.allocate(8).putLong(0, number).array(), 0, 8);
    }

    @Override
    public void close() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new StorageException("cannot close commit mark " + file + ": " + e, e);
        }
    }
}
