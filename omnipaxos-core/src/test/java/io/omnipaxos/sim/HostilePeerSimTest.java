package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.CompactionException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Seeded runs of 5 servers in which member 5 is a {@link HostilePeer}: it never runs the protocol
 * and sends a few random messages every step, while the 4 honest servers run a fault mix (loss,
 * duplication, delay, crashes and restarts of one server at a time, link cuts, trims). The safety
 * checker runs after every step, no honest server may throw, and once the hostile peer stops and
 * the faults heal, every honest server decides new entries. Replay a seed with {@code
 * -Dsim.seed=N}; {@code -Dsim.seeds=N} runs more.
 */
class HostilePeerSimTest {

    private static final int STEPS = 1200;
    private static final long HOSTILE = 5;

    @TestFactory
    Stream<DynamicTest> honestServersSurviveAHostileMember() {
        return SeededRuns.of(7000, 40, HostilePeerSimTest::run);
    }

    private static void run(long seed) {
        SimulatedCluster cluster = SimulatedCluster.create(seed, 5);
        cluster.crash(HOSTILE); // its honest server never runs: the hostile peer speaks for pid 5
        Random random = cluster.random();
        cluster.network().dropRate(0.05 * random.nextInt(3)).duplicateRate(0.05 * random.nextInt(3))
                .maxDelayTicks(1 + random.nextInt(4));
        HostilePeer hostile = new HostilePeer(cluster, HOSTILE);
        List<Long> honest = cluster.pids().stream().filter(p -> p != HOSTILE).toList();
        for (int step = 0; step < STEPS; step++) {
            for (int i = random.nextInt(4); i > 0; i--) {
                hostile.sendOne();
            }
            if (random.nextInt(50) == 0) {
                injectFault(cluster, honest, random);
            }
            long pid = honest.get(random.nextInt(honest.size()));
            if (random.nextInt(3) == 0 && cluster.isAlive(pid)) {
                cluster.append(pid);
            }
            if (random.nextInt(150) == 0) {
                tryTrim(cluster);
            }
            cluster.step();
        }
        long refused = honest.stream().filter(cluster::isAlive).mapToLong(p -> cluster.server(p).rejectedIncomingCount()).sum();
        assertTrue(refused > 0, cluster.describe() + ": the hostile peer's messages were never refused");
        assertLiveOnceHealed(cluster, honest);
    }

    /** Crashes or restarts one honest server (at most one is down), or cuts or heals links. */
    private static void injectFault(SimulatedCluster cluster, List<Long> honest, Random random) {
        long a = honest.get(random.nextInt(honest.size()));
        long b = honest.get(random.nextInt(honest.size()));
        boolean allUp = honest.stream().allMatch(cluster::isAlive);
        switch (random.nextInt(4)) {
            case 0 -> {
                if (allUp) {
                    cluster.crash(a);
                }
            }
            case 1 -> honest.stream().filter(p -> !cluster.isAlive(p)).forEach(cluster::restart);
            case 2 -> cluster.network().cut(a, b);
            default -> cluster.network().healAll();
        }
    }

    private static void tryTrim(SimulatedCluster cluster) {
        cluster.leader().ifPresent(pid -> {
            try {
                cluster.server(pid).trim(OptionalLong.empty());
            } catch (CompactionException refused) {
                // servers lag or the leader changes: fine here
            }
        });
    }

    /**
     * Once healed, an entry appended on every honest server is decided. Proposals forwarded while a
     * server still took the hostile peer for the leader are lost (the API allows that), so the
     * application's retry is part of the check: a new round of appends every 150 steps, 10 at most.
     */
    private static void assertLiveOnceHealed(SimulatedCluster cluster, List<Long> honest) {
        cluster.network().healAll();
        cluster.network().reliable();
        honest.stream().filter(p -> !cluster.isAlive(p)).forEach(cluster::restart);
        boolean decided = false;
        List<String> values = new ArrayList<>();
        for (int attempt = 0; attempt < 10 && !decided; attempt++) {
            values.clear();
            honest.forEach(p -> cluster.append(p).ifPresent(values::add));
            decided = cluster.runUntil(() -> values.stream().allMatch(cluster::isChosen), 150);
        }
        List<String> last = List.copyOf(values);
        assertTrue(decided, () -> cluster.dump() + "\n: no progress after the hostile peer stopped " + last);
        assertTrue(cluster.runUntil(() -> cluster.allDecidedAtLeast(cluster.chosen().size()), 800),
                () -> cluster.dump() + "\n: honest servers did not converge");
    }
}
