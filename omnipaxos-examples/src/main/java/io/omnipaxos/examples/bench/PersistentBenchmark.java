package io.omnipaxos.examples.bench;

import io.omnipaxos.OmniPaxos;
import io.omnipaxos.codec.BytesCodec;
import io.omnipaxos.examples.cli.CommandLines;
import io.omnipaxos.storage.persistent.PersistentStorage;
import io.omnipaxos.storage.persistent.PersistentStorageConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Durable decided entries per second of 3 OmniPaxos servers in one thread, each on its own
 * {@link PersistentStorage} in its own folder, with the default (safe) sync policy: an entry counts
 * once the leader has seen it accepted by a majority, each of which synced it to disk first.
 *
 * <p>Prints the settings; the first open of a store in this JVM (class loading included); per run
 * the decided entries per second and the open time of a reopened store of that run's entries in
 * this (warm) JVM, then overall, and the latency from append to decided per appended chunk; the
 * append throughput of one store on its own, measured after the runs so that the code is compiled
 * (plain appends of {@code --batch-size} entries, each call synced); with {@code --open-entries N}
 * the open time of a store of N entries; and peak memory.
 * Each run starts on new folders and deletes them afterwards, so memory and disk stay bounded
 * however long it runs; {@code --dir} is deleted at the start and at the end.
 *
 * <p>Options: {@code --dir PATH} (default {@code target/bench-data}), {@code --seconds N} (default
 * 10), {@code --entries-per-run N} (default 1,000,000), {@code --batch-size N} (default 2,000),
 * {@code --chunk N} entries appended between deliveries (default 4 × batch size),
 * {@code --open-entries N} (default 0: skip); {@code --help} lists them.
 *
 * <p>Run it with the Chronicle flags (the root pom's {@code chronicle.jvm.flags}), e.g. from the
 * repository root after {@code mvn -q -pl omnipaxos-examples -am package -DskipTests}:
 * <pre>{@code
 * java $CHRONICLE_FLAGS -cp "omnipaxos-examples/target/classes:$(cat cp.txt)" \
 *     io.omnipaxos.examples.bench.PersistentBenchmark --seconds 20 --open-entries 10000000
 * }</pre>
 */
public final class PersistentBenchmark {

    private static final int ENTRY_BYTES = 16;
    /** Entries per appendEntries call when writing the --open-entries store. */
    private static final int FILL_BATCH = 10_000;

    private PersistentBenchmark() {}

    /** The command line. */
    @Command(name = "PersistentBenchmark", mixinStandardHelpOptions = true,
            description = "Durable decided entries per second of 3 servers in one thread, PersistentStorage.")
    static final class Options {
        @Option(names = "--dir", paramLabel = "PATH", defaultValue = "target/bench-data",
                description = "Where the stores go; deleted at the start and the end (default ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--seconds", paramLabel = "N", defaultValue = "10", description = "How long (default 10).")
        long seconds;

        @Option(names = "--entries-per-run", paramLabel = "N", defaultValue = "1000000",
                description = "Entries decided on each run's fresh stores (default 1,000,000).")
        long perRun;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "2000", description = "batch_size (default 2000).")
        int batchSize;

        @Option(names = "--chunk", paramLabel = "N",
                description = "Entries appended between deliveries (default 4 x batch size).")
        Integer chunk;

        @Option(names = "--open-entries", paramLabel = "N", defaultValue = "0",
                description = "Also time opening a store of N entries (default 0: skip).")
        long openEntries;
    }

    /** Runs the benchmark with the options in the class comment. */
    public static void main(String[] args) throws IOException {
        Options options = CommandLines.parseOrExit(new Options(), args);
        Path dir = options.dir;
        long seconds = options.seconds;
        long perRun = options.perRun;
        int batchSize = options.batchSize;
        int chunk = options.chunk != null ? options.chunk : 4 * batchSize;
        long openEntries = options.openEntries;
        System.out.printf("persistent benchmark: 3 servers, PersistentStorage (sync %s), %d-byte entries, "
                + "batch_size %d, chunk %d, %d entries per run, %d s, dir %s%n", config(dir).syncPolicy(),
                ENTRY_BYTES, batchSize, chunk, perRun, seconds, dir);
        deleteTree(dir);
        try {
            measureFirstOpen(dir.resolve("first-open"));
            runCluster(dir, seconds, perRun, batchSize, chunk);
            measureAppends(dir.resolve("append"), Math.min(perRun, 1_000_000), batchSize);
            if (openEntries > 0) {
                measureLargeOpen(dir.resolve("large"), openEntries);
            }
        } finally {
            deleteTree(dir);
        }
        System.out.println(Measurements.memoryLine());
    }

    private static PersistentStorageConfig<byte[]> config(Path dir) {
        return PersistentStorageConfig.at(dir).codec(BytesCodec.INSTANCE);
    }

    private static void measureFirstOpen(Path dir) {
        long start = System.nanoTime();
        PersistentStorage.open(config(dir)).close();
        System.out.printf("first open in this JVM (empty store, class loading included): %.0f ms%n",
                (System.nanoTime() - start) / 1e6);
    }

    private static void measureAppends(Path dir, long entries, int batchSize) throws IOException {
        List<byte[]> batch = new ArrayList<>(batchSize);
        long start = System.nanoTime();
        try (PersistentStorage<byte[]> storage = PersistentStorage.open(config(dir))) {
            for (long i = 0; i < entries; i += batchSize) {
                batch.clear();
                for (long j = i; j < Math.min(entries, i + batchSize); j++) {
                    batch.add(entry(j));
                }
                storage.appendEntries(batch);
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("append, one store: %,d entries in %.2f s = %,.0f entries/s (%,.0f synced calls/s)%n",
                entries, secs, entries / secs, entries / (double) batchSize / secs);
        deleteTree(dir);
    }

    private static void runCluster(Path dir, long seconds, long perRun, int batchSize, int chunk) throws IOException {
        LatencyHistogram latency = new LatencyHistogram();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long totalDecided = 0;
        long totalNanos = 0;
        int run = 0;
        while (System.nanoTime() < deadline || run == 0) {
            Path runDir = dir.resolve("run-" + run);
            List<PersistentStorage<byte[]>> storages = new ArrayList<>();
            long start = System.nanoTime();
            long decided;
            try {
                decided = runOnce(runDir, storages, perRun, batchSize, chunk, latency);
            } finally {
                storages.forEach(PersistentStorage::close);
            }
            long elapsed = System.nanoTime() - start;
            totalDecided += decided;
            totalNanos += elapsed;
            System.out.printf("run %d: %,d durable decided in %.2f s = %,.0f entries/s; %s%n", ++run, decided,
                    elapsed / 1e9, decided / (elapsed / 1e9), reopen(runDir.resolve("1")));
            deleteTree(runDir);
        }
        System.out.printf("overall: %,.0f durable decided entries/s over %d runs%n",
                totalDecided / (totalNanos / 1e9), run);
        System.out.println("latency append->decided per chunk: " + latency.summaryMicros());
    }

    /** Decides {@code target} entries on a cluster of fresh stores under {@code runDir}. */
    private static long runOnce(Path runDir, List<PersistentStorage<byte[]>> storages, long target, int batchSize,
                                int chunk, LatencyHistogram latency) {
        InProcessCluster<byte[]> cluster = new InProcessCluster<>(3, pid -> {
            PersistentStorage<byte[]> storage = PersistentStorage.open(config(runDir.resolve(Long.toString(pid))));
            storages.add(storage);
            return storage;
        }, b -> b.batchSize(batchSize).bufferSize(Math.max(100_000, 4 * chunk)).flushBatchTickTimeout(1));
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

    /** Opens a closed store again and reports its size and the open time. */
    private static String reopen(Path dir) {
        long start = System.nanoTime();
        try (PersistentStorage<byte[]> storage = PersistentStorage.open(config(dir))) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            return String.format("reopen of a %,d-entry store: %d ms", storage.getLogLength(), millis);
        }
    }

    private static void measureLargeOpen(Path dir, long entries) throws IOException {
        long start = System.nanoTime();
        List<byte[]> batch = new ArrayList<>(FILL_BATCH);
        try (PersistentStorage<byte[]> storage = PersistentStorage.open(config(dir))) {
            for (long i = 0; i < entries; i += FILL_BATCH) {
                batch.clear();
                for (long j = i; j < Math.min(entries, i + FILL_BATCH); j++) {
                    batch.add(entry(j));
                }
                storage.appendEntries(batch);
            }
        }
        System.out.printf("wrote a %,d-entry store in %.1f s%n", entries, (System.nanoTime() - start) / 1e9);
        for (int i = 1; i <= 3; i++) {
            System.out.println("open #" + i + ": " + reopen(dir));
        }
        deleteTree(dir);
    }

    private static byte[] entry(long sequence) {
        return ByteBuffer.allocate(ENTRY_BYTES).putLong(sequence).putLong(~sequence).array();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
