package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.CompactionException;
import io.omnipaxos.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Log trimming: leader only, typed refusals, every server trims, and nothing decided is lost. */
class TrimTest {

    private static SimulatedCluster clusterWithDecidedEntries(long seed, int entries) {
        SimulatedCluster cluster = SimulatedCluster.create(seed, 3);
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            cluster.append(1 + i % 3).ifPresent(values::add);
        }
        assertTrue(cluster.runUntil(() -> values.stream().allMatch(cluster::isChosen)
                && cluster.allDecidedAtLeast(entries), 400), cluster::dump);
        return cluster;
    }

    @Test
    void aFollowerRefusesNamingTheLeader() {
        SimulatedCluster cluster = clusterWithDecidedEntries(1, 10);
        long leader = cluster.agreedLeader().orElseThrow();
        CompactionException e = assertThrows(CompactionException.class,
                () -> cluster.server(cluster.anyPidExcept(leader)).trim(OptionalLong.empty()));
        assertEquals(CompactionException.Reason.NOT_LEADER, e.reason());
        assertEquals(OptionalLong.of(leader), e.leader());
        assertTrue(e.getMessage().contains("server " + leader), e.getMessage());
    }

    @Test
    void theLeaderRefusesAnUndecidedOrAlreadyTrimmedIndex() {
        SimulatedCluster cluster = clusterWithDecidedEntries(2, 10);
        var leader = cluster.server(cluster.agreedLeader().orElseThrow());
        CompactionException undecided = assertThrows(CompactionException.class, () -> leader.trim(OptionalLong.of(11)));
        assertEquals(CompactionException.Reason.INDEX_NOT_DECIDED, undecided.reason());
        assertEquals(10, undecided.limitIdx());
        leader.trim(OptionalLong.of(6));
        CompactionException trimmed = assertThrows(CompactionException.class, () -> leader.trim(OptionalLong.of(5)));
        assertEquals(CompactionException.Reason.INDEX_ALREADY_TRIMMED, trimmed.reason());
        assertEquals(6, trimmed.limitIdx());
    }

    @Test
    void everyServerTrimsAndReadsShowTheTrimmedPrefixThenTheLogGoesOn() {
        SimulatedCluster cluster = clusterWithDecidedEntries(3, 20);
        long leaderPid = cluster.agreedLeader().orElseThrow();
        cluster.server(leaderPid).trim(OptionalLong.empty());
        cluster.run(10);
        for (long pid : cluster.pids()) {
            List<LogEntry<String>> log = cluster.server(pid).readDecidedSuffix(0);
            assertEquals(new LogEntry.Trimmed<String>(20), log.get(0), "server " + pid);
            assertEquals(1, log.size());
        }
        List<String> more = new ArrayList<>();
        for (long pid : cluster.pids()) {
            cluster.append(pid).ifPresent(more::add);
        }
        assertTrue(cluster.runUntil(() -> more.stream().allMatch(cluster::isChosen) && cluster.allDecidedAtLeast(23), 300),
                cluster::dump);
        long other = cluster.anyPidExcept(leaderPid);
        cluster.crash(other);
        cluster.restart(other);
        assertTrue(cluster.runUntil(() -> cluster.allDecidedAtLeast(23), 300), cluster::dump);
    }

    @Test
    void aPartitionedFollowerBlocksTrimmingPastWhatItAcceptedUntilItCatchesUp() {
        SimulatedCluster cluster = clusterWithDecidedEntries(4, 10);
        long leaderPid = cluster.agreedLeader().orElseThrow();
        long away = cluster.anyPidExcept(leaderPid);
        cluster.pids().stream().filter(p -> p != away).forEach(p -> cluster.network().cut(away, p));
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            cluster.append(leaderPid).ifPresent(values::add);
        }
        assertTrue(cluster.runUntil(() -> values.stream().allMatch(cluster::isChosen), 300), cluster::dump);
        var leader = cluster.server(leaderPid);
        CompactionException e = assertThrows(CompactionException.class, () -> leader.trim(OptionalLong.of(15)));
        assertEquals(CompactionException.Reason.NOT_ALL_ACCEPTED, e.reason());
        assertEquals(10, e.limitIdx());
        leader.trim(OptionalLong.empty());
        cluster.network().healAll();
        assertTrue(cluster.runUntil(() -> cluster.allDecidedAtLeast(20), 400), cluster::dump);
        cluster.run(5); // the caught-up follower's Accepted reaches the leader
        leader.trim(OptionalLong.empty());
        cluster.run(10);
        for (long pid : cluster.pids()) {
            assertEquals(new LogEntry.Trimmed<String>(20), cluster.server(pid).readDecidedSuffix(0).get(0));
        }
    }
}
