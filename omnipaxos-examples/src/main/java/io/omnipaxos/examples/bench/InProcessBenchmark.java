package io.omnipaxos.examples.bench;

import io.omnipaxos.OmniPaxos;
import io.omnipaxos.examples.cli.CommandLines;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Decided entries per second of 3 OmniPaxos servers in one thread, with in-memory message passing
 * and {@link MemoryStorage}: the cost of the protocol itself, with no network or disk.
 *
 * <p>The leader appends 16-byte entries in chunks; after each chunk the messages are delivered
 * until the cluster is quiet. Every {@code --trim-every} decided entries the leader trims the log,
 * so memory stays bounded however long it runs. Prints the settings, decided entries per second
 * for every second and overall, the latency from append to decided per chunk, and peak memory.
 *
 * <p>Options: {@code --seconds N} (default 10), {@code --batch-size N} (default 1,000),
 * {@code --chunk N} entries appended between deliveries (default 4 × batch size),
 * {@code --trim-every N} (default 100,000); {@code --help} lists them.
 */
public final class InProcessBenchmark {

    private static final int ENTRY_BYTES = 16;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private InProcessBenchmark() {}

    /** The command line. */
    @Command(name = "InProcessBenchmark", mixinStandardHelpOptions = true,
            description = "Decided entries per second of 3 servers in one thread, MemoryStorage.")
    static final class Options {
        @Option(names = "--seconds", paramLabel = "N", defaultValue = "10", description = "How long (default 10).")
        long seconds;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1000", description = "batch_size (default 1000).")
        int batchSize;

        @Option(names = "--chunk", paramLabel = "N",
                description = "Entries appended between deliveries (default 4 x batch size).")
        Integer chunk;

        @Option(names = "--trim-every", paramLabel = "N", defaultValue = "100000",
                description = "Decided entries between trims (default 100,000).")
        long trimEvery;
    }

    /** Runs the benchmark with the options in the class comment. */
    public static void main(String[] args) {
        Options options = CommandLines.parseOrExit(new Options(), args);
        long seconds = options.seconds;
        int batchSize = options.batchSize;
        int chunk = options.chunk != null ? options.chunk : 4 * batchSize;
        long trimEvery = options.trimEvery;
        System.out.printf("in-process benchmark: 3 servers, MemoryStorage, %d-byte entries, batch_size %d, "
                + "chunk %d, trim every %,d, %d s, %s%n", ENTRY_BYTES, batchSize, chunk, trimEvery, seconds,
                Runtime.version());
        InProcessCluster<byte[]> cluster = new InProcessCluster<>(3, pid -> new MemoryStorage<>(),
                b -> b.batchSize(batchSize).bufferSize(Math.max(100_000, 4 * chunk)).flushBatchTickTimeout(1));
        OmniPaxos<byte[]> leader = cluster.server(cluster.awaitLeader(1000));
        LatencyHistogram latency = new LatencyHistogram();
        long start = System.nanoTime();
        long secondStart = start;
        long decidedAtSecondStart = leader.getDecidedIdx();
        long appended = 0;
        long nextTrim = trimEvery;
        while (System.nanoTime() - start < seconds * NANOS_PER_SECOND) {
            long chunkStart = System.nanoTime();
            for (long end = appended + chunk; appended < end; appended++) {
                leader.append(entry(appended));
            }
            cluster.deliverAll();
            cluster.applyDecided(); // every replica applies what was decided, as a state machine would
            long now = System.nanoTime();
            latency.record(now - chunkStart);
            if (leader.getDecidedIdx() >= nextTrim) {
                leader.trim(OptionalLong.empty());
                cluster.deliverAll();
                nextTrim = leader.getDecidedIdx() + trimEvery;
            }
            if (now - secondStart >= NANOS_PER_SECOND) {
                long decided = leader.getDecidedIdx() - decidedAtSecondStart;
                System.out.printf("  %,.0f decided entries/s%n", decided / ((now - secondStart) / 1e9));
                secondStart = now;
                decidedAtSecondStart = leader.getDecidedIdx();
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("overall: %,d decided in %.1f s = %,.0f decided entries/s%n",
                leader.getDecidedIdx(), elapsed, leader.getDecidedIdx() / elapsed);
        System.out.println("latency append->decided per chunk of " + chunk + ": " + latency.summaryMicros());
        System.out.println(Measurements.memoryLine());
    }

    private static byte[] entry(long sequence) {
        return ByteBuffer.allocate(ENTRY_BYTES).putLong(sequence).putLong(~sequence).array();
    }
}
