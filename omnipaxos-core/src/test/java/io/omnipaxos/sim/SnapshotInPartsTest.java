package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.SnapshotPart;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.storage.Storage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * A snapshot larger than one message reaches a follower that fell behind the compacted prefix in
 * parts of at most {@code max_message_bytes}, one in flight at a time, and only the AcceptSync
 * after the last part installs it; with loss and duplicates the transfer restarts until it
 * completes. The {@link SafetyChecker} compares every server's snapshot with the decided log.
 */
class SnapshotInPartsTest {

    private static final int BUDGET = 1024;
    /** Header, fixed fields and length prefixes of any message: a part may exceed the budget by this much. */
    private static final int OVERHEAD = 128;
    private static final MessageCodec<String> CODEC = new MessageCodec<>(StringCodec.INSTANCE);

    private record Sent(List<Message<String>> toLagging, List<Integer> frameSizes) {}

    private static SimulatedCluster cluster(long seed) {
        SimulatedCluster cluster = SimulatedCluster.create(seed, 3, StorageFactory.inMemory(),
                b -> b.maxMessageBytes(BUDGET));
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        return cluster;
    }

    /** Cuts {@code lagging} off, decides {@code missed} entries, snapshots them on the leader, decides a few more. */
    private static void leaveBehind(SimulatedCluster cluster, long leader, long lagging, int missed) {
        cluster.decideWithout(lagging, leader, missed, 4000);
        cluster.server(leader).snapshot(OptionalLong.empty(), false);
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            cluster.append(leader).ifPresent(after::add);
        }
        cluster.awaitAllChosen(after, 600);
    }

    private static Sent record(SimulatedCluster cluster, long lagging) {
        Sent sent = new Sent(new ArrayList<>(), new ArrayList<>());
        cluster.network().observe(m -> {
            sent.frameSizes().add(CODEC.encodedSize(m));
            if (m.to() == lagging || m.from() == lagging) {
                sent.toLagging().add(m);
            }
        });
        return sent;
    }

    private static void assertCaughtUp(SimulatedCluster cluster, long lagging) {
        OmniPaxos<String> caughtUp = cluster.server(lagging);
        LogEntry.Snapshotted<String> snapshot = assertInstanceOf(LogEntry.Snapshotted.class,
                caughtUp.readDecidedSuffix(0).get(0));
        assertTrue(snapshot.compactedIdx() >= 1000, "compacted " + snapshot.compactedIdx());
        assertEquals(cluster.chosen().subList(0, (int) snapshot.compactedIdx()),
                ListSnapshot.entriesOf(snapshot.snapshot()));
        assertEquals(cluster.chosen().size(), caughtUp.getDecidedIdx());
    }

    @Test
    void aSnapshotLargerThanAMessageArrivesInPartsThatEachFitTheBudget() {
        SimulatedCluster cluster = cluster(21);
        long leader = cluster.agreedLeader().orElseThrow();
        long lagging = cluster.anyPidExcept(leader);
        leaveBehind(cluster, leader, lagging, 1000);
        Sent sent = record(cluster, lagging);
        cluster.network().healAll();
        cluster.awaitConverged(3000);
        assertCaughtUp(cluster, lagging);

        int maxFrame = sent.frameSizes().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(maxFrame <= BUDGET + OVERHEAD, "largest frame " + maxFrame + " bytes");
        List<Integer> partNumbers = new ArrayList<>();
        int acks = 0;
        for (Message<String> m : sent.toLagging()) {
            if (m instanceof SnapshotPart<String> part) {
                assertTrue(part.bytes().length <= BUDGET, "part of " + part.bytes().length + " bytes");
                partNumbers.add(part.partNo());
            } else if (m instanceof SnapshotPartAck<String>) {
                acks++;
            } else if (m instanceof AcceptSync<String> sync && sync.to() == lagging) {
                assertEquals(null, sync.snapshot(), "the snapshot does not travel inside the AcceptSync");
                assertEquals(partNumbers.size(), sync.snapshotParts());
            }
        }
        assertTrue(partNumbers.size() >= 5, "parts " + partNumbers);
        for (int i = 0; i < partNumbers.size(); i++) {
            assertEquals(i, partNumbers.get(i), "parts go in order, each once on a reliable network");
        }
        assertEquals(partNumbers.size(), acks, "one part in flight: each is acknowledged before the next");
    }

    @Test
    void aTransferThatLosesPartsRestartsUntilTheFollowerHasTheWholeSnapshot() {
        for (long seed = 31; seed < 36; seed++) {
            SimulatedCluster cluster = cluster(seed);
            long leader = cluster.agreedLeader().orElseThrow();
            long lagging = cluster.anyPidExcept(leader);
            leaveBehind(cluster, leader, lagging, 1000);
            cluster.network().dropRate(0.1).duplicateRate(0.05);
            cluster.network().healAll();
            assertTrue(cluster.runUntil(() -> cluster.isAlive(lagging)
                    && cluster.server(lagging).getDecidedIdx() == cluster.chosen().size(), 20_000),
                    "seed " + seed + ": " + cluster.dump());
            cluster.network().reliable();
            cluster.awaitConverged(3000);
            assertCaughtUp(cluster, lagging);
        }
    }

    @Test
    void aFollowerRestartedMidTransferStartsOverAndCatchesUp() {
        SimulatedCluster cluster = cluster(41);
        long leader = cluster.agreedLeader().orElseThrow();
        long lagging = cluster.anyPidExcept(leader);
        leaveBehind(cluster, leader, lagging, 1000);
        Sent sent = record(cluster, lagging);
        cluster.network().healAll();
        assertTrue(cluster.runUntil(() -> sent.toLagging().stream().anyMatch(
                m -> m instanceof SnapshotPart<String> p && p.partNo() == 2), 3000), cluster::dump);
        cluster.crash(lagging);
        cluster.run(20);
        cluster.restart(lagging);
        cluster.awaitConverged(5000);
        assertCaughtUp(cluster, lagging);
    }

    @Test
    void aStorageThatKeepsTheSnapshotEncodedHasItSentAsItIsWithoutADecode() {
        List<ListStorage<String>> storages = new ArrayList<>();
        StorageFactory encoded = new StorageFactory() {
            @Override
            public Storage<String> create(long pid) {
                ListStorage<String> storage = new ListStorage<String>().keepingSnapshotsEncoded(StringCodec.INSTANCE);
                storages.add(storage);
                return storage;
            }

            @Override
            public Storage<String> reopen(long pid, Storage<String> crashed) {
                return crashed;
            }
        };
        SimulatedCluster cluster = SimulatedCluster.create(61, 3, encoded, b -> b.maxMessageBytes(BUDGET));
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        long leader = cluster.agreedLeader().orElseThrow();
        long lagging = cluster.anyPidExcept(leader);
        leaveBehind(cluster, leader, lagging, 1000);
        ListStorage<String> leaderStorage = storages.get((int) leader - 1);
        byte[] stored = leaderStorage.getSnapshotBytes(StringCodec.INSTANCE).orElseThrow();
        int readsBefore = leaderStorage.snapshotReads();
        Sent sent = record(cluster, lagging);
        cluster.network().healAll();
        cluster.awaitConverged(3000);
        assertCaughtUp(cluster, lagging);

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        for (Message<String> m : sent.toLagging()) {
            if (m instanceof SnapshotPart<String> part) {
                received.writeBytes(part.bytes());
            }
        }
        assertArrayEquals(stored, received.toByteArray(), "the parts are the stored bytes");
        assertEquals(readsBefore, leaderStorage.snapshotReads(), "the leader never decoded its snapshot to send it");
    }
}
