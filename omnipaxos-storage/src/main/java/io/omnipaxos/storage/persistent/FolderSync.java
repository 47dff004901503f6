package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forces a folder's entries (the names of the files in it) to the disk. Syncing a file writes its
 * data, not the entry that names it: after a machine crash, a file created since the folder was
 * last synced may be gone with everything written to it, although each write to it was synced. So
 * every folder in which the store creates a file is synced before anything written to that file is
 * acknowledged: the store folder when a state file or snapshot file is created ({@link
 * StateStore}, {@link SnapshotFile}), the queue folder and its parent when the queue is opened, and
 * the queue folder again for each new cycle file ({@link QueueLog#sync}).
 *
 * <p>Opening a folder read-only and calling {@code force} is what {@code fsync(dirfd)} is in Java;
 * it works on Linux and macOS. Where the platform refuses to open a folder as a channel (Windows),
 * there is nothing to sync: such file systems make entries durable with the file.
 */
final class FolderSync {

    /** Test hook: how many folders were forced in this JVM, so tests can see that it happens. */
    static final AtomicLong FORCED = new AtomicLong();

    private FolderSync() {
    }

    /**
     * Forces {@code dir}'s entries to the disk.
     *
     * @throws StorageException naming the folder if the sync fails
     */
    static void force(Path dir) {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            if (System.getProperty("os.name", "").startsWith("Windows")) {
                return; // folders cannot be opened as channels there, nor need to be synced
            }
            throw new StorageException("cannot open folder " + dir + " to sync it: " + e, e);
        }
        try (ch) {
            ch.force(true);
            FORCED.incrementAndGet();
        } catch (IOException e) {
            throw new StorageException("cannot sync folder " + dir + " (the names of its files): " + e, e);
        }
    }
}
