package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import java.nio.file.Path;

/**
 * Whether a {@link PersistentStorage} may still be used. It may not once closed, nor once a write
 * failed: its in-memory state may then be ahead of the disk, so every later call throws until the
 * server reopens the store from the files.
 */
final class UseGuard {

    private final Path dir;
    private boolean closed;
    private StorageException failure;

    UseGuard(Path dir) {
        this.dir = dir;
    }

    /** Throws unless the store is open and no write has failed. */
    void ensureUsable() {
        if (closed) {
            throw new StorageException("PersistentStorage " + dir + " is closed");
        }
        if (failure != null) {
            throw new StorageException("PersistentStorage " + dir + " failed earlier and must be reopened: "
                    + failure.getMessage(), failure);
        }
    }

    /** Runs {@code write}; any exception it throws fails the store and is rethrown as a StorageException. */
    void write(Runnable write) {
        try {
            write.run();
        } catch (StorageException e) {
            failure = e;
            throw e;
        } catch (RuntimeException e) {
            failure = new StorageException("write to " + dir + " failed: " + e, e);
            throw failure;
        }
    }

    /** Marks the store closed; returns false if it already was. */
    boolean close() {
        boolean wasOpen = !closed;
        closed = true;
        return wasOpen;
    }

    boolean failed() {
        return failure != null;
    }
}
