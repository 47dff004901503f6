package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.AppendRejectedException;
import io.omnipaxos.ClusterConfig;
import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.StopSign;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Reconfiguration by stop-sign: it is decided once, after the entries proposed before it, on every
 * server, whichever server proposed it and whatever the leader or the network does meanwhile.
 */
class ReconfigurationTest {

    private static final ClusterConfig NEXT = new ClusterConfig(2, List.of(1L, 2L, 4L));
    private static final byte[] METADATA = {7, 8, 9};

    private static SimulatedCluster settled(long seed, int size) {
        SimulatedCluster cluster = SimulatedCluster.create(seed, size);
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        return cluster;
    }

    private static boolean allReconfigured(SimulatedCluster cluster) {
        return cluster.pids().stream().filter(cluster::isAlive)
                .allMatch(pid -> cluster.server(pid).isReconfigured().isPresent());
    }

    private static void awaitReconfigured(SimulatedCluster cluster, int maxSteps) {
        assertTrue(cluster.runUntil(() -> allReconfigured(cluster), maxSteps),
                () -> cluster.dump() + "\n: the stop-sign was not decided everywhere");
    }

    @Test
    void theLeaderEndsTheLogWithTheStopSignAfterTheEntriesBeforeIt() {
        SimulatedCluster cluster = settled(21, 3);
        long leader = cluster.agreedLeader().orElseThrow();
        List<String> before = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            cluster.append(leader).ifPresent(before::add);
        }
        cluster.server(leader).reconfigure(NEXT, METADATA);
        awaitReconfigured(cluster, 600);
        for (long pid : cluster.pids()) {
            OmniPaxos<String> server = cluster.server(pid);
            StopSign stopSign = server.isReconfigured().orElseThrow();
            assertEquals(NEXT, stopSign.nextConfig());
            assertArrayEquals(METADATA, stopSign.metadata());
            List<LogEntry<String>> log = server.readDecidedSuffix(0);
            assertEquals(new LogEntry.StopSign<String>(stopSign, true), log.get(log.size() - 1), "server " + pid);
            assertEquals(server.getDecidedIdx(), log.size());
            assertEquals(Optional.of(new LogEntry.StopSign<String>(stopSign, true)), server.read(log.size() - 1));
        }
        assertEquals(before, cluster.chosen(), "the entries appended before the stop-sign are decided before it");
    }

    @Test
    void appendsAfterTheDecidedStopSignAreRefusedTyped() {
        SimulatedCluster cluster = settled(22, 3);
        long leader = cluster.agreedLeader().orElseThrow();
        cluster.server(leader).reconfigure(NEXT, new byte[0]);
        AppendRejectedException pending = assertThrows(AppendRejectedException.class,
                () -> cluster.server(leader).append("late"));
        assertEquals(AppendRejectedException.Reason.STOP_SIGN_PENDING, pending.reason());
        awaitReconfigured(cluster, 600);
        for (long pid : cluster.pids()) {
            AppendRejectedException done = assertThrows(AppendRejectedException.class,
                    () -> cluster.server(pid).append("after"));
            assertEquals(AppendRejectedException.Reason.RECONFIGURED, done.reason());
            assertTrue(done.getMessage().contains("configuration 2"), done.getMessage());
            assertThrows(AppendRejectedException.class, () -> cluster.server(pid).reconfigure(NEXT, new byte[0]));
        }
    }

    @Test
    void aFollowerForwardsItsStopSignToTheLeader() {
        SimulatedCluster cluster = settled(23, 5);
        long leader = cluster.agreedLeader().orElseThrow();
        cluster.server(cluster.anyPidExcept(leader)).reconfigure(NEXT, METADATA);
        awaitReconfigured(cluster, 600);
    }

    @Test
    void theSameIdIsRejected() {
        SimulatedCluster cluster = settled(24, 3);
        assertThrows(IllegalArgumentException.class,
                () -> cluster.server(1).reconfigure(new ClusterConfig(1, List.of(1L, 2L)), new byte[0]));
    }

    @Test
    void aLostForwardAndALeaderCrashDoNotLoseTheStopSign() {
        SimulatedCluster cluster = settled(25, 5);
        cluster.network().dropRate(0.3);
        long leader = cluster.agreedLeader().orElseThrow();
        long requester = cluster.anyPidExcept(leader);
        cluster.appendOnEach(2);
        cluster.server(requester).reconfigure(NEXT, METADATA);
        cluster.run(3);
        cluster.crash(leader);
        cluster.run(300);
        cluster.network().reliable();
        awaitReconfigured(cluster, 3000);
        cluster.restart(leader);
        awaitReconfigured(cluster, 1000);
    }

    @Test
    void competingStopSignsDecideExactlyOne() {
        SimulatedCluster cluster = settled(26, 3);
        ClusterConfig other = new ClusterConfig(3, List.of(1L, 2L, 3L, 4L, 5L));
        cluster.server(1).reconfigure(NEXT, new byte[] {1});
        cluster.server(2).reconfigure(other, new byte[] {2});
        cluster.server(3).reconfigure(NEXT, new byte[] {3});
        awaitReconfigured(cluster, 1000);
        StopSign decided = cluster.server(1).isReconfigured().orElseThrow();
        for (long pid : cluster.pids()) {
            assertEquals(decided, cluster.server(pid).isReconfigured().orElseThrow());
        }
        cluster.run(200);
        assertEquals(Optional.of(decided), cluster.decidedStopSign());
    }

    @Test
    void aServerThatMissedTheStopSignLearnsItAfterRestartEvenFromACompactedLog() {
        SimulatedCluster cluster = settled(27, 3);
        long leader = cluster.agreedLeader().orElseThrow();
        long lagging = cluster.anyPidExcept(leader);
        cluster.crash(lagging);
        List<String> values = cluster.appendOnEach(5);
        cluster.awaitAllChosen(values, 600);
        cluster.server(leader).snapshot(OptionalLong.empty(), false);
        cluster.server(leader).reconfigure(NEXT, METADATA);
        assertTrue(cluster.runUntil(() -> cluster.server(leader).isReconfigured().isPresent(), 600), cluster::dump);
        cluster.restart(lagging);
        awaitReconfigured(cluster, 1000);
        assertInstanceOf(LogEntry.Snapshotted.class, cluster.server(lagging).readDecidedSuffix(0).get(0));
    }

    @Test
    void theNextConfigurationStartsFromTheFinalStateSeededAsASnapshot() {
        SimulatedCluster old = settled(28, 3);
        List<String> values = old.appendOnEach(4);
        old.awaitAllChosen(values, 600);
        old.server(old.agreedLeader().orElseThrow()).reconfigure(NEXT, METADATA);
        awaitReconfigured(old, 600);
        // Every server of the next configuration seeds a fresh storage with the final state.
        String finalState = "state:" + String.join(",", old.chosen());
        SimulatedCluster next = successor(old, 29, 3, 2);
        assertTrue(next.runUntilSettled(600), next::dump);
        List<String> more = next.appendOnEach(2);
        next.awaitAllChosen(more, 600);
        next.awaitConverged(600);
        for (long pid : next.pids()) {
            LogEntry.Snapshotted<String> first = assertInstanceOf(LogEntry.Snapshotted.class,
                    next.server(pid).readDecidedSuffix(0).get(0));
            assertEquals(List.of(finalState), ListSnapshot.entriesOf(first.snapshot()));
            assertEquals(1 + more.size(), next.server(pid).getDecidedIdx());
        }
    }

    /** Seeds fresh storages of the next configuration with {@code old}'s final state, as a snapshot of one entry. */
    private static SimulatedCluster successor(SimulatedCluster old, long seed, int size, int configurationId) {
        String finalState = "state:" + String.join(",", old.chosen());
        String snapshot = ListSnapshot.INSTANCE.create(List.of(finalState));
        StorageFactory seeded = new StorageFactory() {
            @Override
            public io.omnipaxos.storage.Storage<String> create(long pid) {
                ListStorage<String> storage = new ListStorage<>();
                storage.writeAtomically(List.of(new io.omnipaxos.storage.StorageOp.SetSnapshot<>(1, snapshot),
                        new io.omnipaxos.storage.StorageOp.SetDecidedIdx<>(1)));
                return storage;
            }

            @Override
            public io.omnipaxos.storage.Storage<String> reopen(long pid, io.omnipaxos.storage.Storage<String> crashed) {
                return crashed;
            }
        };
        SimulatedCluster next = SimulatedCluster.create(seed, size, seeded, b -> b.configurationId(configurationId));
        next.markAppended(finalState);
        return next;
    }

    @Test
    void aClusterGrowsFromOneServerToThreeToFive() {
        SimulatedCluster one = settled(41, 1);
        List<String> alone = one.appendOnEach(3);
        one.awaitAllChosen(alone, 200);
        one.server(1).reconfigure(new ClusterConfig(2, List.of(1L, 2L, 3L)), new byte[0]);
        awaitReconfigured(one, 200);

        SimulatedCluster three = successor(one, 42, 3, 2);
        assertTrue(three.runUntilSettled(600), three::dump);
        List<String> byThree = three.appendOnEach(2);
        three.awaitAllChosen(byThree, 600);
        three.server(three.agreedLeader().orElseThrow()).reconfigure(
                new ClusterConfig(3, List.of(1L, 2L, 3L, 4L, 5L)), new byte[0]);
        awaitReconfigured(three, 600);

        SimulatedCluster five = successor(three, 43, 5, 3);
        assertTrue(five.runUntilSettled(800), five::dump);
        List<String> byFive = five.appendOnEach(2);
        five.awaitAllChosen(byFive, 800);
        five.awaitConverged(800);
        String carried = ListSnapshot.entriesOf(((LogEntry.Snapshotted<String>) five.server(5).readDecidedSuffix(0)
                .get(0)).snapshot()).get(0);
        for (String value : alone) {
            assertTrue(carried.contains(value), "what the single server decided reaches the five: " + carried);
        }
        assertEquals(1 + byFive.size(), five.server(5).getDecidedIdx());
    }
}
