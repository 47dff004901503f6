package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Large values: a follower that missed hundreds of megabytes of log catches up in bounded messages
 * (the nodes run with a 256 MiB heap, less than what it missed) while the others keep serving.
 */
class KvLargeValuesProcessTest extends KvProcessTest {

    /** PUTs of {@link KvCommand#MAX_VALUE_BYTES} made while the follower is down: 192 MiB of values. */
    private static final int MISSED_PUTS = Integer.getInteger("kv.largeValues.puts", 3000);
    /**
     * Distinct keys they write, cycling: the map holds this many values, the log every PUT (with
     * 10,000 PUTs over 1,000 keys, 640 MiB of log for a 64 MiB map; the nodes' 256 MiB heaps hold
     * no more than about 3,000 distinct values).
     */
    private static final int KEYS = Integer.getInteger("kv.largeValues.keys", MISSED_PUTS);
    private static final int IN_FLIGHT = 32;

    @Test
    void aFollowerBehindByMoreThanItsHeapCatchesUpWhileTheOthersServe() throws Exception {
        // 500 ms heartbeat rounds, as config/ has: reading and sending 8 MiB catch-up messages on
        // a 256 MiB heap makes leaders answer heartbeats late.
        cluster = new KvCluster(dir, 3).electionTicks(250).startAll();
        long follower;
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            follower = cluster.nodes().keySet().stream().filter(p -> p != client.lastAnsweringPid()).findFirst().orElseThrow();
            cluster.kill(follower);
            String value = "v".repeat(KvCommand.MAX_VALUE_BYTES);
            List<CompletableFuture<?>> window = new ArrayList<>();
            for (int i = 0; i < MISSED_PUTS; i++) {
                window.add(client.submit(KvOp.PUT, "big-" + (i % KEYS), value));
                if (window.size() == IN_FLIGHT) {
                    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                    window.clear();
                }
            }
            CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        long restartedAt = System.nanoTime();
        cluster.start(follower);
        AtomicBoolean catchingUp = new AtomicBoolean(true);
        AtomicLong servedMeanwhile = new AtomicLong();
        AtomicReference<Exception> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (KvClient client = cluster.client()) {
                for (long i = 0; catchingUp.get(); i++) {
                    client.put("during-" + i, Long.toString(i));
                    servedMeanwhile.incrementAndGet();
                }
            } catch (Exception e) {
                writerFailure.set(e);
            }
        });
        writer.start();
        cluster.awaitConsole(follower, "caught up", STARTUP);
        long caughtUpMillis = (System.nanoTime() - restartedAt) / 1_000_000;
        catchingUp.set(false);
        writer.join(30_000);
        System.out.printf("large values: node %d caught up on %d PUTs of %d bytes in %d ms; %d writes served"
                + " meanwhile; resident memory %s%n", follower, MISSED_PUTS, KvCommand.MAX_VALUE_BYTES, caughtUpMillis,
                servedMeanwhile.get(), residentMemories());
        for (long pid : cluster.nodes().keySet()) {
            assertTrue(cluster.alive(pid), "node " + pid + " is still running:\n" + cluster.console(pid)
                    + "\n" + cluster.log(pid));
        }
        assertTrue(writerFailure.get() == null, () -> "the others kept serving: " + writerFailure.get());
        assertTrue(servedMeanwhile.get() > 0, "the others kept serving while the follower caught up");
        try (KvClient client = cluster.client()) {
            client.put("after", "x");
            assertEquals(Optional.of("x"), client.get("after"));
            assertEquals(Optional.of("v".repeat(KvCommand.MAX_VALUE_BYTES)), client.get("big-" + ((MISSED_PUTS - 1) % KEYS)));
        }
    }

    @Test
    void aFollowerBehindASnapshotLargerThanAMessageGetsItInParts() throws Exception {
        // Every node snapshots its map every 100 entries: after 400 PUTs of 64 KiB the leader's
        // snapshot (25 MiB) is three times max_message_bytes, and the follower lacks what it stands for.
        cluster = new KvCluster(dir, 3).electionTicks(250).snapshotInterval(100).startAll();
        long follower;
        long leader;
        String value = "s".repeat(KvCommand.MAX_VALUE_BYTES);
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            leader = client.lastAnsweringPid();
            follower = cluster.nodes().keySet().stream().filter(p -> p != leader).findFirst().orElseThrow();
            cluster.kill(follower);
            List<CompletableFuture<?>> window = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                window.add(client.submit(KvOp.PUT, "snap-" + i, value));
                if (window.size() == IN_FLIGHT) {
                    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                    window.clear();
                }
            }
            CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        cluster.start(follower);
        cluster.awaitConsole(follower, "caught up", STARTUP);
        String leaderLog = cluster.log(leader);
        java.util.regex.Matcher sent = java.util.regex.Pattern.compile("sending server " + follower
                + " our snapshot for index \\d+ \\((\\d+) bytes\\) in (\\d+) parts").matcher(leaderLog);
        assertTrue(sent.find(), () -> "the leader sent its snapshot in parts:\n" + leaderLog);
        System.out.printf("large snapshot: node %d got a snapshot of %s bytes in %s parts%n", follower, sent.group(1),
                sent.group(2));
        assertTrue(Integer.parseInt(sent.group(2)) >= 3, "parts: " + sent.group(2));
        assertTrue(cluster.alive(follower), () -> cluster.console(follower) + "\n" + cluster.log(follower));
        // The follower holds the snapshot's data: with the leader gone, it and the third node serve it.
        cluster.kill(leader);
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            assertEquals(Optional.of(value), client.get("snap-0"));
            assertEquals(Optional.of(value), client.get("snap-399"));
        }
    }

    private String residentMemories() {
        StringBuilder out = new StringBuilder();
        for (long pid : cluster.nodes().keySet()) {
            out.append(out.length() == 0 ? "" : ", ").append("node ").append(pid).append(' ')
                    .append(cluster.residentMemory(pid));
        }
        return out.toString();
    }
}
