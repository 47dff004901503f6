package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The files of one store in its folder: the state files ({@link StateStore}: {@value
 * StateStore#FILE_A} and {@value StateStore#FILE_B}, MapDB, each with its write-ahead log next to
 * it, and the snapshot files), and the queue folder {@value #LOG_DIR}, which also holds the {@link
 * CommitMark}. Opening refuses a folder whose files contradict each other (log files without a
 * readable state file), since it would look like an empty store and lose the log; deleting removes
 * the state files last, so an interrupted deletion is refused on open too.
 */
final class StoreFolder {

    static final String LOG_DIR = "log";

    private StoreFolder() {}

    static Path logDir(Path dir) {
        return dir.resolve(LOG_DIR);
    }

    /**
     * Opens the state of the store in {@code dir}, creating the folder and an empty state for a new
     * store.
     *
     * @throws StorageException if the folder cannot be created, or no state file holds the newest
     *     commit, or none holds a state while log files exist
     */
    static StateStore openState(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create storage folder " + dir + ": " + e, e);
        }
        Path logDir = logDir(dir);
        return StateStore.open(dir, QueueLog.hasDataFiles(logDir), CommitMark.open(logDir));
    }

    /** See {@link PersistentStorage#deleteStore}. */
    static void delete(Path dir) {
        Path logDir = logDir(dir);
        try {
            if (Files.isDirectory(logDir)) {
                try (Stream<Path> files = Files.list(logDir)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(logDir);
            }
            deleteFiles(dir, SnapshotFile::isSnapshotFile);
            // The state files go last: until then an interrupted deletion is refused on open.
            deleteFiles(dir, name -> name.startsWith(StateStore.FILE_A) || name.startsWith(StateStore.FILE_B));
        } catch (NoSuchFileException e) {
            // nothing (left) to delete
        } catch (IOException e) {
            throw new StorageException("cannot delete the store in " + dir + ": " + e, e);
        }
    }

    /** Deletes every file in {@code dir} whose name {@code named} accepts. */
    static void deleteFiles(Path dir, Predicate<String> named) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> named.test(f.getFileName().toString())).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
