package io.omnipaxos.examples.kv.client;

import io.netty.channel.EventLoopGroup;
import io.omnipaxos.examples.bench.LatencyHistogram;
import io.omnipaxos.examples.bench.Measurements;
import io.omnipaxos.examples.cli.Progress;
import io.omnipaxos.examples.kv.net.EventLoops;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The load mode of {@code kv}: {@code clients} clients, each keeping {@code pipeline} requests in
 * flight, PUT (and optionally GET) {@code valueBytes}-byte values on random keys for a warm-up and
 * then {@code seconds}; prints ops/s, latency percentiles, errors, retries and this process's
 * memory. All clients share one event loop thread, which also records the latencies. On a
 * terminal, a {@link Progress} line shows the seconds and the requests answered so far.
 */
final class LoadGenerator {

    /** Keys are drawn from this many. */
    static final int KEY_SPACE = 100_000;
    /** How long to wait for the last requests after the measured period. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final Map<Long, NodeAddress> nodes;
    private final SSLContext tls;
    private final int clients;
    private final int pipeline;
    private final int valueBytes;
    private final int getPercent;
    /** Whether client i talks to the i-th node only (round robin) instead of to the leader. */
    private final boolean spread;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final SplittableRandom random = new SplittableRandom(42);
    private final String value;
    private long measureStartNanos;
    private long stopNanos;
    private long measuredOps;
    private long errors;
    /** Requests answered so far, warm-up included; written on the event loop, read by the progress display. */
    private volatile long answered;
    private long outstanding;
    private CountDownLatch drained;

    LoadGenerator(Map<Long, NodeAddress> nodes, SSLContext tls, int clients, int pipeline, int valueBytes,
            int getPercent, boolean spread) {
        if (clients < 1 || pipeline < 1 || pipeline > KvClient.MAX_WINDOW || valueBytes < 0
                || valueBytes > KvCommand.MAX_VALUE_BYTES || getPercent < 0 || getPercent > 100) {
            throw new IllegalArgumentException("need clients >= 1, pipeline in [1, " + KvClient.MAX_WINDOW
                    + "], value bytes in [0, " + KvCommand.MAX_VALUE_BYTES + "], get percent in [0, 100]");
        }
        this.nodes = nodes;
        this.tls = tls;
        this.clients = clients;
        this.pipeline = pipeline;
        this.valueBytes = valueBytes;
        this.getPercent = getPercent;
        this.spread = spread;
        this.value = "v".repeat(valueBytes);
    }

    /** Runs the load and prints the figures. */
    void run(long warmupSeconds, long seconds) throws InterruptedException {
        System.out.printf("load: %d clients x pipeline %d, %d-byte values, %d%% GET, %d s warm-up + %d s%s%n", clients,
                pipeline, valueBytes, getPercent, warmupSeconds, seconds, spread ? ", clients spread over the nodes" : "");
        EventLoopGroup group = EventLoops.singleThread();
        List<KvClient> all = new ArrayList<>();
        try {
            long now = System.nanoTime();
            measureStartNanos = now + TimeUnit.SECONDS.toNanos(warmupSeconds);
            stopNanos = measureStartNanos + TimeUnit.SECONDS.toNanos(seconds);
            drained = new CountDownLatch(1);
            List<Long> pids = List.copyOf(nodes.keySet());
            for (int i = 0; i < clients; i++) {
                long pid = pids.get(i % pids.size());
                all.add(new KvClient(spread ? Map.of(pid, nodes.get(pid)) : nodes, tls, group,
                        KvClient.DEFAULT_ATTEMPT_TIMEOUT, KvClient.DEFAULT_REQUEST_DEADLINE));
            }
            group.next().submit(() -> all.forEach(client -> {
                for (int p = 0; p < pipeline; p++) {
                    issue(client);
                }
            })).sync();
            boolean done;
            try (Progress progress = Progress.start("load", warmupSeconds + seconds, () -> answered, "answered")) {
                done = drained.await(warmupSeconds + seconds + DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            report(done, seconds, all);
        } finally {
            all.forEach(KvClient::close);
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
        }
    }

    /** Sends one request on {@code client}; its completion sends the next until the end. Event loop only. */
    private void issue(KvClient client) {
        long start = System.nanoTime();
        if (start >= stopNanos) {
            if (outstanding == 0) {
                drained.countDown();
            }
            return;
        }
        outstanding++;
        String key = "key" + random.nextInt(KEY_SPACE);
        boolean get = random.nextInt(100) < getPercent;
        client.submit(get ? KvOp.GET : KvOp.PUT, key, get ? "" : value).whenComplete((reply, failure) -> {
            long end = System.nanoTime();
            outstanding--;
            answered++; // only the event loop writes it
            if (failure != null || reply.status() == KvStatus.ERROR) {
                errors++;
            } else if (start >= measureStartNanos && end <= stopNanos) {
                measuredOps++;
                latency.record(end - start);
            }
            issue(client);
        });
    }

    private void report(boolean drainedInTime, long seconds, List<KvClient> all) {
        long retries = all.stream().mapToLong(KvClient::retries).sum();
        System.out.printf("throughput: %,d ops in %d s = %,.0f ops/s (errors %d, retries %d%s)%n", measuredOps,
                seconds, measuredOps / (double) seconds, errors, retries,
                drainedInTime ? "" : ", some requests still unanswered at the end");
        System.out.println("latency: " + latency.summaryMicros());
        System.out.println("load process " + Measurements.memoryLine());
    }
}
