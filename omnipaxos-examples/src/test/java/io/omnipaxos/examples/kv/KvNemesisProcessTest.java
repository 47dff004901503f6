package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStatus;
import io.omnipaxos.lin.LinearizabilityChecker;
import io.omnipaxos.lin.LinearizabilityChecker.Model;
import io.omnipaxos.lin.LinearizabilityChecker.Operation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A nemesis test of the key-value store: three node processes on PersistentStorage, concurrent
 * clients doing GET, PUT, APPEND and DELETE on a few keys and recording when each operation was
 * invoked and returned, while a nemesis, again and again, kills a node with kill -9 and restarts
 * it, or partitions it: cut off from both others, from one of them (both ways, or one way only:
 * partial connectivity). Partitions are real ones where the test can make network namespaces
 * ({@link NetnsLab}: root and iproute2), each node in its own; elsewhere they are messages dropped
 * inside the nodes ({@code --fault-injection}, {@link KvCluster#cutLinks}), whose connections stay
 * up and silent. The output says which. The victim is the leader half the time. The history of each key must be linearizable (checked with {@link
 * LinearizabilityChecker}); every APPEND carries a unique token, so an append applied twice, or a
 * lost acknowledged write, has no legal order. An operation whose client gave up (its node was
 * killed under it) may or may not have taken effect.
 *
 * <p>It runs 16 seconds in the build; {@code -Dkv.nemesis.seconds=300} runs it longer by hand, and
 * prints the counts either way.
 */
class KvNemesisProcessTest {

    private static final int SECONDS = Integer.getInteger("kv.nemesis.seconds", 16);
    private static final int CLIENTS = 4;
    private static final List<String> KEYS = List.of("k0", "k1", "k2");

    @TempDir
    Path dir;

    /** An operation's input: which operation, and its value. */
    record Input(KvOp op, String value) {
        @Override
        public String toString() {
            return op + (value.isEmpty() ? "" : " " + value);
        }
    }

    /** A key's value (null: absent) under GET ("=value" or "absent"), PUT, APPEND ("ok") and DELETE ("deleted" or "absent"). */
    static final Model<Optional<String>, Input, String> KEY = new Model<>() {
        @Override
        public Optional<String> initial() {
            return Optional.empty();
        }

        @Override
        public Optional<Optional<String>> step(Optional<String> state, Input input, String output) {
            String expected;
            Optional<String> next;
            switch (input.op()) {
                case GET -> {
                    expected = state.map(v -> "=" + v).orElse("absent");
                    next = state;
                }
                case PUT -> {
                    expected = "ok";
                    next = Optional.of(input.value());
                }
                case APPEND -> {
                    expected = "ok";
                    next = Optional.of(state.orElse("") + input.value());
                }
                case DELETE -> {
                    expected = state.isPresent() ? "deleted" : "absent";
                    next = Optional.empty();
                }
                default -> throw new IllegalArgumentException(input.op().toString());
            }
            return output == null || output.equals(expected) ? Optional.of(next) : Optional.empty();
        }
    };

    @Test
    void historiesStayLinearizableWhileNodesAreKilledAndPartitioned() throws Exception {
        try (NetnsLab.Lab lab = NetnsLab.open(List.of(1L, 2L, 3L)); KvCluster cluster = new KvCluster(dir, 3)) {
            Partitioner partitioner;
            if (lab.lab().isPresent()) {
                cluster.inNamespaces(lab.lab().get());
                partitioner = Partitioner.kernel(lab.lab().get(), cluster);
            } else {
                cluster.faultInjection();
                partitioner = Partitioner.insideNodes(cluster, "no network namespaces here: " + lab.whyNot());
            }
            System.out.println("nemesis partitions: " + partitioner.description());
            cluster.startAll();
            cluster.awaitLeaderPid(Duration.ofSeconds(30));
            Map<String, List<Operation<Input, String>>> history = new HashMap<>();
            for (String key : KEYS) {
                history.put(key, Collections.synchronizedList(new ArrayList<>()));
            }
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                long client = c;
                Thread thread = new Thread(() -> runClient(cluster, client, history, running), "client-" + c);
                thread.start();
                clients.add(thread);
            }
            Faults faults = runNemesis(cluster, partitioner, TimeUnit.SECONDS.toNanos(SECONDS));
            running.set(false);
            for (Thread thread : clients) {
                thread.join(60_000);
            }
            finalReads(cluster, history);
            report(history, faults);
            for (String key : KEYS) {
                LinearizabilityChecker.Result result = LinearizabilityChecker.check(KEY, List.copyOf(history.get(key)));
                assertTrue(result.linearizable(), () -> "key " + key + ": " + result.explanation());
            }
        }
    }

    /** What the nemesis did. */
    record Faults(int kills, int isolations, int cutLinks, int oneWayCuts) {
        Faults plus(Fault fault) {
            return switch (fault) {
                case KILL -> new Faults(kills + 1, isolations, cutLinks, oneWayCuts);
                case ISOLATE -> new Faults(kills, isolations + 1, cutLinks, oneWayCuts);
                case CUT_LINK -> new Faults(kills, isolations, cutLinks + 1, oneWayCuts);
                case CUT_ONE_WAY -> new Faults(kills, isolations, cutLinks, oneWayCuts + 1);
            };
        }
    }

    /**
     * A kill -9 and restart; a node cut off from both others; one link cut both ways (the two nodes
     * still reach the third: a chained partition); one link cut one way only.
     */
    enum Fault { KILL, ISOLATE, CUT_LINK, CUT_ONE_WAY }

    /**
     * Every 2 seconds hits a node (the leader half the time) with a random {@link Fault} for a
     * second, then restarts or heals it; returns what it did.
     */
    private static Faults runNemesis(KvCluster cluster, Partitioner partitioner, long durationNanos)
            throws Exception {
        Random random = new Random(11);
        long end = System.nanoTime() + durationNanos;
        Faults done = new Faults(0, 0, 0, 0);
        while (System.nanoTime() < end) {
            Thread.sleep(1000);
            long victim = random.nextBoolean() ? leaderOr(cluster, 1 + random.nextInt(3)) : 1 + random.nextInt(3);
            long other = 1 + (victim + random.nextInt(2)) % 3; // one of the two other nodes
            Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
            switch (fault) {
                case KILL -> cluster.kill(victim);
                case ISOLATE -> partitioner.isolate(victim);
                case CUT_LINK -> partitioner.cutLink(victim, other);
                case CUT_ONE_WAY -> partitioner.cutOneWay(victim, other);
            }
            done = done.plus(fault);
            Thread.sleep(1000);
            if (fault == Fault.KILL) {
                cluster.start(victim);
            } else {
                partitioner.heal(victim);
            }
        }
        return done;
    }

    /** The pid of the node that answers a GET now (the leader), or {@code fallback} if none does. */
    private static long leaderOr(KvCluster cluster, long fallback) {
        try (KvClient probe = cluster.client()) {
            probe.get("probe");
            return probe.lastAnsweringPid();
        } catch (RuntimeException noLeaderNow) {
            return fallback;
        }
    }

    private static void runClient(KvCluster cluster, long client, Map<String, List<Operation<Input, String>>> history,
            AtomicBoolean running) {
        Random random = new Random(client);
        int n = 0;
        try (KvClient kv = cluster.client()) {
            while (running.get()) {
                String key = KEYS.get(random.nextInt(KEYS.size()));
                Input input = randomInput(random, client, n++);
                long invoked = System.nanoTime();
                String output = call(kv, key, input);
                long returned = output == null ? Operation.NEVER : System.nanoTime();
                history.get(key).add(new Operation<>(client, input, output, invoked, returned));
            }
        }
    }

    private static Input randomInput(Random random, long client, int n) {
        String token = "(" + client + "." + n + ")";
        int dice = random.nextInt(10);
        if (dice < 4) {
            return new Input(KvOp.GET, "");
        } else if (dice < 6) {
            return new Input(KvOp.PUT, token);
        } else if (dice < 9) {
            return new Input(KvOp.APPEND, token);
        }
        return new Input(KvOp.DELETE, "");
    }

    /** Calls the operation; its output as the model writes it, or null if the client gave up. */
    private static String call(KvClient kv, String key, Input input) {
        try {
            KvReply reply = kv.submit(input.op(), key, input.value()).get(10, TimeUnit.SECONDS);
            return switch (input.op()) {
                case GET -> reply.status() == KvStatus.OK ? "=" + reply.text() : "absent";
                case DELETE -> reply.status() == KvStatus.OK ? "deleted" : "absent";
                default -> reply.status() == KvStatus.OK ? "ok" : "error " + reply.text();
            };
        } catch (Exception gaveUp) {
            return null;
        }
    }

    /** After the nemesis: every node back up, and one GET per key that must see the final value. */
    private static void finalReads(KvCluster cluster, Map<String, List<Operation<Input, String>>> history)
            throws Exception {
        for (long pid = 1; pid <= 3; pid++) {
            if (!cluster.alive(pid)) {
                cluster.start(pid);
            }
        }
        cluster.awaitLeaderPid(Duration.ofSeconds(30));
        try (KvClient kv = cluster.client()) {
            for (String key : KEYS) {
                Input get = new Input(KvOp.GET, "");
                long invoked = System.nanoTime();
                String output = call(kv, key, get);
                assertTrue(output != null, "the final read of " + key + " was answered");
                history.get(key).add(new Operation<>(-1, get, output, invoked, System.nanoTime()));
            }
        }
    }

    private static void report(Map<String, List<Operation<Input, String>>> history, Faults faults) {
        int total = 0;
        int unknown = 0;
        for (List<Operation<Input, String>> ops : history.values()) {
            total += ops.size();
            unknown += (int) ops.stream().filter(op -> op.output() == null).count();
        }
        System.out.printf("nemesis: %d s, %d kill -9, %d nodes isolated, %d links cut, %d links cut one way, %d"
                + " operations on %d keys, %d without an answer%n", SECONDS, faults.kills(), faults.isolations(),
                faults.cutLinks(), faults.oneWayCuts(), total, KEYS.size(), unknown);
    }
}
