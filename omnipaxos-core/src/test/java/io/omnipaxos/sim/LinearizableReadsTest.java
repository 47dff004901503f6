package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.ReadIndex;
import io.omnipaxos.ServerConfig;
import io.omnipaxos.messages.ReadIndexCheck;
import io.omnipaxos.messages.ReadIndexRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Linearizable reads without a log write. {@link SimulatedCluster} checks every answer: a confirmed
 * read index is never below what was decided anywhere when the read was asked (the random fault
 * mix asks for reads all along, under partitions, loss and crashes).
 */
class LinearizableReadsTest {

    private static SimulatedCluster settled(long seed) {
        SimulatedCluster cluster = SimulatedCluster.create(seed, 3);
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        return cluster;
    }

    @Test
    void readsOnTheLeaderAndOnFollowersAreConfirmedAtLeastAtTheDecidedIndex() {
        SimulatedCluster cluster = settled(61);
        cluster.awaitAllChosen(cluster.appendOnEach(3), 600);
        long confirmed = cluster.confirmedReads();
        for (long pid : cluster.pids()) {
            cluster.requestRead(pid);
        }
        assertTrue(cluster.runUntil(() -> cluster.openReads() == 0, 200), cluster::dump);
        assertEquals(confirmed + 3, cluster.confirmedReads(), "every read confirmed, followers' through the leader");
    }

    @Test
    void manyReadsShareOneRoundAndAFollowersReadsTravelInOneRequest() {
        SimulatedCluster cluster = settled(62);
        long leader = cluster.agreedLeader().orElseThrow();
        long follower = cluster.anyPidExcept(leader);
        List<Object> sent = new ArrayList<>();
        cluster.network().observe(m -> {
            if (m instanceof ReadIndexCheck<String> || m instanceof ReadIndexRequest<String>) {
                sent.add(m);
            }
        });
        for (int i = 0; i < 100; i++) {
            cluster.requestRead(leader);
            cluster.requestRead(follower);
        }
        assertTrue(cluster.runUntil(() -> cluster.openReads() == 0, 200), cluster::dump);
        assertEquals(200, cluster.confirmedReads());
        long requests = sent.stream().filter(m -> m instanceof ReadIndexRequest<?>).count();
        long checks = sent.stream().filter(m -> m instanceof ReadIndexCheck<?>).count();
        assertEquals(1, requests, "the follower's 100 reads in one request");
        // The first read starts a round at once; what arrives meanwhile waits for the next one.
        assertTrue(checks <= 6, "three rounds at most for 200 reads: " + checks + " checks");
    }

    @Test
    void aLeaderCutOffFromTheOthersConfirmsNoReadWhileTheOthersGoOn() {
        SimulatedCluster cluster = settled(63);
        long old = cluster.agreedLeader().orElseThrow();
        for (long pid : cluster.pids()) {
            cluster.network().cut(old, pid);
        }
        long confirmed = cluster.confirmedReads();
        cluster.requestRead(old); // it still thinks it leads
        List<String> later = new ArrayList<>();
        assertTrue(cluster.runUntil(() -> {
            cluster.pids().stream().filter(p -> p != old).findFirst().flatMap(cluster::append).ifPresent(later::add);
            return later.stream().anyMatch(cluster::isChosen) && cluster.openReads() == 0;
        }, 3000), cluster::dump);
        assertEquals(confirmed, cluster.confirmedReads(), "the cut-off leader's read was never confirmed");
        long next = cluster.pids().stream().filter(p -> p != old
                && cluster.server(p).getCurrentLeader().equals(java.util.Optional.of(p))).findFirst().orElseThrow();
        cluster.requestRead(next);
        assertTrue(cluster.runUntil(() -> cluster.openReads() == 0, 200), cluster::dump);
        assertEquals(confirmed + 1, cluster.confirmedReads(), "the new leader's read is");
    }

    @Test
    void aServerAloneConfirmsAReadAtOnce() {
        OmniPaxos<String> alone = OmniPaxosConfig.builder().configurationId(1).pid(1).nodes(List.of(1L)).build()
                .build(new ListStorage<>());
        for (int i = 0; i < 3 * ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT; i++) {
            alone.tick();
        }
        alone.append("x");
        alone.outgoingMessages();
        long id = alone.requestRead();
        assertEquals(List.of(new ReadIndex(id, 1)), alone.takeReadyReads());
        assertEquals(List.of(), alone.takeReadyReads());
    }

    @Test
    void withoutAKnownLeaderAReadFailsAtOnce() {
        OmniPaxos<String> server = OmniPaxosConfig.builder().configurationId(1).pid(1).nodes(List.of(1L, 2L, 3L))
                .build().build(new ListStorage<>());
        long id = server.requestRead();
        List<ReadIndex> answered = server.takeReadyReads();
        assertEquals(List.of(new ReadIndex(id, -1)), answered);
        assertTrue(!answered.get(0).confirmed());
    }
}
