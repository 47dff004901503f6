package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import java.nio.file.Path;

/**
 * Whether a {@link PersistentStorage} may still be used. It may not once closed, nor once a write
 * failed: its in-memory state may then be ahead of the disk, so every later call throws until the
 * server reopens the store from the files. Thread-safe: in the asynchronous mode a failed sync on
 * another thread fails the store for the writer too.
 */
final class UseGuard {

    private final Path dir;
    private volatile boolean closed;
    private volatile StorageException failure;

    UseGuard(Path dir) {
        this.dir = dir;
    }

    /** Throws unless the store is open and no write has failed. */
    void ensureUsable() {
        if (closed) {
            throw new StorageException("PersistentStorage " + dir + " is closed");
        }
        ensureNotFailed();
    }

    /** Throws if a write (or a sync) failed, whether or not the store is closed. */
    void ensureNotFailed() {
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
            recordFailure(e);
            throw e;
        } catch (RuntimeException e) {
            StorageException wrapped = new StorageException("write to " + dir + " failed: " + e, e);
            recordFailure(wrapped);
            throw wrapped;
        }
    }

    /** Keeps the first failure: it says why the store stopped. */
    private synchronized void recordFailure(StorageException e) {
        if (failure == null) {
            failure = e;
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
