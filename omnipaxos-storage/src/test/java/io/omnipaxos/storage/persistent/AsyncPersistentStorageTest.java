package io.omnipaxos.storage.persistent;

import static io.omnipaxos.storage.persistent.NumberedEntries.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.Ballot;
import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.messages.Message;
import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.StorageOp;
import io.omnipaxos.storage.TestStringCodec;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The asynchronous mode of {@link PersistentStorage} ({@link SyncPolicy#ASYNCHRONOUS}): what
 * {@link PersistentStorage#sync()} counts and covers, that the writer never waits for it, and that a
 * crash (files closed with nothing committed, as after kill -9) reopens a prefix of the writes, each
 * whole. {@code AsyncKillNineTest} does the same with real kills.
 */
class AsyncPersistentStorageTest {

    @TempDir
    Path dir;

    private final ExecutorService syncThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopSyncThread() {
        syncThread.shutdownNow();
    }

    private static PersistentStorageConfig<String> config(Path storeDir, boolean decidedLags) {
        return PersistentStorageConfig.at(storeDir).codec(new TestStringCodec()).syncPolicy(SyncPolicy.ASYNCHRONOUS)
                .decidedIdxFlushInterval(decidedLags ? Duration.ofDays(1) : Duration.ZERO);
    }

    private PersistentStorage<String> open() {
        return PersistentStorage.open(config(dir, false));
    }

    @Test
    void syncCountsEveryStateChangingCallOnceAsTheSpiNumbersWrites() {
        PersistentStorage<String> s = open();
        assertTrue(s.isAsynchronous());
        assertEquals(0, s.sync(), "nothing written yet");
        s.appendEntry("a");
        s.appendEntries(entries("b", 0, 3));
        s.appendEntries(List.of()); // still a write: the server counts the call
        s.writeAtomically(List.of());
        s.appendOnPrefix(1, entries("c", 0, 2)); // one write, although it is a batch inside
        s.setPromise(new Ballot(1, 0, 1));
        s.setAcceptedRound(new Ballot(1, 0, 1));
        s.setDecidedIdx(2);
        s.trim(1);
        assertEquals(9, s.sync());
        assertEquals(9, s.sync(), "a sync with nothing new returns the same count");
        s.close();
    }

    @Test
    void serversOnAsynchronousStoresDecideAndTheStoreCountsWritesAsTheServerDoes() {
        List<Long> nodes = List.of(1L, 2L, 3L);
        Map<Long, PersistentStorage<String>> stores = new TreeMap<>();
        Map<Long, OmniPaxos<String>> servers = new TreeMap<>();
        for (long pid : nodes) {
            stores.put(pid, PersistentStorage.open(config(dir.resolve(Long.toString(pid)), true)));
            OmniPaxosConfig config = OmniPaxosConfig.builder().configurationId(1).pid(pid).nodes(nodes).batchSize(10)
                    .flushBatchTickTimeout(1).build();
            servers.put(pid, config.build(stores.get(pid), null, StringCodec.INSTANCE));
        }
        List<Message<String>> outgoing = new ArrayList<>();
        int appended = 0;
        for (int step = 0; step < 5_000 && minDecided(servers) < 500; step++) {
            for (OmniPaxos<String> server : servers.values()) {
                if (server.getCurrentLeader().equals(Optional.of(server.config().server().pid())) && appended < 500) {
                    server.append("e" + appended++);
                }
                server.tick();
            }
            for (long pid : nodes) { // what a storage thread would do, here between two steps
                long durable = stores.get(pid).sync();
                assertEquals(servers.get(pid).storageWritesIssued(), durable, "server " + pid);
                servers.get(pid).persisted(durable);
            }
            for (OmniPaxos<String> server : servers.values()) {
                server.takeOutgoingMessages(outgoing);
                outgoing.forEach(m -> servers.get(m.to()).handleIncoming(m));
                outgoing.clear();
            }
        }
        assertEquals(500, minDecided(servers), "every server decided every entry");
        List<LogEntry<String>> first = servers.get(1L).readDecidedSuffix(0);
        for (OmniPaxos<String> server : servers.values()) {
            assertEquals(first, server.readDecidedSuffix(0));
        }
        stores.values().forEach(PersistentStorage::close);
    }

    private static long minDecided(Map<Long, OmniPaxos<String>> servers) {
        return servers.values().stream().mapToLong(OmniPaxos::getDecidedIdx).min().orElse(0);
    }

    @Test
    void aSynchronousStoreRefusesSync() {
        PersistentStorage<String> s = PersistentStorage.open(PersistentStorageConfig.at(dir).codec(new TestStringCodec()));
        assertFalse(s.isAsynchronous());
        IllegalStateException e = assertThrows(IllegalStateException.class, s::sync);
        assertTrue(e.getMessage().contains("SYNC_EVERY_WRITE"), e.getMessage());
        s.close();
    }

    @Test
    void theWriterGoesOnWhileASyncForcesAndTheSyncCoversOnlyWhatCameBefore() throws Exception {
        PersistentStorage<String> s = open();
        s.appendEntry("before");
        CountDownLatch noted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        s.beforeSyncForcesForTests(() -> {
            noted.countDown();
            awaitUninterruptibly(release);
        });
        Future<Long> sync = syncThread.submit(s::sync);
        assertTrue(noted.await(10, TimeUnit.SECONDS), "the sync noted its work");
        // The sync holds no lock the writer needs while it forces: every kind of write goes through.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            s.appendEntries(entries("during", 0, 100));
            s.setPromise(new Ballot(2, 0, 1));
            s.writeAtomically(List.of(new StorageOp.AppendEntries<>(entries("batch", 0, 3)),
                    new StorageOp.SetDecidedIdx<>(4)));
            s.trim(1);
        });
        assertFalse(sync.isDone());
        release.countDown();
        assertEquals(1, sync.get(10, TimeUnit.SECONDS), "it covers the one write made before it");
        s.beforeSyncForcesForTests(null);
        assertEquals(5, s.sync());
        s.crashForTests();
        PersistentStorage<String> r = open();
        assertEquals(104, r.getLogLength());
        assertEquals(new Ballot(2, 0, 1), r.getPromise());
        assertEquals(4, r.getDecidedIdx());
        assertEquals(1, r.getCompactedIdx());
        r.close();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aWriteNotSyncedThatNeedsACommitIsLostWithEveryWriteAfterIt() {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("a", 0, 3));
        assertEquals(1, s.sync());
        s.appendEntries(entries("a", 3, 5)); // plain records: durable without a commit
        s.setAcceptedRound(new Ballot(3, 0, 2)); // needs a commit that never comes
        s.appendEntries(entries("a", 5, 8)); // must not outlive the accepted round before it
        s.crashForTests();
        PersistentStorage<String> r = open();
        assertEquals(entries("a", 0, 5), r.getSuffix(0), "the plain append survives the page cache, the rest not");
        assertEquals(Ballot.NONE, r.getAcceptedRound());
        r.close();
    }

    @Test
    void appendsAfterACommitAreDurableWithTheLogAlone() {
        PersistentStorage<String> s = PersistentStorage.open(config(dir, true));
        s.setPromise(new Ballot(1, 0, 1));
        s.appendEntries(entries("x", 0, 2)); // batch records: the promise is not committed yet
        assertEquals(2, s.sync());
        for (int i = 2; i < 10; i++) {
            s.writeAtomically(List.of(new StorageOp.AppendEntry<>(String.format("x-%06d", i)),
                    new StorageOp.SetDecidedIdx<>(i)));
        }
        s.crashForTests(); // no sync: the plain records are in the page cache
        PersistentStorage<String> r = PersistentStorage.open(config(dir, true));
        assertEquals(entries("x", 0, 10), r.getSuffix(0));
        assertEquals(new Ballot(1, 0, 1), r.getPromise());
        assertEquals(0, r.getDecidedIdx(), "the decided index lags: no commit carried it");
        r.close();
    }

    @Test
    void anAcceptWhoseDecidedIndexMayNotLagIsAllOrNothing() {
        PersistentStorage<String> s = open(); // a zero decided-flush interval: the index never lags
        s.appendEntries(entries("a", 0, 3));
        assertEquals(1, s.sync());
        s.writeAtomically(List.of(new StorageOp.AppendEntries<>(entries("a", 3, 6)), new StorageOp.SetDecidedIdx<>(4)));
        s.crashForTests(); // before a sync: the entries must not survive without their decided index
        PersistentStorage<String> r = open();
        assertEquals(entries("a", 0, 3), r.getSuffix(0));
        assertEquals(0, r.getDecidedIdx());
        r.writeAtomically(List.of(new StorageOp.AppendEntries<>(entries("a", 3, 6)), new StorageOp.SetDecidedIdx<>(4)));
        assertEquals(1, r.sync());
        r.crashForTests();
        r = open();
        assertEquals(entries("a", 0, 6), r.getSuffix(0));
        assertEquals(4, r.getDecidedIdx());
        r.close();
    }

    @Test
    void aPlainWriteCutShortIsDroppedWhole() throws IOException {
        PersistentStorage<String> s = PersistentStorage.open(config(dir, true));
        s.appendEntries(entries("g", 0, 3));
        assertEquals(1, s.sync());
        s.appendEntries(entries("h", 0, 5)); // one write of five records, not synced
        s.crashForTests();
        // The crash came before the write's last record was complete: the other four go too.
        String last = "h-000004";
        LogFiles.Found found = LogFiles.locate(dir, last);
        LogFiles.write(found.file(), found.at() + last.length() / 2, new byte[last.length() + LogRecord.TRAILER]);
        PersistentStorage<String> r = PersistentStorage.open(config(dir, true));
        assertEquals(entries("g", 0, 3), r.getSuffix(0));
        r.appendEntries(entries("i", 3, 5));
        assertEquals(1, r.sync());
        r.crashForTests();
        r = PersistentStorage.open(config(dir, true));
        List<String> expected = new ArrayList<>(entries("g", 0, 3));
        expected.addAll(entries("i", 3, 5));
        assertEquals(expected, r.getSuffix(0));
        r.close();
    }

    @Test
    void aFailedSyncFailsTheStoreForTheWriter() {
        PersistentStorage<String> s = open();
        s.setPromise(new Ballot(1, 0, 1));
        s.crashBeforeNextCommit = true;
        assertThrows(StorageException.class, s::sync);
        StorageException e = assertThrows(StorageException.class, () -> s.appendEntry("after"));
        assertTrue(e.getMessage().contains("must be reopened"), e.getMessage());
        s.crashForTests();
    }

    @Test
    void closeMakesEveryWriteDurable() {
        PersistentStorage<String> s = PersistentStorage.open(config(dir, true));
        s.appendEntries(entries("c", 0, 4));
        s.setPromise(new Ballot(5, 0, 2));
        s.writeAtomically(List.of(new StorageOp.AppendEntries<>(entries("c", 4, 6)), new StorageOp.SetDecidedIdx<>(5)));
        s.close();
        assertThrows(StorageException.class, s::sync, "a closed store");
        PersistentStorage<String> r = PersistentStorage.open(config(dir, true));
        assertEquals(entries("c", 0, 6), r.getSuffix(0));
        assertEquals(new Ballot(5, 0, 2), r.getPromise());
        assertEquals(5, r.getDecidedIdx(), "close commits the lagging decided index");
        r.close();
    }

    @Test
    void logFilesNoCommittedStateNeedsAreDeletedAfterTheCommit() throws IOException {
        SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T12:00:00Z"));
        PersistentStorage<String> s = PersistentStorage.open(config(dir, false), clock);
        for (int cycle = 0; cycle < 4; cycle++) {
            if (cycle > 0) {
                clock.advanceMillis(5 * 60_000);
            }
            s.appendEntries(entries("f", cycle * 100, cycle * 100 + 100));
        }
        s.setDecidedIdx(400);
        s.sync();
        assertEquals(4, LogFiles.of(dir).size(), "one file per five minutes");
        s.trim(250);
        s.appendEntry("f-000400");
        assertEquals(4, LogFiles.of(dir).size(), "the trim is not committed yet: its files stay");
        s.sync();
        s.appendEntry("f-000401"); // the writer releases the files below the committed trim ...
        assertEquals(4, LogFiles.of(dir).size(), "... and leaves deleting them to a sync");
        s.sync();
        assertEquals(2, LogFiles.of(dir).size(), "the sync deleted the two files below the trim");
        s.appendEntry("f-000402"); // the writer refreshes Chronicle's listing, and goes on
        s.sync();
        s.crashForTests();
        PersistentStorage<String> r = PersistentStorage.open(config(dir, false), clock);
        assertEquals(entries("f", 250, 403), r.getSuffix(250));
        r.close();
    }

    @Test
    void aWriterAndASyncThreadTogetherLeaveAPrefixOfTheWritesAfterACrash() throws Exception {
        for (int round = 0; round < 6; round++) {
            Path storeDir = dir.resolve("round-" + round);
            boolean decidedLags = round % 2 == 1;
            PersistentStorage<String> s = PersistentStorage.open(config(storeDir, decidedLags));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong acknowledged = new AtomicLong();
            Future<?> syncer = syncThread.submit(() -> {
                while (!stop.get()) {
                    long before = acknowledged.get();
                    acknowledged.set(s.sync());
                    if (acknowledged.get() == before) {
                        LockSupport.parkNanos(100_000);
                    }
                }
            });
            AsyncWorkload workload = new AsyncWorkload(round, "w");
            int writes = 3_000 + 1_000 * round;
            while (workload.made() < writes) {
                workload.next(s);
            }
            stop.set(true);
            syncer.get(30, TimeUnit.SECONDS);
            if (round % 3 == 2) {
                acknowledged.set(s.sync()); // then the reopened store must hold every write
            }
            s.crashForTests();
            PersistentStorage<String> r = PersistentStorage.open(config(storeDir, decidedLags));
            long held = PrefixCheck.findPrefix(new MemoryStorage<>(), new AsyncWorkload(round, "w"),
                    acknowledged.get(), writes, r, decidedLags, "round " + round);
            assertTrue(held >= acknowledged.get());
            r.close();
        }
    }
}
