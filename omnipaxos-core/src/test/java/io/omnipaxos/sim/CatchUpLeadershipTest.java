package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server that is catching up does not grab leadership: restarted, it follows the working leader
 * instead of outranking it, and when that leader fails it leaves the takeover to a server that
 * holds the log (a leader behind its followers would have to be sent their whole suffixes).
 */
class CatchUpLeadershipTest {

    private static final int ELECTION_STEPS = 5 * 2;

    @Test
    void aRestartedFollowerFollowsAndAServerThatHoldsTheLogTakesOverFromACrashedLeader() {
        for (long seed = 21; seed < 41; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) {
        // Priorities and a slower election timeout for the holder make the lagging server the one
        // that would notice the crash first and win a takeover, if it tried.
        SimulatedCluster cluster = SimulatedCluster.createPerServer(seed, 3, StorageFactory.inMemory(),
                (pid, b) -> b.maxMessageBytes(1024).batchSize(50).leaderPriority((int) (pid - 1))
                        .electionTickTimeout(pid == 1 ? 15 : 5));
        long leader = cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        assertEquals(3, leader, "the highest priority leads first");
        long lagging = 2;
        long holder = 1;
        cluster.crash(lagging);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            cluster.append(leader).ifPresent(values::add);
        }
        cluster.awaitAllChosen(values, 2000);

        cluster.restart(lagging);
        assertTrue(cluster.runUntil(() -> cluster.server(lagging).getDecidedIdx() > 0, 200), cluster::dump);
        assertEquals(leader, cluster.agreedLeader().orElseThrow(), cluster.describe() + ": the restarted server took over");
        assertTrue(cluster.server(lagging).getDecidedIdx() < 2000, "still catching up: " + cluster.dump());

        cluster.crash(leader);
        for (int step = 0; step < 40 * ELECTION_STEPS && cluster.agreedLeader().orElse(0L) != holder; step++) {
            cluster.step();
            assertTrue(cluster.server(lagging).getCurrentLeaderInfo().map(l -> l.pid() != lagging).orElse(true),
                    () -> cluster.dump() + "\n: the server catching up tried to lead");
        }
        assertEquals(holder, cluster.agreedLeader().orElse(0L), () -> cluster.dump() + "\n: no leader holding the log");
        cluster.restart(leader);
        List<String> more = cluster.appendOnEach(5);
        cluster.awaitAllChosen(more, 2000);
        cluster.awaitConverged(3000);
    }
}
