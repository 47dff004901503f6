package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Fault scenarios on a simulated cluster; the safety checkers run after every step. */
class ClusterScenarioTest {

    private static final int ELECTION_STEPS = 5 * 2;

    @Test
    void normalCaseDecidesEveryAppendOnEveryServer() {
        SimulatedCluster cluster = SimulatedCluster.create(1, 3);
        cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        List<String> values = cluster.appendOnEach(20);
        cluster.awaitAllChosen(values, 200);
        cluster.awaitConverged(100);
        for (long pid : cluster.pids()) {
            List<LogEntry<String>> log = cluster.server(pid).readDecidedSuffix(0);
            assertEquals(60, log.size());
        }
    }

    @Test
    void leaderCrashElectsNewLeaderThatDecidesAndOldLeaderCatchesUp() {
        SimulatedCluster cluster = SimulatedCluster.create(2, 3);
        long first = cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        cluster.awaitAllChosen(cluster.appendOnEach(10), 200);
        cluster.crash(first);
        long second = cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        assertNotEquals(first, second);
        List<String> more = cluster.appendOnEach(10);
        cluster.awaitAllChosen(more, 400);
        cluster.restart(first);
        cluster.awaitConverged(400);
        assertEquals(cluster.chosen().size(), cluster.server(first).getDecidedIdx());
    }

    @Test
    void followerCrashRestartCatchesUp() {
        SimulatedCluster cluster = SimulatedCluster.create(3, 3);
        long leader = cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        long follower = cluster.pids().stream().filter(p -> p != leader).findFirst().orElseThrow();
        cluster.crash(follower);
        List<String> values = cluster.appendOnEach(30);
        cluster.awaitAllChosen(values, 300);
        cluster.restart(follower);
        cluster.awaitConverged(300);
    }

    @Test
    void minorityPartitionMakesNoProgressMajorityDoesAndTheyConvergeAfterHealing() {
        SimulatedCluster cluster = SimulatedCluster.create(4, 5);
        long leader = cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        List<Long> minority = new ArrayList<>(List.of(leader));
        minority.add(cluster.pids().stream().filter(p -> p != leader).findFirst().orElseThrow());
        List<Long> majority = cluster.pids().stream().filter(p -> !minority.contains(p)).toList();
        cluster.network().partition(minority, majority);
        long minorityDecided = cluster.server(minority.get(0)).getDecidedIdx();
        List<String> inMinority = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            minority.forEach(p -> cluster.append(p).ifPresent(inMinority::add));
        }
        List<String> inMajority = new ArrayList<>();
        cluster.run(5 * ELECTION_STEPS);
        for (int i = 0; i < 10; i++) {
            majority.forEach(p -> cluster.append(p).ifPresent(inMajority::add));
        }
        cluster.awaitAllChosen(inMajority, 600);
        for (long pid : minority) {
            assertEquals(minorityDecided, cluster.server(pid).getDecidedIdx(), "minority server " + pid + " decided");
        }
        assertFalse(inMinority.stream().anyMatch(cluster::isChosen));
        cluster.network().healAll();
        cluster.awaitConverged(600);
    }

    @Test
    void lossyDuplicatingReorderingNetworkStaysSafeAndConvergesWhenReliable() {
        for (long seed = 10; seed < 15; seed++) {
            SimulatedCluster cluster = SimulatedCluster.create(seed, 3);
            cluster.network().dropRate(0.1).duplicateRate(0.1).maxDelayTicks(4);
            for (int round = 0; round < 40; round++) {
                cluster.appendOnEach(2);
                cluster.run(10);
            }
            cluster.network().reliable();
            cluster.awaitSettledLeader(20 * ELECTION_STEPS);
            List<String> after = cluster.appendOnEach(5);
            cluster.awaitAllChosen(after, 1000);
            cluster.awaitConverged(1000);
            assertTrue(cluster.chosen().size() > 40, cluster.describe() + ": only " + cluster.chosen().size() + " decided");
        }
    }

    @Test
    void tryBecomeLeaderMovesLeadershipAndKeepsTheLog() {
        SimulatedCluster cluster = SimulatedCluster.create(5, 3);
        long leader = cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        cluster.awaitAllChosen(cluster.appendOnEach(5), 200);
        long next = cluster.pids().stream().filter(p -> p != leader).findFirst().orElseThrow();
        cluster.server(next).tryBecomeLeader();
        assertTrue(cluster.runUntil(() -> cluster.agreedLeader().equals(Optional.of(next)), 100),
                cluster::dump);
        cluster.awaitAllChosen(cluster.appendOnEach(5), 200);
        cluster.awaitConverged(200);
        assertEquals(30, cluster.chosen().size());
    }

    @Test
    void theServerWithTheHighestLeaderPriorityIsElectedAmongEqualRounds() {
        SimulatedCluster cluster = SimulatedCluster.createPerServer(6, 3, StorageFactory.inMemory(),
                (pid, builder) -> builder.leaderPriority(pid == 1 ? 10 : 0));
        assertEquals(1L, cluster.awaitSettledLeader(20 * ELECTION_STEPS),
                "pid 1 has the highest priority, though pids 2 and 3 are larger");
    }
}
