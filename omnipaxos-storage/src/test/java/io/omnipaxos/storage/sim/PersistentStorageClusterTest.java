package io.omnipaxos.storage.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.LogEntry;
import io.omnipaxos.sim.RandomFaultMix;
import io.omnipaxos.sim.SimulatedCluster;
import io.omnipaxos.storage.persistent.PersistentStorageFactory;
import io.omnipaxos.storage.persistent.SyncPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeded simulator on {@code PersistentStorage}: every crash closes a server's store as a
 * kill -9 would and the restarted server reopens its folder, builds and calls
 * {@code failRecovery()}; the simulator's safety checkers run after every step.
 *
 * <p>The random mix runs {@value #DEFAULT_SEEDS} seeds by default: one seed costs about two
 * seconds here, almost all of it MapDB commits (a follower commits once per accepted batch that
 * moves its decided index), and the module's tests must stay within about two minutes on a shared
 * 2-core machine next to the kill -9 test; the same mix runs 220 seeds on in-memory storage (core
 * and {@code MemoryStorageClusterTest}). The mix uses {@link SyncPolicy#OS_PAGE_CACHE}: the
 * simulator crashes a process between steps, which the page cache survives; the scenario tests
 * use the default, safe policy. {@code -Dsim.seeds=N} runs more, {@code -Dsim.seed=N} replays one.
 */
class PersistentStorageClusterTest {

    static final int DEFAULT_SEEDS = 10;
    private static final int ELECTION_STEPS = 10;

    @TempDir
    Path dir;

    private final List<PersistentStorageFactory> factories = new ArrayList<>();

    @AfterEach
    void closeStores() {
        factories.forEach(PersistentStorageFactory::close);
    }

    private PersistentStorageFactory storage(String name, boolean decidedLags, int checkpointEvery) {
        PersistentStorageFactory factory = PersistentStorageFactory.at(dir.resolve(name), decidedLags, checkpointEvery);
        factories.add(factory);
        return factory;
    }

    private SimulatedCluster cluster(long seed, int size, boolean decidedLags) {
        return SimulatedCluster.create(seed, size, storage("seed-" + seed, decidedLags, 5), UnaryOperator.identity());
    }

    @Test
    void leaderCrashElectsNewLeaderThatDecidesAndOldLeaderRecoversFromDisk() {
        SimulatedCluster cluster = cluster(2, 3, true);
        long first = cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        cluster.awaitAllChosen(cluster.appendOnEach(10), 200);
        cluster.crash(first);
        long second = cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        assertNotEquals(first, second);
        cluster.awaitAllChosen(cluster.appendOnEach(10), 400);
        cluster.restart(first);
        cluster.awaitConverged(400);
        assertEquals(cluster.chosen().size(), cluster.server(first).getDecidedIdx());
    }

    @Test
    void followerCrashRestartCatchesUpFromItsReopenedLog() {
        SimulatedCluster cluster = cluster(3, 3, false);
        long leader = cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        long follower = cluster.pids().stream().filter(p -> p != leader).findFirst().orElseThrow();
        cluster.awaitAllChosen(cluster.appendOnEach(10), 200);
        cluster.crash(follower);
        cluster.awaitAllChosen(cluster.appendOnEach(30), 300);
        cluster.restart(follower);
        cluster.awaitConverged(300);
        List<LogEntry<String>> log = cluster.server(follower).readDecidedSuffix(0);
        assertEquals(cluster.chosen().size(), log.size());
    }

    @Test
    void wholeClusterCrashKeepsEveryDecidedEntry() {
        SimulatedCluster cluster = cluster(5, 3, true);
        cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        List<String> before = cluster.appendOnEach(20);
        cluster.awaitAllChosen(before, 300);
        List<String> chosenBefore = List.copyOf(cluster.chosen());
        cluster.appendOnEach(5); // in flight at the crash: may be lost, must not be corrupted
        cluster.step();
        for (long pid : cluster.pids()) {
            cluster.crash(pid);
        }
        for (long pid : cluster.pids()) {
            cluster.restart(pid);
        }
        cluster.awaitSettledLeader(20 * ELECTION_STEPS);
        cluster.awaitAllChosen(cluster.appendOnEach(5), 400);
        cluster.awaitConverged(400);
        assertEquals(chosenBefore, cluster.chosen().subList(0, chosenBefore.size()));
    }

    @TestFactory
    Stream<DynamicTest> randomFaultMixes() {
        String single = System.getProperty("sim.seed");
        LongStream seeds = single != null
                ? LongStream.of(Long.parseLong(single))
                : LongStream.range(1000, 1000 + Long.getLong("sim.seeds", DEFAULT_SEEDS));
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            // Deterministic per seed: both decided-index policies and two checkpoint intervals.
            PersistentStorageFactory factory = PersistentStorageFactory.at(dir.resolve("mix-" + seed),
                    seed % 2 == 0, seed % 3 == 0 ? 3 : 64, SyncPolicy.OS_PAGE_CACHE);
            try {
                RandomFaultMix.run(seed, factory);
            } finally {
                factory.close();
            }
        }));
    }
}
