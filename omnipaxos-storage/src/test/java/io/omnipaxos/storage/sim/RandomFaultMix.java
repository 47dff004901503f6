package io.omnipaxos.storage.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.sim.SimulatedCluster;
import io.omnipaxos.sim.StorageFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The random fault mix of the core's {@code RandomFaultsTest} (loss, duplication, reordering,
 * crashes and restarts, partitions, one-way cuts) run on a given storage: safety is checked after
 * every step by the simulator; at the end the faults stop and the cluster must decide new entries
 * on every server. Kept in step with the core's mix so both storages see the same faults.
 */
final class RandomFaultMix {

    /** Steps of faults per seed; the healing phase adds up to 1,800 more. */
    static final int FAULT_STEPS = 1500;

    private RandomFaultMix() {
    }

    /** The cluster size a seed runs with (3 or 5 servers). */
    static int clusterSize(long seed) {
        return new Random(seed).nextBoolean() ? 3 : 5;
    }

    /** Runs one seed on {@code storage}; throws AssertionError naming the seed on any failure. */
    static void run(long seed, StorageFactory storage) {
        int size = clusterSize(seed);
        SimulatedCluster cluster = SimulatedCluster.create(seed, size, storage,
                b -> b.batchSize(1 + (int) (seed % 4)));
        Random random = cluster.random();
        cluster.network().dropRate(0.05 * random.nextInt(3)).duplicateRate(0.05 * random.nextInt(3))
                .maxDelayTicks(1 + random.nextInt(4));
        for (int step = 0; step < FAULT_STEPS; step++) {
            if (random.nextInt(60) == 0) {
                injectFault(cluster, random);
            }
            if (random.nextInt(3) == 0) {
                long pid = 1 + random.nextInt(size);
                if (cluster.isAlive(pid)) {
                    cluster.append(pid);
                }
            }
            cluster.step();
        }
        healEverything(cluster);
        assertLiveAfterHealing(cluster);
    }

    private static void injectFault(SimulatedCluster cluster, Random random) {
        List<Long> pids = new ArrayList<>(cluster.pids());
        long a = pids.get(random.nextInt(pids.size()));
        long b = pids.get(random.nextInt(pids.size()));
        switch (random.nextInt(6)) {
            case 0 -> {
                long alive = pids.stream().filter(cluster::isAlive).count();
                if (cluster.isAlive(a) && alive > pids.size() / 2 + 1) {
                    cluster.crash(a);
                }
            }
            case 1 -> {
                if (!cluster.isAlive(a)) {
                    cluster.restart(a);
                }
            }
            case 2 -> cluster.network().cut(a, b);
            case 3 -> cluster.network().cutOneWay(a, b);
            case 4 -> cluster.network().heal(a, b);
            default -> cluster.network().healAll();
        }
    }

    private static void healEverything(SimulatedCluster cluster) {
        cluster.network().healAll();
        cluster.network().reliable();
        for (long pid : cluster.pids()) {
            if (!cluster.isAlive(pid)) {
                cluster.restart(pid);
            }
        }
    }

    private static void assertLiveAfterHealing(SimulatedCluster cluster) {
        assertTrue(cluster.runUntilSettled(600), () -> cluster.dump() + "\n: no settled leader after healing");
        List<String> values = new ArrayList<>();
        for (long pid : cluster.pids()) {
            cluster.append(pid).ifPresent(values::add);
        }
        assertTrue(cluster.runUntil(() -> values.stream().allMatch(cluster::isChosen), 600),
                () -> cluster.dump() + "\n: entries appended after healing were not decided " + values);
        assertTrue(cluster.runUntil(() -> cluster.allDecidedAtLeast(cluster.chosen().size()), 600),
                cluster.describe() + ": servers did not converge after healing");
    }
}
