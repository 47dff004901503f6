package io.omnipaxos.examples.bench;

import io.omnipaxos.OmniPaxos;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.nio.ByteBuffer;

/**
 * Decided entries per second of 3 OmniPaxos servers in one thread, with in-memory message passing
 * and {@link MemoryStorage}: the cost of the protocol itself, with no network or disk.
 *
 * <p>Each run builds a fresh cluster and decides {@code --entries-per-run} 16-byte entries appended
 * on the leader; runs repeat until {@code --seconds} have passed, so memory stays bounded however
 * long it runs. Prints the settings, decided entries per second per run and overall, the latency
 * from append to decided per appended chunk, and peak memory.
 *
 * <p>Options: {@code --seconds N} (default 10), {@code --entries-per-run N} (default 5,000,000),
 * {@code --batch-size N} (default 1,000), {@code --chunk N} entries appended between deliveries
 * (default 4 × batch size).
 */
public final class InProcessBenchmark {

    private static final int ENTRY_BYTES = 16;

    private InProcessBenchmark() {}

    public static void main(String[] args) {
        BenchmarkArgs options = BenchmarkArgs.parse(args);
        long seconds = options.getLong("seconds", 10);
        long perRun = options.getLong("entries-per-run", 5_000_000);
        int batchSize = (int) options.getLong("batch-size", 1000);
        int chunk = (int) options.getLong("chunk", 4L * batchSize);
        System.out.printf("in-process benchmark: 3 servers, MemoryStorage, %d-byte entries, batch_size %d, "
                + "chunk %d, %d entries per run, %d s%n", ENTRY_BYTES, batchSize, chunk, perRun, seconds);
        LatencyHistogram latency = new LatencyHistogram();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long totalDecided = 0;
        long totalNanos = 0;
        int run = 0;
        while (System.nanoTime() < deadline || run == 0) {
            long start = System.nanoTime();
            long decided = runOnce(perRun, batchSize, chunk, latency);
            long elapsed = System.nanoTime() - start;
            totalDecided += decided;
            totalNanos += elapsed;
            System.out.printf("run %d: %,d decided in %.2f s = %,.0f entries/s%n",
                    ++run, decided, elapsed / 1e9, decided / (elapsed / 1e9));
        }
        System.out.printf("overall: %,.0f decided entries/s over %d runs%n", totalDecided / (totalNanos / 1e9), run);
        System.out.println("latency append->decided per chunk: " + latency.summaryMicros());
        System.out.println(Measurements.memoryLine());
    }

    /** Decides {@code target} entries on a fresh cluster; returns the number decided. */
    private static long runOnce(long target, int batchSize, int chunk, LatencyHistogram latency) {
        InProcessCluster<byte[]> cluster = new InProcessCluster<>(3, pid -> new MemoryStorage<>(),
                b -> b.batchSize(batchSize).bufferSize(Math.max(100_000, 4 * chunk)).flushBatchTickTimeout(1));
        OmniPaxos<byte[]> leader = cluster.server(cluster.awaitLeader(1000));
        long startIdx = leader.getDecidedIdx();
        long appended = 0;
        while (leader.getDecidedIdx() - startIdx < target) {
            long chunkStart = System.nanoTime();
            long goal = Math.min(target, appended + chunk);
            for (; appended < goal; appended++) {
                leader.append(entry(appended));
            }
            cluster.deliverAll();
            if (appended == target) {
                cluster.tick();
            }
            latency.record(System.nanoTime() - chunkStart);
        }
        return leader.getDecidedIdx() - startIdx;
    }

    private static byte[] entry(long sequence) {
        return ByteBuffer.allocate(ENTRY_BYTES).putLong(sequence).putLong(~sequence).array();
    }
}
