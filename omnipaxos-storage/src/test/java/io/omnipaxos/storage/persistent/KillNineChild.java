package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.messages.Message;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The child JVM of {@link KillNineTest}: three OmniPaxos servers in one thread, each on its own
 * {@link PersistentStorage} folder ({@code dir/1..3}), under a steady load, until it is killed.
 *
 * <p>Arguments: {@code dir life seed from1 from2 from3 [warmup]}. On start it opens each folder
 * and, before building the server, reports what the store holds: {@code OPEN pid logLength
 * decidedIdx promise}, then {@code L pid idx value} for every log index from {@code fromPid} on
 * ({@code -1}: none), then {@code LEND pid}. It then builds every server, calls {@code
 * failRecovery()}, prints {@code READY} and loops: append a few entries on the leader, tick,
 * deliver every message, and report {@code D pid idx value} for each entry a server has newly seen
 * decided and {@code P pid promise} whenever a server's stored promise changes. Output is flushed
 * once per loop, after the storage calls it reports on have returned, so whatever the parent has
 * read was durable when it was printed.
 *
 * <p>It stops by itself if its standard input closes (the parent died), after {@link #MAX_LIFE_MILLIS}
 * or, with {@code warmup}, after a short run (used to record a class-data archive).
 */
public final class KillNineChild {

    static final int SERVERS = 3;
    /** A child left behind by a dead parent stops after this long at the latest. */
    static final long MAX_LIFE_MILLIS = 60_000;
    /** The load stops growing the log past this, so a forgotten child cannot fill the disk. */
    static final long MAX_LOG_LENGTH = 5_000_000;
    private static final int WARMUP_LOOPS = 300;

    private final PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false,
            StandardCharsets.UTF_8);
    private final Map<Long, PersistentStorage<String>> storages = new TreeMap<>();
    private final Map<Long, OmniPaxos<String>> servers = new TreeMap<>();
    private final Map<Long, Long> reportedIdx = new TreeMap<>();
    private final Map<Long, Ballot> reportedPromise = new TreeMap<>();
    private final List<Message<String>> outgoing = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        if (args.length < 6) {
            throw new IllegalArgumentException("usage: KillNineChild dir life seed from1 from2 from3 [warmup]");
        }
        stopWhenParentGoes();
        Path dir = Path.of(args[0]);
        long life = Long.parseLong(args[1]);
        Random random = new Random(Long.parseLong(args[2]) * 1_000_003L + life);
        boolean warmup = args.length > 6 && args[6].equals("warmup");
        KillNineChild child = new KillNineChild();
        for (long pid = 1; pid <= SERVERS; pid++) {
            child.open(dir, pid, Long.parseLong(args[2 + (int) pid]));
        }
        child.build();
        child.run(life, random, warmup);
        // Chronicle leaves non-daemon threads behind: exit explicitly so that a warm-up run ends
        // normally (a class-data archive is written at a normal exit).
        System.exit(0);
    }

    /** Halts this JVM when its standard input closes: the parent test died and cannot kill it any more. */
    static void stopWhenParentGoes() {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent never writes; EOF means it is gone
                }
            } catch (IOException ignored) {
                // same as EOF
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void open(Path dir, long pid, long listFrom) {
        PersistentStorage<String> storage = PersistentStorage.open(
                PersistentStorageConfig.at(dir.resolve(Long.toString(pid))).codec(StringCodec.INSTANCE));
        storages.put(pid, storage);
        long length = storage.getLogLength();
        out.println("OPEN " + pid + " " + length + " " + storage.getDecidedIdx() + " " + format(storage.getPromise()));
        if (listFrom >= 0 && listFrom < length) {
            for (long from = listFrom; from < length; from += 10_000) {
                long to = Math.min(length, from + 10_000);
                List<String> entries = storage.getEntries(from, to);
                for (int i = 0; i < entries.size(); i++) {
                    out.println("L " + pid + " " + (from + i) + " " + entries.get(i));
                }
            }
        }
        out.println("LEND " + pid);
        out.flush();
    }

    private void build() {
        List<Long> nodes = new ArrayList<>(storages.keySet());
        for (long pid : nodes) {
            OmniPaxosConfig config = OmniPaxosConfig.builder().configurationId(1).pid(pid).nodes(nodes)
                    .batchSize(100).flushBatchTickTimeout(1).build();
            OmniPaxos<String> server = config.build(storages.get(pid));
            server.failRecovery();
            servers.put(pid, server);
            reportedIdx.put(pid, server.getDecidedIdx());
            reportedPromise.put(pid, storages.get(pid).getPromise());
        }
        out.println("READY");
        out.flush();
    }

    private void run(long life, Random random, boolean warmup) {
        long deadline = System.nanoTime() + MAX_LIFE_MILLIS * 1_000_000L;
        long counter = 0;
        for (int loop = 0; !warmup || loop < WARMUP_LOOPS; loop++) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("child life " + life + " was not killed within " + MAX_LIFE_MILLIS + " ms");
            }
            OmniPaxos<String> leader = leader();
            if (leader != null && storages.get(1L).getLogLength() < MAX_LOG_LENGTH) {
                int count = 1 + random.nextInt(200);
                for (int i = 0; i < count; i++) {
                    leader.append("l" + life + "-" + counter++);
                }
            }
            servers.values().forEach(OmniPaxos::tick);
            deliverAll();
            report();
        }
        servers.clear();
        storages.values().forEach(PersistentStorage::close);
    }

    private OmniPaxos<String> leader() {
        for (var e : servers.entrySet()) {
            var info = e.getValue().getCurrentLeaderInfo();
            if (info.isPresent() && info.get().pid() == e.getKey() && info.get().accepting()) {
                return e.getValue();
            }
        }
        return null;
    }

    private void deliverAll() {
        boolean delivered = true;
        while (delivered) {
            delivered = false;
            for (OmniPaxos<String> server : servers.values()) {
                server.takeOutgoingMessages(outgoing);
                for (Message<String> message : outgoing) {
                    servers.get(message.to()).handleIncoming(message);
                }
                delivered |= !outgoing.isEmpty();
                outgoing.clear();
            }
        }
    }

    private void report() {
        for (var e : servers.entrySet()) {
            long pid = e.getKey();
            long from = reportedIdx.get(pid);
            List<LogEntry<String>> decided = e.getValue().readDecidedSuffix(from);
            for (LogEntry<String> entry : decided) {
                if (!(entry instanceof LogEntry.Decided<String> d)) {
                    throw new IllegalStateException("server " + pid + " read " + entry + " at " + from);
                }
                out.println("D " + pid + " " + from++ + " " + d.entry());
            }
            reportedIdx.put(pid, from);
            Ballot promise = storages.get(pid).getPromise();
            if (!promise.equals(reportedPromise.get(pid))) {
                reportedPromise.put(pid, promise);
                out.println("P " + pid + " " + format(promise));
            }
        }
        out.flush();
    }

    /** A ballot as {@code n.priority.pid}, the form the parent parses. */
    static String format(Ballot b) {
        return b.n() + "." + b.priority() + "." + b.pid();
    }
}
