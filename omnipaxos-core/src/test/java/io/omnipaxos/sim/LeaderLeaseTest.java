package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.ConfigException;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.ReadIndex;
import io.omnipaxos.ServerConfig;
import io.omnipaxos.messages.ReadIndexCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The optional leader lease: a leader that holds it answers reads at once, without a round; a
 * leader cut off from the others keeps answering only until its lease ends, and no other leader is
 * elected before that; and the simulator's read checker (no confirmed read below what was decided
 * anywhere when it was asked) holds under the whole fault mix with clocks that drift within the
 * configured bound. With clocks that drift more than the configuration assumes, it can break.
 */
class LeaderLeaseTest {

    private static final int LEASE = 40;

    private static SimulatedCluster leased(long seed, int drift) {
        return SimulatedCluster.create(seed, 3, StorageFactory.inMemory(),
                b -> b.leaderLeaseTicks(LEASE).maxClockDriftPercent(drift));
    }

    @Test
    void theLeaseIsAtMostWhatTheDriftLeavesAndRefusedWhenNothingIsLeft() {
        ServerConfig server = OmniPaxosConfig.builder().configurationId(1).pid(1).nodes(List.of(1L, 2L, 3L))
                .leaderLeaseTicks(100).maxClockDriftPercent(10).build().server();
        assertEquals(99 * 90 / 110 - 1, server.leaseTicksForLeader());
        ConfigException e = assertThrows(ConfigException.class, () -> OmniPaxosConfig.builder().configurationId(1)
                .pid(1).nodes(List.of(1L, 2L, 3L)).leaderLeaseTicks(2).build());
        assertTrue(e.getMessage().startsWith("leader_lease_ticks"), e.getMessage());
        assertThrows(ConfigException.class, () -> OmniPaxosConfig.builder().configurationId(1).pid(1)
                .nodes(List.of(1L, 2L, 3L)).leaderLeaseTicks(100).maxClockDriftPercent(51).build());
    }

    @Test
    void aLeaderHoldingTheLeaseAnswersReadsWithoutARound() {
        SimulatedCluster cluster = leased(71, 5);
        assertTrue(cluster.runUntilSettled(600), cluster::dump);
        cluster.awaitAllChosen(cluster.appendOnEach(2), 600);
        long leader = cluster.agreedLeader().orElseThrow();
        cluster.run(2 * LEASE); // lease rounds have confirmed by now
        List<Object> checks = new ArrayList<>();
        cluster.network().observe(m -> {
            if (m instanceof ReadIndexCheck<String>) {
                checks.add(m);
            }
        });
        long id = cluster.server(leader).requestRead();
        List<ReadIndex> answered = cluster.server(leader).takeReadyReads();
        assertEquals(List.of(new ReadIndex(id, cluster.server(leader).getDecidedIdx())), answered,
                "answered within the call, at the decided index");
        assertEquals(List.of(), checks, "no read round");
        long follower = cluster.anyPidExcept(leader);
        cluster.requestRead(follower);
        assertTrue(cluster.runUntil(() -> cluster.openReads() == 0, 20), cluster::dump);
    }

    @Test
    void aLeaderCutOffServesReadsOnlyUntilItsLeaseEndsAndNoOtherLeaderIsElectedBefore() {
        SimulatedCluster cluster = leased(72, 5);
        assertTrue(cluster.runUntilSettled(600), cluster::dump);
        cluster.run(2 * LEASE);
        long old = cluster.agreedLeader().orElseThrow();
        for (long pid : cluster.pids()) {
            cluster.network().cut(old, pid);
        }
        long cutAt = cluster.now();
        long lastConfirmedOnOld = -1;
        long otherLeaderAt = -1;
        for (int step = 0; step < 4 * LEASE; step++) {
            long before = cluster.confirmedReads();
            cluster.requestRead(old); // it still thinks it leads; the checker fails a read that misses a write
            cluster.append(cluster.anyPidExcept(old));
            cluster.step();
            if (cluster.confirmedReads() > before) {
                lastConfirmedOnOld = cluster.now();
            }
            for (long pid : cluster.pids()) {
                if (otherLeaderAt < 0 && pid != old && cluster.server(pid).getCurrentLeaderInfo()
                        .map(info -> info.pid() == pid && info.accepting()).orElse(false)) {
                    otherLeaderAt = cluster.now();
                }
            }
        }
        assertTrue(lastConfirmedOnOld > cutAt, "the cut-off leader answered from its lease");
        assertTrue(otherLeaderAt > lastConfirmedOnOld + 1, "a new leader (at step " + otherLeaderAt
                + ") only after the old one's last read from its lease (step " + lastConfirmedOnOld + ")");
        List<String> later = new ArrayList<>();
        assertTrue(cluster.runUntil(() -> {
            cluster.append(cluster.anyPidExcept(old)).ifPresent(later::add);
            return later.stream().anyMatch(cluster::isChosen);
        }, 2000), cluster::dump);
        long readsBefore = cluster.confirmedReads();
        cluster.requestRead(old);
        cluster.run(4 * LEASE);
        assertEquals(readsBefore, cluster.confirmedReads(), "its lease is over: no more reads");
        assertEquals(Optional.of(old), cluster.server(old).getCurrentLeader(), "though it still thinks it leads");
    }

    @Test
    void clocksWithinTheConfiguredDriftKeepReadsLinearizableAndClocksBeyondItCanBreakThem() {
        assertEquals(0, cutOffLeaderWithSlowClock(40), "0.6 and 1.4 ticks a step are within 40 %");
        AssertionError stale = assertThrows(AssertionError.class, () -> cutOffLeaderWithSlowClock(0));
        assertTrue(stale.getMessage().contains("it would miss a write"), stale.getMessage());
    }

    /**
     * The leader's clock runs at 0.6 ticks a step and the others' at 1.4 while the configuration
     * assumes {@code driftPercent}; the leader is cut off, reads are asked of it while the others
     * elect a leader and decide. Returns the reads confirmed on the old leader after the new one
     * decided (the simulator's checker fails first if one of them misses a write).
     */
    private static long cutOffLeaderWithSlowClock(int driftPercent) {
        SimulatedCluster cluster = leased(73, driftPercent);
        assertTrue(cluster.runUntilSettled(600), cluster::dump);
        cluster.run(2 * LEASE);
        long old = cluster.agreedLeader().orElseThrow();
        for (long pid : cluster.pids()) {
            cluster.clockRate(pid, pid == old ? 0.6 : 1.4);
        }
        cluster.run(2 * LEASE); // the slow leader renews its lease with the fast followers
        for (long pid : cluster.pids()) {
            cluster.network().cut(old, pid);
        }
        List<String> later = new ArrayList<>();
        long afterNewDecisions = 0;
        for (int step = 0; step < 6 * LEASE; step++) {
            long before = cluster.confirmedReads();
            boolean newDecided = later.stream().anyMatch(cluster::isChosen);
            cluster.requestRead(old);
            cluster.append(cluster.anyPidExcept(old)).ifPresent(later::add);
            cluster.step();
            afterNewDecisions += newDecided ? cluster.confirmedReads() - before : 0;
        }
        assertTrue(later.stream().anyMatch(cluster::isChosen), cluster::dump);
        return afterNewDecisions;
    }

    @TestFactory
    Stream<DynamicTest> readsStayLinearizableUnderTheFaultMixWithClocksWithinTheBound() {
        return SeededRuns.of(7000, 60, seed -> RandomFaultMix.run(seed, StorageFactory.inMemory(),
                b -> b.leaderLeaseTicks(8 + (int) (seed % 25)).maxClockDriftPercent(20), 0.2));
    }
}
