package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The three partial-connectivity scenarios of the OmniPaxos paper (section 2): quorum-loss and
 * constrained election with 5 servers, chained with 3. In each, after the links fail, a new entry
 * must be decided within 4 election timeouts, where Raft-like protocols livelock or stall. The
 * cut happens at every offset within a heartbeat round, so the bound holds however the cut and the
 * rounds line up.
 */
class PartialConnectivityTest {

    private static final int ELECTION_TIMEOUT = ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT;
    private static final int BOUND_TICKS = 4 * ELECTION_TIMEOUT;

    @Test
    void quorumLossAServerConnectedToAllTakesOver() {
        for (int offset = 0; offset < ELECTION_TIMEOUT; offset++) {
            SimulatedCluster cluster = settledCluster(5, offset);
            long leader = cluster.agreedLeader().orElseThrow();
            long hub = otherThan(cluster, leader);
            for (long a : cluster.pids()) {
                for (long b : cluster.pids()) {
                    if (a < b && a != hub && b != hub) {
                        cluster.network().cut(a, b);
                    }
                }
            }
            assertNewEntryDecidedInTime(cluster, "quorum-loss (hub " + hub + ", old leader " + leader + ")");
        }
    }

    @Test
    void constrainedElectionTheOnlyQuorumConnectedServerHasAnOutdatedLog() {
        for (int offset = 0; offset < ELECTION_TIMEOUT; offset++) {
            SimulatedCluster cluster = settledCluster(5, offset);
            long leader = cluster.agreedLeader().orElseThrow();
            long outdated = otherThan(cluster, leader);
            isolate(cluster, outdated);
            long before = cluster.chosen().size();
            appendOnAll(cluster, 5);
            assertTrue(cluster.runUntil(() -> cluster.chosen().size() >= before + 5, 200), cluster.describe());
            cluster.network().healAll();
            isolate(cluster, leader);
            for (long a : cluster.pids()) {
                for (long b : cluster.pids()) {
                    if (a < b && a != outdated && b != outdated) {
                        cluster.network().cut(a, b);
                    }
                }
            }
            assertNewEntryDecidedInTime(cluster, "constrained election (outdated " + outdated + ")");
        }
    }

    @Test
    void chainedTheFollowerCutFromTheLeaderTakesOver() {
        for (int offset = 0; offset < ELECTION_TIMEOUT; offset++) {
            SimulatedCluster cluster = settledCluster(3, offset);
            long leader = cluster.agreedLeader().orElseThrow();
            long cutOff = otherThan(cluster, leader);
            cluster.network().cut(leader, cutOff);
            assertNewEntryDecidedInTime(cluster, "chained (leader " + leader + " cut from " + cutOff + ")");
        }
    }

    /** A cluster with a settled leader, stepped {@code offset} more ticks so cuts land mid-round. */
    private static SimulatedCluster settledCluster(int size, int offset) {
        SimulatedCluster cluster = SimulatedCluster.create(100 + offset, size);
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        appendOnAll(cluster, 3);
        cluster.run(20 + offset);
        return cluster;
    }

    /**
     * After the cut, appends a fresh entry on every server every tick and checks that one of them
     * is decided within 4 election timeouts.
     */
    private static void assertNewEntryDecidedInTime(SimulatedCluster cluster, String scenario) {
        List<String> afterCut = new ArrayList<>();
        long cutTick = cluster.now();
        boolean decided = false;
        while (!decided && cluster.now() - cutTick < BOUND_TICKS) {
            afterCut.addAll(appendOnAll(cluster, 1));
            cluster.step();
            decided = afterCut.stream().anyMatch(cluster::isChosen);
        }
        final long ticks = cluster.now() - cutTick;
        assertTrue(decided, () -> scenario + ": nothing appended after the cut was decided within "
                + BOUND_TICKS + " ticks (4 election timeouts)\n" + cluster.dump());
        assertTrue(ticks <= BOUND_TICKS, scenario + " took " + ticks + " ticks");
    }

    private static List<String> appendOnAll(SimulatedCluster cluster, int perServer) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < perServer; i++) {
            for (long pid : cluster.pids()) {
                cluster.append(pid).ifPresent(values::add);
            }
        }
        return values;
    }

    private static void isolate(SimulatedCluster cluster, long pid) {
        for (long other : cluster.pids()) {
            if (other != pid) {
                cluster.network().cut(pid, other);
            }
        }
    }

    private static long otherThan(SimulatedCluster cluster, long pid) {
        Optional<Long> other = cluster.pids().stream().filter(p -> p != pid).findFirst();
        return other.orElseThrow();
    }
}
