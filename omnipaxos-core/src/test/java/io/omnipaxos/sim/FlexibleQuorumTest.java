package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Flexible quorums where the write quorum is smaller than a majority: 5 servers with read 4 and
 * write 2, 8 servers with read 6 and write 3. Random faults (loss, partitions, one crash) run under
 * the safety checkers; after healing, new entries must be decided everywhere.
 */
class FlexibleQuorumTest {

    @TestFactory
    Stream<DynamicTest> fiveServersWriteQuorumTwo() {
        return seeds(2000).mapToObj(seed -> DynamicTest.dynamicTest("5 servers, seed " + seed,
                () -> run(seed, 5, 4, 2)));
    }

    @TestFactory
    Stream<DynamicTest> eightServersWriteQuorumThree() {
        return seeds(3000).mapToObj(seed -> DynamicTest.dynamicTest("8 servers, seed " + seed,
                () -> run(seed, 8, 6, 3)));
    }

    private static LongStream seeds(long base) {
        return LongStream.range(base, base + Long.getLong("sim.flexible.seeds", 20));
    }

    private static void run(long seed, int size, int readQuorum, int writeQuorum) {
        SimulatedCluster cluster = SimulatedCluster.create(seed, size, StorageFactory.inMemory(),
                b -> b.flexibleQuorum(readQuorum, writeQuorum).batchSize(2));
        Random random = cluster.random();
        cluster.network().dropRate(0.05).duplicateRate(0.05).maxDelayTicks(3);
        List<Long> pids = new ArrayList<>(cluster.pids());
        for (int step = 0; step < 1000; step++) {
            if (random.nextInt(80) == 0) {
                long a = pids.get(random.nextInt(size));
                long b = pids.get(random.nextInt(size));
                switch (random.nextInt(4)) {
                    case 0 -> cluster.network().cut(a, b);
                    case 1 -> cluster.network().cutOneWay(a, b);
                    case 2 -> crashOneAtMost(cluster, a);
                    default -> cluster.network().healAll();
                }
            }
            long pid = pids.get(random.nextInt(size));
            if (cluster.isAlive(pid) && random.nextInt(2) == 0) {
                cluster.append(pid);
            }
            cluster.step();
        }
        cluster.network().healAll();
        cluster.network().reliable();
        pids.stream().filter(p -> !cluster.isAlive(p)).forEach(cluster::restart);
        assertTrue(cluster.runUntilSettled(800), () -> cluster.dump() + "\n: no settled leader");
        List<String> values = new ArrayList<>();
        pids.forEach(p -> cluster.append(p).ifPresent(values::add));
        assertTrue(cluster.runUntil(() -> values.stream().allMatch(cluster::isChosen), 800), cluster::dump);
        assertTrue(cluster.runUntil(() -> cluster.allDecidedAtLeast(cluster.chosen().size()), 800), cluster::dump);
    }

    private static void crashOneAtMost(SimulatedCluster cluster, long pid) {
        boolean anyCrashed = cluster.pids().stream().anyMatch(p -> !cluster.isAlive(p));
        if (!anyCrashed) {
            cluster.crash(pid);
        } else {
            cluster.pids().stream().filter(p -> !cluster.isAlive(p)).toList().forEach(cluster::restart);
        }
    }
}
