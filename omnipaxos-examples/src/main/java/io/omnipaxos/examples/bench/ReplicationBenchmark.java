package io.omnipaxos.examples.bench;

import io.netty.channel.EventLoopGroup;
import io.omnipaxos.CompactionException;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.codec.BytesCodec;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.examples.cli.CommandLines;
import io.omnipaxos.examples.cli.Progress;
import io.omnipaxos.examples.kv.net.EventLoops;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.peer.ReplicaNode;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The raw replication rate over Netty: 3 {@link ReplicaNode}s in this JVM (one event loop thread
 * each, MemoryStorage, loopback TCP between them), 16-byte entries appended on the leader in chunks
 * while at most {@code --window} entries are undecided; the leader trims the log every 100,000
 * decided entries, so memory stays bounded however long it runs. Prints decided entries per second,
 * the latency from append to decided per chunk, and peak memory.
 *
 * <p>Options: {@code --seconds N} (default 10), {@code --warmup-seconds N} (3), {@code --batch-size
 * N} (1000), {@code --chunk N} (2000), {@code --window N} (100000), {@code --tick-ms N} (1);
 * {@code --help} lists them. On a terminal a progress line shows the seconds so far.
 */
public final class ReplicationBenchmark {

    private static final int ENTRY_BYTES = 16;
    /** The leader trims the log every this many decided entries, so memory stays bounded. */
    private static final long TRIM_EVERY = 100_000;

    private final int chunk;
    private final int window;
    private LatencyHistogram latency = new LatencyHistogram(); // replaced after the warm-up, on the leader loop
    private final ArrayDeque<long[]> chunkStarts = new ArrayDeque<>(); // {end index, start nanos}
    private ReplicaNode<byte[]> leader;
    private long appended;
    private long decided;
    private long nextTrim = TRIM_EVERY;

    private ReplicationBenchmark(int chunk, int window) {
        this.chunk = chunk;
        this.window = window;
    }

    /** The command line. */
    @Command(name = "ReplicationBenchmark", mixinStandardHelpOptions = true,
            description = "Decided entries per second of 3 nodes in one JVM over loopback TCP, MemoryStorage.")
    static final class Options {
        @Option(names = "--seconds", paramLabel = "N", defaultValue = "10", description = "Measured seconds (default 10).")
        long seconds;

        @Option(names = "--warmup-seconds", paramLabel = "N", defaultValue = "3",
                description = "Seconds before measuring (default 3).")
        long warmup;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1000", description = "batch_size (default 1000).")
        int batchSize;

        @Option(names = "--tick-ms", paramLabel = "N", defaultValue = "1", description = "Milliseconds per tick (default 1).")
        int tickMillis;

        @Option(names = "--chunk", paramLabel = "N", defaultValue = "2000",
                description = "Entries appended at once (default 2000).")
        int chunk;

        @Option(names = "--window", paramLabel = "N", defaultValue = "100000",
                description = "The most undecided entries (default 100,000).")
        int window;
    }

    /** Runs the benchmark with the options in the class comment. */
    public static void main(String[] args) throws Exception {
        Options options = CommandLines.parseOrExit(new Options(), args);
        long seconds = options.seconds;
        long warmup = options.warmup;
        int batchSize = options.batchSize;
        int tickMillis = options.tickMillis;
        ReplicationBenchmark bench = new ReplicationBenchmark(options.chunk, options.window);
        System.out.printf("replication benchmark: 3 nodes in one JVM over loopback TCP, MemoryStorage, %d-byte entries,"
                + " batch_size %d, chunk %d, window %d, %d s warm-up + %d s%n", ENTRY_BYTES, batchSize, bench.chunk,
                bench.window, warmup, seconds);
        bench.run(batchSize, tickMillis, warmup, seconds);
    }

    private void run(int batchSize, int tickMillis, long warmup, long seconds) throws Exception {
        Map<Long, NodeAddress> nodes = addresses();
        List<EventLoopGroup> groups = new ArrayList<>();
        List<ReplicaNode<byte[]>> replicas = new ArrayList<>();
        try {
            for (long pid = 1; pid <= 3; pid++) {
                EventLoopGroup group = EventLoops.singleThread();
                groups.add(group);
                OmniPaxosConfig config = OmniPaxosConfig.builder().configurationId(1).pid(pid)
                        .nodes(List.of(1L, 2L, 3L)).batchSize(batchSize).bufferSize(4 * window)
                        .electionTickTimeout(200).resendMessageTickTimeout(400).flushBatchTickTimeout(1).build();
                replicas.add(new ReplicaNode<>(config, new MemoryStorage<>(), false,
                        new MessageCodec<>(BytesCodec.INSTANCE, ReplicaNode.PEER_LIMITS), nodes, null, group.next(),
                        tickMillis, new Driver(pid)));
            }
            for (ReplicaNode<byte[]> replica : replicas) {
                replica.start();
            }
            leader = awaitLeader(replicas);
            leader.loop().execute(this::topUp);
            long startDecided;
            long endDecided;
            long start;
            try (Progress progress = Progress.start("replication benchmark", warmup + seconds, null, "")) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
                startDecided = leader.loop().submit(() -> decided).get();
                start = System.nanoTime();
                leader.loop().execute(() -> latency = new LatencyHistogram());
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                endDecided = leader.loop().submit(() -> decided).get();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("throughput: %,d entries decided in %.1f s = %,.0f entries/s%n", endDecided - startDecided,
                    elapsed, (endDecided - startDecided) / elapsed);
            System.out.println("latency append->decided per chunk: " + leader.loop().submit(() -> latency.summaryMicros()).get());
            System.out.println(Measurements.memoryLine());
        } finally {
            for (ReplicaNode<byte[]> replica : replicas) {
                replica.loop().submit(replica::close).awaitUninterruptibly();
            }
            groups.forEach(g -> g.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly());
        }
    }

    /** Appends chunks on the leader while fewer than {@code window} entries are undecided. Leader loop only. */
    private void topUp() {
        while (appended - decided + chunk <= window) {
            long startNanos = System.nanoTime();
            for (int i = 0; i < chunk; i++) {
                leader.append(entry(appended++));
            }
            chunkStarts.add(new long[] {appended, startNanos});
        }
    }

    /** Counts decided entries on the leader and keeps it fed. */
    private final class Driver implements ReplicaNode.Listener<byte[]> {
        private final long pid;

        Driver(long pid) {
            this.pid = pid;
        }

        @Override
        public void onDecided(byte[] entry) {
            if (leader != null && leader.pid() == pid) {
                decided++;
            }
        }

        @Override
        public void onTrimmed(long compactedIdx) {
            // Followers do not apply anything here; trimmed entries need no handling.
        }

        @Override
        public void afterStep() {
            if (leader != null && leader.pid() == pid) {
                long now = System.nanoTime();
                while (!chunkStarts.isEmpty() && chunkStarts.peek()[0] <= decided) {
                    latency.record(now - chunkStarts.poll()[1]);
                }
                topUp();
                trimIfDue();
            }
        }

        @Override
        public void onFatal(Throwable failure) {
            failure.printStackTrace();
            System.exit(70);
        }
    }

    /** Leader loop only: trims what every node has accepted; a refusal just waits for the next step. */
    private void trimIfDue() {
        if (decided < nextTrim) {
            return;
        }
        try {
            leader.paxos().trim(OptionalLong.empty());
            nextTrim = decided + TRIM_EVERY;
        } catch (CompactionException notYet) {
            // A follower has not accepted that far yet; try again after the next step.
        }
    }

    private static ReplicaNode<byte[]> awaitLeader(List<ReplicaNode<byte[]>> replicas) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (ReplicaNode<byte[]> replica : replicas) {
                boolean leads = replica.loop().submit(() -> replica.paxos().getCurrentLeaderInfo()
                        .map(info -> info.pid() == replica.pid() && info.accepting()).orElse(false)).get();
                if (leads) {
                    return replica;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no leader within 30 s");
    }

    private static Map<Long, NodeAddress> addresses() throws IOException {
        Map<Long, NodeAddress> nodes = new HashMap<>();
        for (long pid = 1; pid <= 3; pid++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                nodes.put(pid, new NodeAddress(pid, "127.0.0.1", socket.getLocalPort(), 1));
            }
        }
        return nodes;
    }

    private static byte[] entry(long sequence) {
        return ByteBuffer.allocate(ENTRY_BYTES).putLong(sequence).putLong(~sequence).array();
    }
}
