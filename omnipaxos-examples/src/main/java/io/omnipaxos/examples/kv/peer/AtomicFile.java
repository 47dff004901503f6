package io.omnipaxos.examples.kv.peer;

import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a small file of the node's data folder durably and atomically: a crash leaves the old
 * contents or the new ones, never a mix. Used for the incarnation files and the handover file.
 */
public final class AtomicFile {

    /**
     * The most bytes one write call is given: the JDK copies a heap buffer into a temporary direct
     * buffer as large as what one write is given, and keeps it for the thread (tens of MB of RSS for
     * good after a handover of a large state).
     */
    private static final int WRITE_SLICE_BYTES = 1 << 20;

    private AtomicFile() {}

    /**
     * Writes {@code parts} one after the other to a temporary file next to {@code file}, forces it,
     * renames it over {@code file} and forces the folder.
     *
     * @throws StorageException naming the file
     */
    public static void write(Path file, ByteBuffer... parts) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                for (ByteBuffer part : parts) {
                    writeInSlices(channel, part);
                }
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel folder = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                folder.force(true);
            }
        } catch (IOException e) {
            throw new StorageException("cannot write " + file + ": " + e, e);
        }
    }

    private static void writeInSlices(FileChannel channel, ByteBuffer bytes) throws IOException {
        int end = bytes.limit();
        while (bytes.position() < end) {
            bytes.limit(Math.min(end, bytes.position() + WRITE_SLICE_BYTES));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            bytes.limit(end);
        }
    }
}
