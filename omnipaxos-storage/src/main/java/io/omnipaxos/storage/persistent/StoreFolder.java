package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The files of one store in its folder: {@value #STATE_FILE} (MapDB, with its write-ahead log next to
 * it) and the queue folder {@value #LOG_DIR}, which also holds the {@link CommitMark}. Opening refuses
 * a folder whose files contradict each other (log files without a state file, or with an empty one),
 * since it would look like an empty store and lose the log; deleting removes the state file last, so
 * an interrupted deletion is refused on open too. Creating the state file syncs the folder ({@link
 * FolderSync}), so its name survives a machine crash.
 */
final class StoreFolder {

    static final String STATE_FILE = "state.db";
    static final String LOG_DIR = "log";

    private StoreFolder() {}

    static Path logDir(Path dir) {
        return dir.resolve(LOG_DIR);
    }

    /**
     * Opens the state file of the store in {@code dir}, creating the folder and an empty state for a
     * new store.
     *
     * @throws StorageException if the folder cannot be created, the state file is corrupt, or it is
     *     missing or empty while log files exist
     */
    static StateStore openState(Path dir) {
        Path stateFile = dir.resolve(STATE_FILE);
        Path logDir = logDir(dir);
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
        StateStore state = StateStore.open(stateFile, !hasState, CommitMark.open(logDir));
        try {
            if (state.isBlank()) {
                if (hasLog) {
                    throw new StorageException("state file " + stateFile + " is empty but " + logDir + " holds log files");
                }
                state.commit(DurableState.empty());
            }
            if (!hasState) {
                FolderSync.force(dir); // the new state file's entry, before anything relies on it
            }
            return state;
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
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
}
