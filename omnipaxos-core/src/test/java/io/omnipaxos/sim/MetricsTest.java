package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.Metrics;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.messages.HeartbeatRequest;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The metrics view: its figures agree with what the run did, counters only grow, and another thread
 * reads them while the instance runs.
 */
class MetricsTest {

    private static long sum(Map<String, Long> byType) {
        return byType.values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void theFiguresAgreeWithWhatTheClusterDid() {
        SimulatedCluster cluster = SimulatedCluster.create(91, 3);
        long leader = cluster.awaitSettledLeader(600);
        long follower = cluster.anyPidExcept(leader);
        List<String> onLeader = List.of(cluster.append(leader).orElseThrow(), cluster.append(leader).orElseThrow());
        List<String> onFollower = List.of(cluster.append(follower).orElseThrow());
        cluster.awaitAllChosen(List.of(onLeader.get(0), onLeader.get(1), onFollower.get(0)), 600);
        cluster.awaitConverged(600);
        cluster.run(20); // the last messages arrive

        Metrics led = cluster.server(leader).metrics();
        assertEquals(2, led.proposals());
        assertEquals(1, cluster.server(follower).metrics().proposals());
        long decided = cluster.server(leader).getDecidedIdx();
        assertEquals(3, decided);
        for (long pid : cluster.pids()) {
            Metrics m = cluster.server(pid).metrics();
            assertEquals(decided, m.decidedIdx(), "server " + pid);
            assertEquals(decided, m.decidedEntries(), "server " + pid);
            assertEquals(OptionalLong.of(leader), m.leader(), "server " + pid);
            assertEquals(pid == leader, m.isLeader());
            assertTrue(m.leaderChanges() >= 1, "the first leader counts");
            assertTrue(m.electionRounds() > 0);
            assertEquals(cluster.now(), m.ticks());
        }
        assertEquals(3, led.entriesFlushed(), "every entry went out in a batch of the leader");
        assertTrue(led.batchesFlushed() >= 1 && led.batchesFlushed() <= 3, "batches: " + led.batchesFlushed());
        long other = cluster.pids().stream().filter(p -> p != leader && p != follower).findFirst().orElseThrow();
        assertEquals(Map.of(follower, 3L, other, 3L), led.followerAcceptedIdx(), "each follower accepted all 3");
        assertEquals(Map.of(), cluster.server(follower).metrics().followerAcceptedIdx(), "only the leader knows");
        long sent = 0;
        long received = 0;
        for (long pid : cluster.pids()) {
            sent += sum(cluster.server(pid).metrics().messagesOut());
            received += sum(cluster.server(pid).metrics().messagesIn());
        }
        long inFlight = cluster.network().inFlight();
        assertEquals(sent, received + inFlight, "on a reliable network every message sent arrives (or is on its way)");
        assertTrue(led.messagesOut().get("AcceptDecide") > 0, "by type: " + led.messagesOut());
    }

    @Test
    void dropsAreCountedByCause() {
        SimulatedCluster cluster = SimulatedCluster.create(92, 3);
        long leader = cluster.awaitSettledLeader(600);
        OmniPaxos<String> server = cluster.server(leader);
        long requestsBefore = server.metrics().messagesIn().get("HeartbeatRequest");
        server.handleIncoming(new HeartbeatRequest<>(99, leader, 1, 1)); // pid 99 is no member
        server.handleIncoming(new HeartbeatRequest<>(cluster.anyPidExcept(leader), leader, 7, 1)); // configuration 7
        assertEquals(2, server.metrics().droppedIncoming());
        assertEquals(requestsBefore + 2, server.metrics().messagesIn().get("HeartbeatRequest"), "counted as received");
        assertEquals(0, server.metrics().rejectedIncoming());
    }

    @Test
    void anotherThreadReadsCountersThatOnlyGrowWhileTheClusterRuns() throws Exception {
        SimulatedCluster cluster = SimulatedCluster.create(93, 3);
        long leader = cluster.awaitSettledLeader(600);
        Metrics metrics = cluster.server(leader).metrics();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            long proposals = 0;
            long decided = 0;
            long ticks = 0;
            while (!done.get() && failure.get() == null) {
                long p = metrics.proposals();
                long d = metrics.decidedEntries();
                long t = metrics.ticks();
                if (p < proposals || d < decided || t < ticks) {
                    failure.set("went back: proposals " + proposals + "->" + p + ", decided " + decided + "->" + d
                            + ", ticks " + ticks + "->" + t);
                }
                proposals = p;
                decided = d;
                ticks = t;
            }
        });
        reader.start();
        for (int i = 0; i < 300; i++) {
            cluster.append(leader);
            cluster.step();
        }
        done.set(true);
        reader.join();
        assertEquals(null, failure.get());
        assertEquals(300, metrics.proposals());
    }
}
