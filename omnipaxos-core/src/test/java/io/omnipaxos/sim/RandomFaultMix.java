package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.AppendRejectedException;
import io.omnipaxos.ClusterConfig;
import io.omnipaxos.CompactionException;
import io.omnipaxos.OmniPaxosConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * One seeded run of a random mix of faults on a given storage: message loss, duplication and
 * reordering, crashes and restarts, partitions and one-way link cuts, log compaction (trims by the
 * leader, or snapshots by the leader and by single servers, depending on the seed), and in a third
 * of the seeds a reconfiguration proposed by a random server in the middle of it all. Safety is
 * checked after every step; at the end the faults stop and the cluster must decide new entries on
 * every server, or, if it was reconfigured, the stop-sign. A third of the seeds limit messages to
 * 1 KiB of entries, so batches and catch-up are split into many messages. No server may have
 * refused a message as one its sender may not send (they are all honest). Every module's storage
 * runs the same mix.
 */
public final class RandomFaultMix {

    /** Steps with faults per seed; healing adds up to 1,600 more. */
    public static final int FAULT_STEPS = 1500;

    private RandomFaultMix() {}

    /** Runs one seed on {@code storage}; throws AssertionError naming the seed on any failure. */
    public static void run(long seed, StorageFactory storage) {
        run(seed, storage, UnaryOperator.identity(), 0);
    }

    /**
     * Runs one seed with {@code extra} configuration on every server and clocks whose tick rates
     * differ from the simulator's steps by up to {@code clockDrift} (0: all tick once a step).
     */
    public static void run(long seed, StorageFactory storage, UnaryOperator<OmniPaxosConfig.Builder> extra,
            double clockDrift) {
        run(seed, storage, extra, clockDrift, 0);
    }

    /**
     * As {@link #run(long, StorageFactory, UnaryOperator, double)}, with {@code learners} learners
     * (pids after the voters) added a fifth of the way through; they crash, restart and are cut off
     * like any server, and a reconfiguration makes them voters of configuration 2.
     */
    public static void run(long seed, StorageFactory storage, UnaryOperator<OmniPaxosConfig.Builder> extra,
            double clockDrift, int learners) {
        int size = new Random(seed).nextBoolean() ? 3 : 5;
        SimulatedCluster cluster = SimulatedCluster.create(seed, size, storage, b -> extra.apply(
                b.batchSize(1 + (int) (seed % 4)).maxMessageBytes(seed % 3 == 0 ? 1024 : 8 << 20)));
        if (clockDrift > 0) {
            cluster.clockDrift(clockDrift);
        }
        if (seed % 2 == 1) {
            cluster.reportLinkDowns(); // half the seeds: crashes and cuts end heartbeat rounds early
        }
        Random random = cluster.random();
        cluster.network().dropRate(0.05 * random.nextInt(3)).duplicateRate(0.05 * random.nextInt(3))
                .maxDelayTicks(1 + random.nextInt(4));
        boolean snapshots = random.nextBoolean() || learners > 0; // a learner needs a trimmed prefix's snapshot
        int reconfigureAt = random.nextInt(3) == 0 ? 200 + random.nextInt(FAULT_STEPS - 200) : -1;
        Reconfiguration reconfiguration = new Reconfiguration();
        for (int step = 0; step < FAULT_STEPS; step++) {
            if (step == FAULT_STEPS / 5) {
                for (int i = 1; i <= learners; i++) {
                    cluster.addLearner(size + i, extra);
                }
            }
            if (step == reconfigureAt) {
                reconfiguration.request(cluster, random);
            }
            reconfiguration.noticeCrash(cluster);
            if (random.nextInt(60) == 0) {
                injectFault(cluster, random);
            }
            if (random.nextInt(3) == 0) {
                long pid = 1 + random.nextInt(size);
                if (cluster.isAlive(pid)) {
                    cluster.append(pid);
                }
            }
            if (random.nextInt(4) == 0) {
                long pid = new ArrayList<>(cluster.pids()).get(random.nextInt(cluster.pids().size())); // learners too
                if (cluster.isAlive(pid)) {
                    cluster.requestRead(pid); // checked every step: never older than what was decided
                }
            }
            if (random.nextInt(100) == 0) {
                if (snapshots) {
                    trySnapshot(cluster, random);
                } else {
                    tryTrim(cluster);
                }
            }
            cluster.step();
        }
        healEverything(cluster);
        assertNothingHonestRefused(cluster);
        if (reconfiguration.requested) {
            reconfiguration.assertDecidedAfterHealing(cluster);
        } else {
            assertLiveAfterHealing(cluster);
        }
    }

    /** A stop-sign proposed by a random live server; it must be decided unless that server crashed. */
    private static final class Reconfiguration {
        boolean requested;
        long requester;
        boolean requesterCrashed;

        void request(SimulatedCluster cluster, Random random) {
            List<Long> alive = cluster.voters().stream().filter(cluster::isAlive).toList();
            requester = alive.get(random.nextInt(alive.size()));
            try {
                cluster.server(requester).reconfigure(new ClusterConfig(2, List.copyOf(cluster.pids())), new byte[] {1});
                requested = true;
            } catch (AppendRejectedException refused) {
                // Impossible here: only this run proposes a stop-sign, once.
                throw new AssertionError(cluster.describe() + ": reconfigure refused: " + refused.getMessage());
            }
        }

        void noticeCrash(SimulatedCluster cluster) {
            requesterCrashed |= requested && !cluster.isAlive(requester);
        }

        /** A crashed requester may have lost the request before anyone saw it: then the user retries. */
        void assertDecidedAfterHealing(SimulatedCluster cluster) {
            boolean decided = cluster.runUntil(() -> allReconfigured(cluster), 1500);
            if (!decided && requesterCrashed && cluster.decidedStopSign().isEmpty()) {
                cluster.server(requester).reconfigure(new ClusterConfig(2, List.copyOf(cluster.pids())), new byte[] {1});
                decided = cluster.runUntil(() -> allReconfigured(cluster), 1500);
            }
            assertTrue(decided, () -> cluster.dump() + "\n: the stop-sign (requested by " + requester
                    + (requesterCrashed ? ", which crashed since" : "") + ") was not decided on every server");
        }

        private static boolean allReconfigured(SimulatedCluster cluster) {
            return cluster.pids().stream().allMatch(pid -> cluster.server(pid).isReconfigured().isPresent());
        }
    }

    /** The leader snapshots every server, or one server snapshots its own log; refusals are expected. */
    private static void trySnapshot(SimulatedCluster cluster, Random random) {
        List<Long> alive = cluster.pids().stream().filter(cluster::isAlive).toList();
        try {
            if (random.nextBoolean()) {
                cluster.leader().ifPresent(pid -> cluster.server(pid).snapshot(OptionalLong.empty(), false));
            } else {
                cluster.server(alive.get(random.nextInt(alive.size()))).snapshot(OptionalLong.empty(), true);
            }
        } catch (CompactionException refused) {
            // Nothing new decided, or a leader change in the middle: both are fine here.
        }
    }

    /** The leader trims as far as it may; refusals are expected while servers lag. */
    private static void tryTrim(SimulatedCluster cluster) {
        cluster.leader().ifPresent(pid -> {
            try {
                cluster.server(pid).trim(java.util.OptionalLong.empty());
            } catch (io.omnipaxos.CompactionException refused) {
                // NOT_ALL_ACCEPTED or NOT_LEADER in the middle of a change: both are fine here.
            }
        });
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
            case 2 -> cluster.cutLink(a, b);
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

    /** Every server here is honest: none may have refused a message as one its sender may not send. */
    private static void assertNothingHonestRefused(SimulatedCluster cluster) {
        for (long pid : cluster.pids()) {
            long refused = cluster.server(pid).rejectedIncomingCount();
            assertTrue(refused == 0, () -> cluster.describe() + ": server " + pid + " refused " + refused
                    + " honest message(s) (see its WARN log)");
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
        assertTrue(cluster.runUntil(() -> cluster.openReads() == 0, 600),
                () -> cluster.dump() + "\n: reads asked for before healing were never answered");
        long confirmedBefore = cluster.confirmedReads();
        for (int attempt = 0; attempt < 3 && cluster.confirmedReads() < confirmedBefore + cluster.pids().size();
                attempt++) { // a read that was not confirmed is asked again, as an application would
            long missing = confirmedBefore + cluster.pids().size() - cluster.confirmedReads();
            cluster.pids().stream().limit(missing).forEach(cluster::requestRead);
            assertTrue(cluster.runUntil(() -> cluster.openReads() == 0, 600),
                    () -> cluster.dump() + "\n: reads asked for after healing were not answered");
        }
        assertEquals(confirmedBefore + cluster.pids().size(), cluster.confirmedReads(),
                "after healing, reads are confirmed");
    }
}
