package io.omnipaxos.examples.kv.peer;

import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.persistent.PersistentStorage;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that makes an asynchronous storage's writes durable, so that the node's event loop
 * never waits for an fsync. The event loop tells it how many writes the server has issued ({@link
 * #writesIssued}, after every core call); whenever that count has grown past what was reported, the
 * thread calls the storage's {@code sync()} (one fsync, and a MapDB commit if a write needs one, for
 * every write made before it: group commit) and hands the durable count to {@code onDurable}, which
 * posts {@code OmniPaxos.persisted(n)} to the event loop. While one sync runs, the writes that
 * arrive wait for the next: so the thread syncs as often as the disk allows, and each sync covers
 * more writes as the load grows.
 *
 * <p>Counts are the server's: the storage counts its writes since it was opened, so the writes
 * made before the server was built ({@code baseline}) are subtracted. Anything the sync throws (a
 * failed fsync or commit fails the storage) goes to {@code onFatal}, unless the thread was closed
 * first (the storage may be closed under it then).
 */
final class StorageSyncThread {

    private static final Logger LOG = LoggerFactory.getLogger(StorageSyncThread.class);

    private final LongSupplier sync;
    private final long baseline;
    private final LongConsumer onDurable;
    private final Consumer<Throwable> onFatal;
    private final Thread thread;
    /** The writes the server has issued (event loop writes, this thread reads). */
    private volatile long issued;
    private volatile boolean closed;
    /** The durable count last handed to {@code onDurable}. This thread only. */
    private long reported;

    /**
     * @param sync blocks until every write made before the call is durable; returns how many writes
     *     are durable, counted since the storage was opened
     * @param baseline the storage's writes made before the server was built on it
     * @param onDurable gets the server's count of durable writes, from this thread
     * @param onFatal gets anything the sync throws, from this thread
     */
    StorageSyncThread(String name, LongSupplier sync, long baseline, LongConsumer onDurable,
            Consumer<Throwable> onFatal) {
        this.sync = sync;
        this.baseline = baseline;
        this.onDurable = onDurable;
        this.onFatal = onFatal;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /**
     * The sync of {@code storage}, if it is asynchronous; the node runs a thread on it. Only {@link
     * PersistentStorage} is asynchronous among the storages the examples use.
     *
     * @throws IllegalArgumentException for an asynchronous storage this class cannot sync
     */
    static LongSupplier syncOf(Storage<?> storage) {
        if (storage instanceof PersistentStorage<?> persistent) {
            return persistent::sync;
        }
        throw new IllegalArgumentException("storage " + storage + " is asynchronous, but the node can sync only a "
                + "PersistentStorage");
    }

    void start() {
        thread.start();
    }

    /** The server has issued {@code count} writes so far; wakes the thread if that is news. Event loop. */
    void writesIssued(long count) {
        if (count > issued) {
            issued = count;
            LockSupport.unpark(thread);
        }
    }

    /** Stops the thread after the sync in progress, if any; does not wait. */
    void close() {
        closed = true;
        LockSupport.unpark(thread);
    }

    /** Waits until the thread has ended, after {@link #close()}. Not on the event loop. */
    void awaitClosed() throws InterruptedException {
        thread.join();
    }

    private void run() {
        try {
            while (!closed) {
                long wanted = issued;
                if (wanted <= reported) {
                    LockSupport.park(this); // writesIssued unparks; a permit given before park is kept
                    continue;
                }
                long durable = sync.getAsLong() - baseline;
                if (durable < wanted) { // a sync covers every write made before it: the counts disagree
                    throw new IllegalStateException("the storage reports " + durable + " of the server's writes durable"
                            + " after a sync, but the server had issued " + wanted + " (storage writes made outside the"
                            + " server? " + baseline + " were made before it was built)");
                }
                reported = durable;
                onDurable.accept(durable);
            }
        } catch (Throwable failure) {
            if (closed) {
                LOG.debug("storage sync thread closing: ignored {}", failure.toString());
                return;
            }
            LOG.error("the storage sync thread failed", failure);
            onFatal.accept(failure);
        }
    }
}
