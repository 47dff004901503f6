package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.omnipaxos.AppendRejectedException;
import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The proposal id {@code append} returns comes back exactly once, on the server that appended the
 * entry, on the decided slot that holds that entry, through {@code takeDecided}: with 10 % of
 * messages lost, 5 % duplicated, links cut and healed (leaders change), entries appended on leaders
 * and followers, batches of 1 to 3, and applications that take decided slots in portions of random
 * size. No server crashes (ids belong to one instance).
 */
class ProposalIdsTest {

    private static final int STEPS = 1200;

    /** What one server's application saw: the ids append returned, and the labels takeDecided gave. */
    private static final class App {
        final long pid;
        final Map<Long, String> appended = new HashMap<>();
        final Map<Long, Long> labelledAt = new HashMap<>();
        long nextIdx;

        App(long pid) {
            this.pid = pid;
        }

        void append(OmniPaxos<String> server, String value) {
            try {
                long id = server.append(value);
                assertEquals(null, appended.put(id, value), "server " + pid + " returned id " + id + " twice");
            } catch (AppendRejectedException refused) {
                // a full buffer: the entry was not taken
            }
        }

        void take(OmniPaxos<String> server, int max) {
            for (LogEntry<String> entry : server.takeDecided(max)) {
                if (entry instanceof LogEntry.Decided<String> decided) {
                    check(decided);
                    nextIdx++;
                } else if (entry instanceof LogEntry.Snapshotted<String> s) {
                    nextIdx = s.compactedIdx();
                } else if (entry instanceof LogEntry.Trimmed<String> t) {
                    nextIdx = t.compactedIdx();
                } else {
                    nextIdx++;
                }
            }
        }

        private void check(LogEntry.Decided<String> decided) {
            long id = decided.proposalId();
            if (id == 0) {
                assertTrue(!appended.containsValue(decided.entry()),
                        "server " + pid + ": its own " + decided.entry() + " decided at " + nextIdx + " without its id");
                return;
            }
            String value = appended.get(id);
            if (value == null) {
                fail("server " + pid + ": slot " + nextIdx + " labelled with id " + id + " that append never returned");
            }
            assertEquals(value, decided.entry(), "server " + pid + ": the entry at slot " + nextIdx + " with id " + id);
            Long before = labelledAt.put(id, nextIdx);
            if (before != null) {
                fail("server " + pid + ": id " + id + " labelled at slots " + before + " and " + nextIdx);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyIdComesBackOnceOnTheSlotOfItsEntry() {
        return SeededRuns.of(9500, 40, ProposalIdsTest::run);
    }

    private static void run(long seed) {
        SimulatedCluster cluster = ExactlyOnceForwardingTest.lossyCluster(seed);
        Random random = cluster.random();
        List<Long> pids = new ArrayList<>(cluster.pids());
        Map<Long, App> apps = new HashMap<>();
        for (long pid : pids) {
            apps.put(pid, new App(pid));
        }
        int nextValue = 0;
        for (int step = 0; step < STEPS; step++) {
            if (random.nextInt(3) == 0) {
                long pid = pids.get(random.nextInt(pids.size()));
                String value = "p" + pid + "-" + (++nextValue);
                cluster.markAppended(value);
                apps.get(pid).append(cluster.server(pid), value);
            }
            ExactlyOnceForwardingTest.cutOrHealLinks(cluster, random, pids);
            cluster.step();
            long pid = pids.get(random.nextInt(pids.size()));
            apps.get(pid).take(cluster.server(pid), 1 + random.nextInt(20));
        }
        cluster.network().healAll();
        assertTrue(cluster.runUntil(() -> apps.values().stream().allMatch(app -> app.appended.values().stream()
                .allMatch(cluster::isChosen)), 3000), cluster::dump);
        cluster.awaitConverged(3000);
        for (App app : apps.values()) {
            app.take(cluster.server(app.pid), Integer.MAX_VALUE);
            assertEquals(app.appended.keySet(), app.labelledAt.keySet(), "server " + app.pid + ": ids labelled");
        }
    }
}
