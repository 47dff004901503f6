package io.omnipaxos.examples.bench;

import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.messages.Message;
import io.omnipaxos.storage.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * Servers in one thread that hand messages to each other directly: the network is a method call.
 * Used by the benchmark and the in-process example.
 */
public final class InProcessCluster<T> {

    private final Map<Long, OmniPaxos<T>> servers = new TreeMap<>();
    private final Map<Long, OmniPaxosConfig> configs = new TreeMap<>();
    private final List<Message<T>> outgoing = new ArrayList<>();
    private final LongFunction<Storage<T>> storageFor;
    /** Per server, the index up to which its application has read the decided log. */
    private final Map<Long, Long> appliedIdx = new TreeMap<>();

    /** Builds servers {@code 1..size}, each on the storage {@code storageFor} gives it. */
    public InProcessCluster(int size, LongFunction<Storage<T>> storageFor,
                            UnaryOperator<OmniPaxosConfig.Builder> configure) {
        this(size, storageFor, (pid, builder) -> configure.apply(builder));
    }

    /** Like the other constructor, with configuration that depends on the server's pid. */
    public InProcessCluster(int size, LongFunction<Storage<T>> storageFor,
                            BiFunction<Long, OmniPaxosConfig.Builder, OmniPaxosConfig.Builder> configure) {
        this.storageFor = storageFor;
        List<Long> nodes = new ArrayList<>();
        for (long pid = 1; pid <= size; pid++) {
            nodes.add(pid);
        }
        for (long pid : nodes) {
            OmniPaxosConfig config = configure.apply(pid,
                    OmniPaxosConfig.builder().configurationId(1).pid(pid).nodes(nodes)).build();
            configs.put(pid, config);
            servers.put(pid, config.build(storageFor.apply(pid)));
        }
    }

    /** The live server {@code pid}, or null if it crashed. */
    public OmniPaxos<T> server(long pid) {
        return servers.get(pid);
    }

    /** The live servers by pid. */
    public Map<Long, OmniPaxos<T>> servers() {
        return servers;
    }

    /**
     * Every live server's application reads what was decided since its last call, as a replica's
     * state machine applies it (a follower trims only what its application has read). Returns the
     * number of log slots read.
     */
    public long applyDecided() {
        long read = 0;
        for (Map.Entry<Long, OmniPaxos<T>> entry : servers.entrySet()) {
            long from = appliedIdx.getOrDefault(entry.getKey(), 0L);
            OmniPaxos<T> server = entry.getValue();
            if (server.getDecidedIdx() > from) {
                read += server.readDecidedSuffix(from).size();
                appliedIdx.put(entry.getKey(), server.getDecidedIdx());
            }
        }
        return read;
    }

    /** Ticks every server once, then delivers messages until none are left. */
    public void tick() {
        servers.values().forEach(OmniPaxos::tick);
        deliverAll();
    }

    /** Delivers messages between live servers until every outgoing buffer is empty. */
    public void deliverAll() {
        boolean delivered = true;
        while (delivered) {
            delivered = false;
            for (OmniPaxos<T> server : servers.values()) {
                server.takeOutgoingMessages(outgoing);
                for (Message<T> message : outgoing) {
                    OmniPaxos<T> target = servers.get(message.to());
                    if (target != null) {
                        target.handleIncoming(message);
                    }
                }
                delivered |= !outgoing.isEmpty();
                outgoing.clear();
            }
        }
    }

    /** The server that leads and accepts entries, if any. */
    public Optional<Long> leader() {
        for (var entry : servers.entrySet()) {
            var info = entry.getValue().getCurrentLeaderInfo();
            if (info.isPresent() && info.get().pid() == entry.getKey() && info.get().accepting()) {
                return Optional.of(entry.getKey());
            }
        }
        return Optional.empty();
    }

    /** Ticks until a leader accepts entries; fails after {@code maxTicks}. */
    public long awaitLeader(int maxTicks) {
        for (int i = 0; i < maxTicks; i++) {
            Optional<Long> leader = leader();
            if (leader.isPresent()) {
                return leader.get();
            }
            tick();
        }
        throw new IllegalStateException("no leader after " + maxTicks + " ticks");
    }

    /** Removes a server as if it crashed: it gets no more messages or ticks. */
    public void crash(long pid) {
        servers.remove(pid);
        appliedIdx.remove(pid); // its application starts over when it restarts
    }

    /** Restarts a crashed server on a storage reopened by {@code reopen} and calls failRecovery(). */
    public void restart(long pid, Storage<T> reopened) {
        OmniPaxos<T> server = configs.get(pid).build(reopened);
        server.failRecovery();
        servers.put(pid, server);
    }

    /** The storage factory the cluster was built with. */
    public LongFunction<Storage<T>> storageFactory() {
        return storageFor;
    }
}
