package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * A snapshot in a file of its own next to the state files, {@code snapshot-<n>.bin}, where {@code n}
 * is the number of the state commit that first names it. Keeping megabytes out of MapDB spares every
 * snapshot a trip through MapDB's write-ahead log (written twice, then replayed), which held up
 * every other write behind it for 45-96 ms in the key-value benchmark.
 *
 * <p><b>Order.</b> {@link #write} writes and forces the file and then its folder, before the state
 * commit that names it; so a state never names a file that a crash can lose. A file that no state
 * names (a crash came between the two) is deleted on open ({@link #deleteAllBut}).
 *
 * <p><b>Format.</b> {@code magic "OPSN" (4 bytes) | length (8, big-endian) | CRC32C of the bytes (4)
 * | bytes}. The state stores the {@link Ref} (number, length and checksum) too, so {@link #read}
 * refuses a file that is damaged, cut short, or another snapshot than the one the state names.
 */
final class SnapshotFile {

    private static final int MAGIC = 0x4F50534E; // "OPSN"
    private static final int HEADER_BYTES = 16;
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".bin";
    /** The most bytes of a snapshot one write call is given (see {@link #write}). */
    private static final int WRITE_SLICE_BYTES = 1 << 20;

    private SnapshotFile() {}

    /**
     * What a state records of its snapshot file.
     *
     * @param number the number in the file's name
     * @param length the snapshot's length in bytes
     * @param crc the CRC32C of the snapshot's bytes
     */
    record Ref(long number, long length, int crc) {

        static final int BYTES = 20;

        String fileName() {
            return PREFIX + number + SUFFIX;
        }

        byte[] toBytes() {
            return ByteBuffer.allocate(BYTES).putLong(number).putLong(length).putInt(crc).array();
        }

        static Ref fromBytes(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            return new Ref(b.getLong(), b.getLong(), b.getInt());
        }
    }

    /** Whether {@code name} is the name of a snapshot file (for deleting a store). */
    static boolean isSnapshotFile(String name) {
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
    }

    /** Writes {@code bytes} to {@code dir} as snapshot file {@code number}, forced with its folder. */
    static Ref write(Path dir, long number, byte[] bytes) {
        Ref ref = new Ref(number, bytes.length, Checksums.crc32c(bytes, 0, bytes.length));
        Path file = dir.resolve(ref.fileName());
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putLong(bytes.length).putInt(ref.crc()).flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, header);
            // In slices: the JDK copies a heap buffer into a temporary direct buffer as large as what
            // one write is given, and keeps it for the thread (tens of MB of RSS for good).
            for (int from = 0; from < bytes.length; from += WRITE_SLICE_BYTES) {
                writeFully(ch, ByteBuffer.wrap(bytes, from, Math.min(WRITE_SLICE_BYTES, bytes.length - from)));
            }
            ch.force(true);
        } catch (IOException e) {
            throw new StorageException("cannot write snapshot file " + file + ": " + e, e);
        }
        FolderSync.force(dir);
        return ref;
    }

    private static void writeFully(FileChannel ch, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            ch.write(bytes);
        }
    }

    /** The bytes of the snapshot {@code ref} names, checked against it; a mismatch names the file. */
    static byte[] read(Path dir, Ref ref) {
        Path file = dir.resolve(ref.fileName());
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new StorageException("snapshot file " + file + " is missing (the state names it)", e);
        } catch (IOException e) {
            throw new StorageException("cannot read snapshot file " + file + ": " + e, e);
        }
        ByteBuffer b = ByteBuffer.wrap(all);
        if (all.length != HEADER_BYTES + ref.length() || b.getInt() != MAGIC || b.getLong() != ref.length()
                || b.getInt() != ref.crc()) {
            throw new StorageException("snapshot file " + file + " is damaged or cut short: " + all.length
                    + " bytes, expected a header and " + ref.length() + " bytes of CRC32C 0x" + Integer.toHexString(ref.crc()));
        }
        if (Checksums.crc32c(all, HEADER_BYTES, all.length - HEADER_BYTES) != ref.crc()) {
            throw new StorageException("snapshot file " + file + " (" + ref.length() + " bytes) is corrupt: checksum mismatch");
        }
        byte[] bytes = new byte[all.length - HEADER_BYTES];
        System.arraycopy(all, HEADER_BYTES, bytes, 0, bytes.length);
        return bytes;
    }

    /** Deletes the snapshot file {@code ref} names, if any. */
    static void delete(Path dir, Ref ref) {
        Path file = dir.resolve(ref.fileName());
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StorageException("cannot delete snapshot file " + file + ": " + e, e);
        }
    }

    /** Deletes every snapshot file in {@code dir} whose name is not in {@code keep}. */
    static void deleteAllBut(Path dir, Set<String> keep) {
        try {
            StoreFolder.deleteFiles(dir, name -> isSnapshotFile(name) && !keep.contains(name));
        } catch (IOException e) {
            throw new StorageException("cannot delete unused snapshot files in " + dir + ": " + e, e);
        }
    }
}
