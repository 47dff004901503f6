package io.omnipaxos.examples;

import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.examples.bench.InProcessCluster;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Three OmniPaxos servers in one process, as in the OmniPaxos tutorial's key-value example: each
 * server appends {@link KeyValue} entries, every server reads the same decided log, the leader is
 * killed, a new leader is elected and decides more, and the killed server comes back and catches
 * up. Messages go from server to server by method call; time advances by {@code tick()}.
 * Each server's log goes to {@code logs/inprocess-node<pid>.log}.
 */
public final class InProcessExample {

    /** The entry type of the example: one key-value pair. */
    public record KeyValue(String key, long value) {}

    private static final int MAX_TICKS = 10_000;

    private final Map<Long, Storage<KeyValue>> disks = new TreeMap<>();
    private final InProcessCluster<KeyValue> cluster;

    private InProcessExample() {
        cluster = new InProcessCluster<>(3, pid -> disks.computeIfAbsent(pid, p -> new MemoryStorage<>()),
                (pid, builder) -> builder.loggerFilePath("logs/inprocess-node" + pid + ".log"));
        cluster.servers().forEach((pid, server) ->
                server.config().server().loggerFilePath().ifPresent(path -> ServerLogFiles.route(pid, path)));
    }

    /** Runs the example; takes no arguments. */
    public static void main(String[] args) {
        new InProcessExample().run();
    }

    private void run() {
        long leader = cluster.awaitLeader(MAX_TICKS);
        say("server " + leader + " is the leader");
        cluster.server(1).append(new KeyValue("a", 1));
        cluster.server(2).append(new KeyValue("b", 2));
        cluster.server(3).append(new KeyValue("c", 3));
        tickUntil(() -> allDecidedAtLeast(3), "the first three entries to be decided");
        printLogs();

        say("killing the leader, server " + leader);
        cluster.crash(leader);
        long newLeader = cluster.awaitLeader(MAX_TICKS);
        say("server " + newLeader + " is the new leader");
        cluster.server(newLeader).append(new KeyValue("d", 4));
        tickUntil(() -> allDecidedAtLeast(4), "the new leader to decide d=4");
        printLogs();

        say("restarting server " + leader + " on its storage; it calls failRecovery() and catches up");
        cluster.restart(leader, disks.get(leader));
        tickUntil(() -> allDecidedAtLeast(4), "the restarted server to catch up");
        printLogs();
        say("every server holds the same decided log; see logs/inprocess-node*.log for each server's log");
    }

    private boolean allDecidedAtLeast(long decidedIdx) {
        return cluster.servers().values().stream().allMatch(s -> s.getDecidedIdx() >= decidedIdx);
    }

    private void tickUntil(BooleanSupplier condition, String what) {
        for (int i = 0; i < MAX_TICKS && !condition.getAsBoolean(); i++) {
            cluster.tick();
        }
        if (!condition.getAsBoolean()) {
            throw new IllegalStateException("gave up waiting for " + what);
        }
    }

    private void printLogs() {
        for (var entry : cluster.servers().entrySet()) {
            OmniPaxos<KeyValue> server = entry.getValue();
            List<String> decided = server.readDecidedSuffix(0).stream().map(InProcessExample::show).toList();
            say("  server " + entry.getKey() + " decided " + decided);
        }
    }

    private static String show(LogEntry<KeyValue> entry) {
        return entry instanceof LogEntry.Decided<KeyValue> d ? d.entry().key() + "=" + d.entry().value() : entry.toString();
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
