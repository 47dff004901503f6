package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * An entry appended once on a server that stays up is decided exactly once, with no retry by the
 * application: 10 % of messages lost, 5 % duplicated, links cut and healed (so leaders change),
 * entries appended on every server, leaders and followers alike. No server crashes. At the end every
 * accepted append is in the decided log exactly once (the safety checker also fails the run at the
 * first entry decided twice).
 */
class ExactlyOnceForwardingTest {

    private static final int STEPS = 1200;

    @TestFactory
    Stream<DynamicTest> everyAppendIsDecidedExactlyOnce() {
        return SeededRuns.of(9000, 60, ExactlyOnceForwardingTest::run);
    }

    /** 3 or 5 servers (by seed), batches of 1 to 3, 10 % of messages lost, 5 % duplicated. */
    static SimulatedCluster lossyCluster(long seed) {
        int size = seed % 2 == 0 ? 3 : 5;
        SimulatedCluster cluster = SimulatedCluster.create(seed, size, StorageFactory.inMemory(),
                b -> b.batchSize(1 + (int) (seed % 3)));
        cluster.network().dropRate(0.10).duplicateRate(0.05).maxDelayTicks(3);
        return cluster;
    }

    /** Now and then cuts a random link, or heals them all, so that leaders change. */
    static void cutOrHealLinks(SimulatedCluster cluster, Random random, List<Long> pids) {
        if (random.nextInt(60) == 0) {
            cluster.network().cut(pids.get(random.nextInt(pids.size())), pids.get(random.nextInt(pids.size())));
        }
        if (random.nextInt(90) == 0) {
            cluster.network().healAll();
        }
    }

    private static void run(long seed) {
        SimulatedCluster cluster = lossyCluster(seed);
        Random random = cluster.random();
        List<Long> pids = new ArrayList<>(cluster.pids());
        List<String> appended = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            if (random.nextInt(3) == 0) {
                cluster.append(pids.get(random.nextInt(pids.size()))).ifPresent(appended::add);
            }
            cutOrHealLinks(cluster, random, pids);
            cluster.step();
        }
        cluster.network().healAll();
        assertTrue(cluster.runUntil(() -> appended.stream().allMatch(cluster::isChosen), 3000),
                () -> cluster.dump() + "\n: appended entries not decided: " + missing(appended, cluster));
        Map<String, Integer> times = new HashMap<>();
        for (String value : cluster.chosen()) {
            times.merge(value, 1, Integer::sum);
        }
        for (String value : appended) {
            assertEquals(1, times.get(value), value + " decided " + times.get(value) + " times");
        }
    }

    private static List<String> missing(List<String> appended, SimulatedCluster cluster) {
        return appended.stream().filter(v -> !cluster.isChosen(v)).toList();
    }
}
