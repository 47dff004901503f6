package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.CompactionException;
import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Snapshots: the decided prefix is replaced by the application's snapshot on one or every server,
 * reads show it, and a server that fell behind the compacted prefix catches up from the snapshot.
 * The {@link SafetyChecker} compares every snapshot, value by value, with the decided log.
 */
class SnapshotTest {

    private static SimulatedCluster settled(long seed, int size) {
        SimulatedCluster cluster = SimulatedCluster.create(seed, size);
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        return cluster;
    }

    private static List<String> decideOnEach(SimulatedCluster cluster, int perServer) {
        List<String> values = cluster.appendOnEach(perServer);
        cluster.awaitAllChosen(values, 600);
        return values;
    }

    private static LogEntry.Snapshotted<String> snapshotOf(OmniPaxos<String> server) {
        return assertInstanceOf(LogEntry.Snapshotted.class, server.readDecidedSuffix(0).get(0));
    }

    @Test
    void theLeaderSnapshotsEveryServerAndReadsShowTheSnapshot() {
        SimulatedCluster cluster = settled(11, 3);
        List<String> values = decideOnEach(cluster, 4);
        cluster.awaitConverged(300);
        long leader = cluster.agreedLeader().orElseThrow();
        cluster.server(leader).snapshot(OptionalLong.of(8), false);
        cluster.run(10);
        for (long pid : cluster.pids()) {
            LogEntry.Snapshotted<String> snapshot = snapshotOf(cluster.server(pid));
            assertEquals(8, snapshot.compactedIdx(), "server " + pid);
            assertEquals(cluster.chosen().subList(0, 8), ListSnapshot.entriesOf(snapshot.snapshot()));
            assertEquals(1 + values.size() - 8, cluster.server(pid).readDecidedSuffix(0).size());
        }
        cluster.server(leader).snapshot(OptionalLong.empty(), false);
        cluster.run(10);
        for (long pid : cluster.pids()) {
            assertEquals(cluster.chosen(), ListSnapshot.entriesOf(snapshotOf(cluster.server(pid)).snapshot()),
                    "a second snapshot merges into the first on server " + pid);
        }
    }

    @Test
    void aLocalSnapshotCompactsOnlyThatServer() {
        SimulatedCluster cluster = settled(12, 3);
        decideOnEach(cluster, 3);
        cluster.awaitConverged(300);
        long leader = cluster.agreedLeader().orElseThrow();
        long other = cluster.anyPidExcept(leader);
        cluster.server(other).snapshot(OptionalLong.empty(), true);
        cluster.run(10);
        assertEquals(9, snapshotOf(cluster.server(other)).compactedIdx());
        assertInstanceOf(LogEntry.Decided.class, cluster.server(leader).readDecidedSuffix(0).get(0));
    }

    @Test
    void refusalsAreTypedAndNameTheLimit() {
        SimulatedCluster cluster = settled(13, 3);
        decideOnEach(cluster, 2);
        cluster.awaitConverged(300);
        long leader = cluster.agreedLeader().orElseThrow();
        OmniPaxos<String> follower = cluster.server(cluster.anyPidExcept(leader));
        CompactionException notLeader = assertThrows(CompactionException.class,
                () -> follower.snapshot(OptionalLong.empty(), false));
        assertEquals(CompactionException.Reason.NOT_LEADER, notLeader.reason());
        assertEquals(OptionalLong.of(leader), notLeader.leader());
        CompactionException undecided = assertThrows(CompactionException.class,
                () -> cluster.server(leader).snapshot(OptionalLong.of(7), false));
        assertEquals(CompactionException.Reason.INDEX_NOT_DECIDED, undecided.reason());
        assertEquals(6, undecided.limitIdx());
        cluster.server(leader).snapshot(OptionalLong.of(4), false);
        CompactionException below = assertThrows(CompactionException.class,
                () -> cluster.server(leader).snapshot(OptionalLong.of(3), true));
        assertEquals(CompactionException.Reason.INDEX_ALREADY_TRIMMED, below.reason());
    }

    @Test
    void snapshotsAreRefusedWithoutASnapshotImplementationOrAfterATrim() {
        OmniPaxos<String> plain = OmniPaxosConfig.builder().configurationId(1).pid(1).nodes(List.of(1L, 2L, 3L)).build()
                .build(new ListStorage<>());
        CompactionException disabled = assertThrows(CompactionException.class,
                () -> plain.snapshot(OptionalLong.empty(), true));
        assertEquals(CompactionException.Reason.SNAPSHOTS_DISABLED, disabled.reason());

        SimulatedCluster cluster = settled(14, 3);
        decideOnEach(cluster, 2);
        cluster.awaitConverged(300);
        long leader = cluster.agreedLeader().orElseThrow();
        cluster.server(leader).trim(OptionalLong.of(3));
        CompactionException trimmed = assertThrows(CompactionException.class,
                () -> cluster.server(leader).snapshot(OptionalLong.empty(), true));
        assertEquals(CompactionException.Reason.TRIMMED_WITHOUT_SNAPSHOT, trimmed.reason());
    }

    @Test
    void aPartitionedFollowerCatchesUpFromTheSnapshotThenTheSuffix() {
        SimulatedCluster cluster = settled(15, 3);
        decideOnEach(cluster, 2);
        long leader = cluster.agreedLeader().orElseThrow();
        long lagging = cluster.anyPidExcept(leader);
        List<String> missed = cluster.decideWithout(lagging, leader, 30, 600);
        cluster.server(leader).snapshot(OptionalLong.empty(), false);
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            cluster.append(leader).ifPresent(after::add);
        }
        cluster.awaitAllChosen(after, 600);
        cluster.network().healAll();
        cluster.awaitConverged(2000);
        OmniPaxos<String> caughtUp = cluster.server(lagging);
        LogEntry.Snapshotted<String> snapshot = snapshotOf(caughtUp);
        assertTrue(snapshot.compactedIdx() >= 6 + 30, "compacted " + snapshot.compactedIdx());
        assertEquals(cluster.chosen().size(), caughtUp.getDecidedIdx());
    }

    @Test
    void aLeaderBehindAFollowersSnapshotAdoptsItFromThePromise() {
        SimulatedCluster cluster = settled(16, 3);
        decideOnEach(cluster, 2);
        cluster.awaitConverged(300);
        long leader = cluster.agreedLeader().orElseThrow();
        long lagging = cluster.anyPidExcept(leader);
        long third = cluster.pids().stream().filter(p -> p != leader && p != lagging).findFirst().orElseThrow();
        cluster.crash(lagging);
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            cluster.append(leader).ifPresent(missed::add);
        }
        cluster.awaitAllChosen(missed, 600);
        assertTrue(cluster.runUntil(() -> cluster.server(third).getDecidedIdx() == cluster.chosen().size(), 300));
        cluster.server(leader).snapshot(OptionalLong.empty(), true);
        cluster.server(third).snapshot(OptionalLong.empty(), true);
        // The old leader goes; the server that missed everything comes back and takes over.
        cluster.crash(leader);
        cluster.restart(lagging);
        cluster.server(lagging).tryBecomeLeader();
        assertTrue(cluster.runUntil(() -> cluster.server(lagging).getCurrentLeaderInfo()
                .filter(info -> info.pid() == lagging && info.accepting()).isPresent(), 600), cluster::dump);
        assertTrue(snapshotOf(cluster.server(lagging)).compactedIdx() >= 26, cluster::dump);
        List<String> more = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            cluster.append(lagging).ifPresent(more::add);
        }
        cluster.awaitAllChosen(more, 600);
        cluster.restart(leader);
        cluster.awaitConverged(1000);
    }

    @Test
    void aRestartedServerReadsItsSnapshotBack() {
        SimulatedCluster cluster = settled(17, 3);
        decideOnEach(cluster, 3);
        cluster.awaitConverged(300);
        long leader = cluster.agreedLeader().orElseThrow();
        cluster.server(leader).snapshot(OptionalLong.of(5), false);
        cluster.run(10);
        long other = cluster.anyPidExcept(leader);
        cluster.crash(other);
        cluster.restart(other);
        assertEquals(5, snapshotOf(cluster.server(other)).compactedIdx());
        List<String> more = cluster.appendOnEach(1);
        cluster.awaitAllChosen(more, 600);
        cluster.awaitConverged(600);
    }

    @Test
    void theApplicationsOwnSnapshotReplacesThePrefixAndALaggingFollowerCatchesUpFromIt() {
        SimulatedCluster cluster = settled(16, 3);
        decideOnEach(cluster, 2);
        long leader = cluster.agreedLeader().orElseThrow();
        long lagging = cluster.anyPidExcept(leader);
        List<String> missed = cluster.decideWithout(lagging, leader, 20, 600);
        OmniPaxos<String> server = cluster.server(leader);
        server.readDecidedSuffix(0);
        long idx = server.getDecidedIdx();
        server.installSnapshot(idx, ListSnapshot.INSTANCE.create(cluster.chosen().subList(0, (int) idx)));
        LogEntry.Snapshotted<String> snapshot = snapshotOf(server);
        assertEquals(idx, snapshot.compactedIdx());
        assertEquals(cluster.chosen().subList(0, (int) idx), ListSnapshot.entriesOf(snapshot.snapshot()));
        CompactionException undecided = assertThrows(CompactionException.class,
                () -> server.installSnapshot(idx + 1, ListSnapshot.INSTANCE.create(List.of("x"))));
        assertEquals(CompactionException.Reason.INDEX_NOT_DECIDED, undecided.reason());

        cluster.append(leader);
        cluster.network().healAll();
        cluster.awaitConverged(2000);
        assertEquals(idx, snapshotOf(cluster.server(lagging)).compactedIdx(), "the follower got our snapshot");
        cluster.server(leader).snapshot(OptionalLong.empty(), true);
        assertEquals(cluster.chosen(), ListSnapshot.entriesOf(snapshotOf(cluster.server(leader)).snapshot()),
                "a later snapshot merges into the application's");
    }

    @Test
    void anOwnSnapshotIsRefusedAfterATrimWithoutOne() {
        SimulatedCluster cluster = settled(17, 3);
        decideOnEach(cluster, 2);
        cluster.awaitConverged(300);
        long leader = cluster.agreedLeader().orElseThrow();
        OmniPaxos<String> server = cluster.server(leader);
        server.trim(OptionalLong.of(3));
        long idx = server.getDecidedIdx();
        CompactionException trimmed = assertThrows(CompactionException.class,
                () -> server.installSnapshot(idx, ListSnapshot.INSTANCE.create(cluster.chosen().subList(0, (int) idx))));
        assertEquals(CompactionException.Reason.TRIMMED_WITHOUT_SNAPSHOT, trimmed.reason());
    }
}
