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

    private static long electLeader(SimulatedCluster cluster) {
        assertTrue(cluster.runUntilSettled(20 * ELECTION_STEPS), () -> cluster.dump() + "\n: no settled leader");
        return cluster.agreedLeader().orElseThrow();
    }

    private static List<String> appendOnEach(SimulatedCluster cluster, int perServer) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < perServer; i++) {
            for (long pid : cluster.pids()) {
                if (cluster.isAlive(pid)) {
                    cluster.append(pid).ifPresent(values::add);
                }
            }
        }
        return values;
    }

    private static void assertAllChosen(SimulatedCluster cluster, List<String> values, int maxSteps) {
        assertTrue(cluster.runUntil(() -> values.stream().allMatch(cluster::isChosen), maxSteps),
                cluster.describe() + ": not all values decided; chosen " + cluster.chosen().size());
    }

    private static void assertConverged(SimulatedCluster cluster, int maxSteps) {
        assertTrue(cluster.runUntil(() -> cluster.allDecidedAtLeast(cluster.chosen().size()), maxSteps),
                cluster.describe() + ": servers did not converge on " + cluster.chosen().size() + " entries");
    }

    @Test
    void normalCaseDecidesEveryAppendOnEveryServer() {
        SimulatedCluster cluster = SimulatedCluster.create(1, 3);
        electLeader(cluster);
        List<String> values = appendOnEach(cluster, 20);
        assertAllChosen(cluster, values, 200);
        assertConverged(cluster, 100);
        for (long pid : cluster.pids()) {
            List<LogEntry<String>> log = cluster.server(pid).readDecidedSuffix(0);
            assertEquals(60, log.size());
        }
    }

    @Test
    void leaderCrashElectsNewLeaderThatDecidesAndOldLeaderCatchesUp() {
        SimulatedCluster cluster = SimulatedCluster.create(2, 3);
        long first = electLeader(cluster);
        assertAllChosen(cluster, appendOnEach(cluster, 10), 200);
        cluster.crash(first);
        long second = electLeader(cluster);
        assertNotEquals(first, second);
        List<String> more = appendOnEach(cluster, 10);
        assertAllChosen(cluster, more, 400);
        cluster.restart(first);
        assertConverged(cluster, 400);
        assertEquals(cluster.chosen().size(), cluster.server(first).getDecidedIdx());
    }

    @Test
    void followerCrashRestartCatchesUp() {
        SimulatedCluster cluster = SimulatedCluster.create(3, 3);
        long leader = electLeader(cluster);
        long follower = cluster.pids().stream().filter(p -> p != leader).findFirst().orElseThrow();
        cluster.crash(follower);
        List<String> values = appendOnEach(cluster, 30);
        assertAllChosen(cluster, values, 300);
        cluster.restart(follower);
        assertConverged(cluster, 300);
    }

    @Test
    void minorityPartitionMakesNoProgressMajorityDoesAndTheyConvergeAfterHealing() {
        SimulatedCluster cluster = SimulatedCluster.create(4, 5);
        long leader = electLeader(cluster);
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
        assertAllChosen(cluster, inMajority, 600);
        for (long pid : minority) {
            assertEquals(minorityDecided, cluster.server(pid).getDecidedIdx(), "minority server " + pid + " decided");
        }
        assertFalse(inMinority.stream().anyMatch(cluster::isChosen));
        cluster.network().healAll();
        assertConverged(cluster, 600);
    }

    @Test
    void lossyDuplicatingReorderingNetworkStaysSafeAndConvergesWhenReliable() {
        for (long seed = 10; seed < 15; seed++) {
            SimulatedCluster cluster = SimulatedCluster.create(seed, 3);
            cluster.network().dropRate(0.1).duplicateRate(0.1).maxDelayTicks(4);
            for (int round = 0; round < 40; round++) {
                appendOnEach(cluster, 2);
                cluster.run(10);
            }
            cluster.network().reliable();
            electLeader(cluster);
            List<String> after = appendOnEach(cluster, 5);
            assertAllChosen(cluster, after, 1000);
            assertConverged(cluster, 1000);
            assertTrue(cluster.chosen().size() > 40, cluster.describe() + ": only " + cluster.chosen().size() + " decided");
        }
    }

    @Test
    void tryBecomeLeaderMovesLeadershipAndKeepsTheLog() {
        SimulatedCluster cluster = SimulatedCluster.create(5, 3);
        long leader = electLeader(cluster);
        assertAllChosen(cluster, appendOnEach(cluster, 5), 200);
        long next = cluster.pids().stream().filter(p -> p != leader).findFirst().orElseThrow();
        cluster.server(next).tryBecomeLeader();
        assertTrue(cluster.runUntil(() -> cluster.agreedLeader().equals(Optional.of(next)), 100),
                cluster::dump);
        assertAllChosen(cluster, appendOnEach(cluster, 5), 200);
        assertConverged(cluster, 200);
        assertEquals(30, cluster.chosen().size());
    }
}
