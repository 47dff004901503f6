package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * {@code takeDecided}: every server's application is handed each decided slot once, in order, in
 * portions of at most the asked size, and a server behind a snapshot is handed the snapshot first.
 */
class TakeDecidedTest {

    /** What an application that applies everything it is handed knows: the values, with a snapshot expanded. */
    private static final class Applier {
        final List<String> applied = new ArrayList<>();
        int calls;

        void drain(OmniPaxos<String> server, int max) {
            for (List<LogEntry<String>> taken = server.takeDecided(max); !taken.isEmpty();
                    taken = server.takeDecided(max)) {
                calls++;
                assertTrue(taken.size() <= max, "at most " + max + ": " + taken);
                for (LogEntry<String> entry : taken) {
                    if (entry instanceof LogEntry.Snapshotted<String> snapshot) {
                        applied.clear();
                        applied.addAll(ListSnapshot.entriesOf(snapshot.snapshot()));
                    } else {
                        applied.add(assertInstanceOf(LogEntry.Decided.class, entry).entry().toString());
                    }
                }
            }
        }
    }

    /** Three servers that elected a leader and decided {@code appendsOnEach} entries appended on each. */
    private static SimulatedCluster settledWith(long seed, int appendsOnEach) {
        SimulatedCluster cluster = SimulatedCluster.create(seed, 3);
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        cluster.awaitAllChosen(cluster.appendOnEach(appendsOnEach), 600);
        cluster.awaitConverged(600);
        return cluster;
    }

    @Test
    void eachServerIsHandedEveryDecidedEntryOnceInOrder() {
        SimulatedCluster cluster = SimulatedCluster.create(51, 3);
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        List<Applier> appliers = List.of(new Applier(), new Applier(), new Applier());
        for (int round = 0; round < 5; round++) {
            List<String> values = cluster.appendOnEach(3);
            cluster.awaitAllChosen(values, 600);
            cluster.awaitConverged(600);
            for (long pid : cluster.pids()) {
                appliers.get((int) pid - 1).drain(cluster.server(pid), 4);
                assertEquals(cluster.chosen(), appliers.get((int) pid - 1).applied, "server " + pid);
                assertEquals(List.of(), cluster.server(pid).takeDecided(4), "nothing new");
            }
        }
        assertTrue(appliers.get(0).calls >= 45 / 4, "portions of at most 4: " + appliers.get(0).calls + " calls");
    }

    @Test
    void aServerBehindTheLeadersSnapshotIsHandedTheSnapshotFirst() {
        SimulatedCluster cluster = SimulatedCluster.create(52, 3);
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        long leader = cluster.agreedLeader().orElseThrow();
        long lagging = cluster.anyPidExcept(leader);
        Applier applier = new Applier();
        cluster.awaitAllChosen(cluster.appendOnEach(2), 600);
        cluster.awaitConverged(600);
        applier.drain(cluster.server(lagging), 100);
        cluster.decideWithout(lagging, leader, 20, 600);
        cluster.server(leader).snapshot(OptionalLong.empty(), false);
        cluster.network().healAll();
        cluster.awaitConverged(2000);
        List<LogEntry<String>> first = cluster.server(lagging).takeDecided(1);
        assertInstanceOf(LogEntry.Snapshotted.class, first.get(0));
        applier.applied.clear();
        applier.applied.addAll(ListSnapshot.entriesOf(((LogEntry.Snapshotted<String>) first.get(0)).snapshot()));
        applier.drain(cluster.server(lagging), 100);
        assertEquals(cluster.chosen(), applier.applied);
    }

    @Test
    void aRestartedServerIsHandedItsLogFromTheStart() {
        SimulatedCluster cluster = settledWith(53, 2);
        long pid = cluster.anyPidExcept(cluster.agreedLeader().orElseThrow());
        new Applier().drain(cluster.server(pid), 100);
        cluster.crash(pid);
        cluster.restart(pid);
        Applier afterRestart = new Applier();
        afterRestart.drain(cluster.server(pid), 100);
        assertEquals(cluster.chosen().subList(0, afterRestart.applied.size()), afterRestart.applied);
        assertTrue(afterRestart.applied.size() > 0, "the stored decided entries again");
        assertThrows(IllegalArgumentException.class, () -> cluster.server(pid).takeDecided(0));
    }

    @Test
    void slotsTheApplicationSaysItHoldsAreNotHandedOut() {
        SimulatedCluster cluster = settledWith(54, 3);
        long pid = cluster.anyPidExcept(cluster.agreedLeader().orElseThrow());
        OmniPaxos<String> server = cluster.server(pid);
        server.snapshot(OptionalLong.of(4), true); // a compacted prefix, as a seeded configuration starts with
        long decided = server.getDecidedIdx();
        assertThrows(IllegalArgumentException.class, () -> server.skipDecided(decided + 1), "beyond the decided index");
        server.skipDecided(4);
        List<LogEntry<String>> rest = server.takeDecided(100);
        assertEquals(decided - 4, rest.size(), "no snapshot, only the slots after it: " + rest);
        for (LogEntry<String> entry : rest) {
            assertInstanceOf(LogEntry.Decided.class, entry);
        }
        assertEquals(cluster.chosen().subList(4, (int) decided),
                rest.stream().map(e -> ((LogEntry.Decided<String>) e).entry()).toList());
        assertThrows(IllegalArgumentException.class, () -> server.skipDecided(2), "below what was handed out");
        server.skipDecided(decided); // nothing new: allowed
        assertEquals(List.of(), server.takeDecided(10));
    }
}
