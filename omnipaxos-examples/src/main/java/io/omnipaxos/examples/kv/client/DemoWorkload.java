package io.omnipaxos.examples.kv.client;

import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * The demo's workload and its check, behind {@code kv workload} and {@code kv verify}.
 *
 * <p>Each of a few writers loops: PUT {@code demo-<writer>-<i>} = {@code i}, then APPEND {@code
 * "<i>,"} to {@code log-<writer>}, and counts {@code i} as acknowledged once both replies came.
 * The verification reads everything back: every acknowledged PUT must be there, and every {@code
 * log-<writer>} must be exactly {@code "1,2,...,n,"} (at most one more number, for an iteration
 * whose APPEND went through but whose acknowledgement the writer never got): a number twice would
 * be an APPEND applied twice, a gap a lost acknowledged write.
 */
final class DemoWorkload {

    /** How many writers the workload runs. */
    static final int WRITERS = 4;

    private DemoWorkload() {}

    /** Writes for {@code seconds}, printing progress every second; saves each writer's count in {@code ackFile}. */
    static int write(Map<Long, NodeAddress> nodes, SSLContext tls, long seconds, Path ackFile)
            throws InterruptedException, IOException {
        long stop = System.nanoTime() + seconds * 1_000_000_000L;
        AckGaps gaps = new AckGaps();
        AtomicLong[] acked = new AtomicLong[WRITERS];
        AtomicBoolean failed = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            acked[w] = new AtomicLong();
            int writer = w;
            Thread thread = new Thread(() -> writeLoop(nodes, tls, writer, stop, acked[writer], gaps, failed),
                    "writer-" + w);
            thread.start();
            threads.add(thread);
        }
        long last = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(1000);
            long total = sum(acked);
            System.out.printf("workload: %,d writes acknowledged (+%,d in the last second)%n", total * 2,
                    (total - last) * 2);
            last = total;
        }
        StringBuilder lines = new StringBuilder();
        for (int w = 0; w < WRITERS; w++) {
            lines.append(w).append(' ').append(acked[w].get()).append('\n');
        }
        Files.writeString(ackFile, lines);
        System.out.printf("workload done: %,d acknowledged writes (%d writers x PUT+APPEND)%n", sum(acked) * 2,
                WRITERS);
        System.out.printf("workload: longest pause between acknowledged writes: %,d ms%n", gaps.longestMillis());
        System.out.printf("workload: pauses of %d ms or more (epoch ms): %s%n", AckGaps.NOTED_PAUSE_MILLIS, gaps.noted());
        return failed.get() ? 3 : 0;
    }

    /**
     * The pauses between two acknowledged writes of any writers, counted from the first
     * acknowledgement (so the clients' start-up is not taken for a pause): the longest, and every
     * one of at least {@link #NOTED_PAUSE_MILLIS} with the wall-clock times (epoch milliseconds) of
     * the acknowledgements around it, so the demo finds the one that spans its kill -9.
     */
    private static final class AckGaps {
        static final long NOTED_PAUSE_MILLIS = 50;
        /** Noted pauses kept: the first ones (a demo has a handful). */
        static final int MAX_NOTED = 100;

        private long lastNanos = -1;
        private long lastWallMillis;
        private long longestNanos;
        private final List<String> noted = new ArrayList<>();

        synchronized void acknowledged() {
            long now = System.nanoTime();
            long wall = System.currentTimeMillis();
            if (lastNanos >= 0) {
                long gap = now - lastNanos;
                longestNanos = Math.max(longestNanos, gap);
                if (gap >= NOTED_PAUSE_MILLIS * 1_000_000 && noted.size() < MAX_NOTED) {
                    noted.add(String.format("%d ms from %d to %d", gap / 1_000_000, lastWallMillis, wall));
                }
            }
            lastNanos = now;
            lastWallMillis = wall;
        }

        synchronized long longestMillis() {
            return longestNanos / 1_000_000;
        }

        synchronized String noted() {
            return noted.isEmpty() ? "none" : String.join("; ", noted);
        }
    }

    private static void writeLoop(Map<Long, NodeAddress> nodes, SSLContext tls, int writer, long stop,
            AtomicLong acked, AckGaps gaps, AtomicBoolean failed) {
        try (KvClient client = new KvClient(nodes, tls, null, KvClient.DEFAULT_ATTEMPT_TIMEOUT,
                KvClient.DEFAULT_REQUEST_DEADLINE)) {
            for (long i = 1; System.nanoTime() < stop; i++) {
                client.put("demo-" + writer + "-" + i, Long.toString(i));
                gaps.acknowledged();
                client.append("log-" + writer, i + ",");
                gaps.acknowledged();
                acked.set(i);
            }
        } catch (KvException e) {
            failed.set(true);
            System.out.println("workload: writer " + writer + " failed: " + e.getMessage());
        }
    }

    /** Checks every acknowledged write listed in {@code ackFile}; prints the result; 0 if all are there. */
    static int verify(Map<Long, NodeAddress> nodes, SSLContext tls, Path ackFile) throws IOException {
        long checked = 0;
        long problems = 0;
        try (KvClient client = new KvClient(nodes, tls, null, KvClient.DEFAULT_ATTEMPT_TIMEOUT,
                KvClient.DEFAULT_REQUEST_DEADLINE)) {
            for (String line : Files.readAllLines(ackFile)) {
                String[] parts = line.trim().split(" ");
                int writer = Integer.parseInt(parts[0]);
                long count = Long.parseLong(parts[1]);
                problems += checkPuts(client, writer, count);
                problems += checkAppends(client, writer, count);
                checked += 2 * count;
            }
            System.out.printf("verify: %,d acknowledged writes checked through leader node %d: %s%n", checked,
                    client.lastAnsweringPid(), problems == 0 ? "all present, no APPEND applied twice"
                            : problems + " PROBLEMS");
        }
        return problems == 0 ? 0 : 4;
    }

    private static long checkPuts(KvClient client, int writer, long count) {
        List<CompletableFuture<KvReply>> replies = new ArrayList<>();
        long problems = 0;
        for (long i = 1; i <= count; i++) {
            replies.add(client.submit(KvOp.GET, "demo-" + writer + "-" + i, ""));
            if (replies.size() == KvClient.MAX_WINDOW / 2 || i == count) {
                problems += countWrong(replies, i - replies.size() + 1, writer);
                replies.clear();
            }
        }
        return problems;
    }

    private static long countWrong(List<CompletableFuture<KvReply>> replies, long first, int writer) {
        long problems = 0;
        for (int k = 0; k < replies.size(); k++) {
            KvReply reply = replies.get(k).join();
            String expected = Long.toString(first + k);
            if (reply.status() != KvStatus.OK || !reply.text().equals(expected)) {
                problems++;
                System.out.println("verify: demo-" + writer + "-" + expected + " is " + reply);
            }
        }
        return problems;
    }

    private static long checkAppends(KvClient client, int writer, long count) {
        String value = client.get("log-" + writer).orElse("");
        StringBuilder expected = new StringBuilder();
        for (long i = 1; i <= count; i++) {
            expected.append(i).append(',');
        }
        String exact = expected.toString();
        if (value.equals(exact) || value.equals(exact + (count + 1) + ",")) {
            return 0;
        }
        System.out.println("verify: log-" + writer + " should be 1,..," + count + ", but is "
                + (value.length() > 200 ? value.substring(0, 200) + "..." : value));
        return 1;
    }

    private static long sum(AtomicLong[] counters) {
        long total = 0;
        for (AtomicLong counter : counters) {
            total += counter.get();
        }
        return total;
    }
}
