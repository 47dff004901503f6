package io.omnipaxos.examples.kv.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** {@link StorageSyncThread}: when it syncs, what it reports, and what it does with a failure. */
class StorageSyncThreadTest {

    private final BlockingQueue<Long> reported = new LinkedBlockingQueue<>();
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private final CountDownLatch failed = new CountDownLatch(1);

    private StorageSyncThread thread(LongSupplier sync, long baseline) {
        return new StorageSyncThread("test-sync", sync, baseline, reported::add, failure -> {
            fatal.set(failure);
            failed.countDown();
        });
    }

    @Test
    void itSyncsOnlyWhenWritesWereIssuedAndReportsTheServersCount() throws Exception {
        AtomicLong storageWrites = new AtomicLong(3); // three writes seeded the storage before the server
        AtomicLong syncs = new AtomicLong();
        StorageSyncThread t = thread(() -> {
            syncs.incrementAndGet();
            return storageWrites.get();
        }, 3);
        t.start();
        assertNull(reported.poll(100, TimeUnit.MILLISECONDS), "no write issued: no sync");
        assertEquals(0, syncs.get());
        storageWrites.set(3 + 5);
        t.writesIssued(5);
        assertEquals(5, reported.poll(10, TimeUnit.SECONDS), "the server's count, without the seeded writes");
        t.writesIssued(5); // nothing new
        storageWrites.set(3 + 9);
        t.writesIssued(9);
        assertEquals(9, reported.poll(10, TimeUnit.SECONDS));
        assertNull(reported.poll(100, TimeUnit.MILLISECONDS));
        t.close();
        t.awaitClosed();
        assertNull(fatal.get());
    }

    @Test
    void aFailedSyncIsFatal() throws Exception {
        StorageException failure = new StorageException("cannot sync log file x: disk gone");
        StorageSyncThread t = thread(() -> {
            throw failure;
        }, 0);
        t.start();
        t.writesIssued(1);
        assertTrue(failed.await(10, TimeUnit.SECONDS));
        assertSame(failure, fatal.get());
        t.awaitClosed(); // the thread ends after a failure
    }

    @Test
    void aSyncThatCountsFewerWritesThanWereIssuedIsFatal() throws Exception {
        StorageSyncThread t = thread(() -> 4, 0); // e.g. writes made behind the server's back
        t.start();
        t.writesIssued(6);
        assertTrue(failed.await(10, TimeUnit.SECONDS));
        assertTrue(fatal.get() instanceof IllegalStateException && fatal.get().getMessage().contains("issued 6"),
                String.valueOf(fatal.get()));
        t.awaitClosed();
    }

    @Test
    void aFailureAfterCloseIsNotFatal() throws Exception {
        CountDownLatch syncing = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        StorageSyncThread t = thread(() -> {
            syncing.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new StorageException("PersistentStorage x is closed");
        }, 0);
        t.start();
        t.writesIssued(1);
        assertTrue(syncing.await(10, TimeUnit.SECONDS));
        t.close(); // the node closes its storage under a sync in progress
        closed.countDown();
        t.awaitClosed();
        assertFalse(failed.await(100, TimeUnit.MILLISECONDS));
    }

    @Test
    void onlyAPersistentStorageCanBeSynced() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StorageSyncThread.syncOf(new MemoryStorage<String>()));
        assertTrue(e.getMessage().contains("PersistentStorage"), e.getMessage());
    }
}
