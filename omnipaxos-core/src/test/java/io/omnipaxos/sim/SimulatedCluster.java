package io.omnipaxos.sim;

import io.omnipaxos.AppendRejectedException;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.messages.Message;
import io.omnipaxos.storage.Storage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A deterministic, single-threaded cluster of OmniPaxos servers over a {@link SimulatedNetwork}.
 * One {@link #step()} delivers the due messages, ticks every live server and sends what they
 * produced; the {@link SafetyChecker} runs after every step. Servers know entry sizes (the String
 * codec), so {@code max_message_bytes} applies. Everything random comes from one seed, so a failing
 * run replays exactly: every failure message starts with the seed and the tick.
 */
public final class SimulatedCluster {

    /** Steps an agreed leader must last to count as settled: a few election rounds. */
    public static final int SETTLED_STEPS = 40;

    /** {@code -Dsim.trace=true} prints every delivered message and every server's state per step. */
    private static final boolean TRACE = Boolean.getBoolean("sim.trace");

    private final long seed;
    private final Random random;
    private final SimulatedNetwork network;
    private final StorageFactory storageFactory;
    private final Map<Long, OmniPaxosConfig> configs = new TreeMap<>();
    private final Map<Long, Storage<String>> storages = new TreeMap<>();
    /** Live servers by pid; a crashed server is absent. */
    private final Map<Long, OmniPaxos<String>> servers = new TreeMap<>();
    private final Set<String> appended = new HashSet<>();
    private final SafetyChecker checker = new SafetyChecker(appended);
    private final List<Message<String>> outgoing = new ArrayList<>();
    /** Per server, its reads not answered yet: read id to the entries decided anywhere when it was asked. */
    private final Map<Long, Map<Long, Long>> openReads = new TreeMap<>();
    private long confirmedReads;
    private long now;
    /** Per server: ticks per step (1 unless {@link #clockDrift} set another), and the fraction owed. */
    private final Map<Long, double[]> clocks = new TreeMap<>();
    /** The learners added with {@link #addLearner}; every voter is told of them, also after a restart. */
    private final Set<Long> learners = new java.util.TreeSet<>();
    private final List<Long> voters = new ArrayList<>();
    private long nextValue;
    /** Whether crashes and cut links are reported to the servers at the other end ({@link #reportLinkDowns}). */
    private boolean linkDownsReported;

    private SimulatedCluster(long seed, int size, StorageFactory storageFactory,
                             BiFunction<Long, OmniPaxosConfig.Builder, OmniPaxosConfig.Builder> configure) {
        this.seed = seed;
        this.random = new Random(seed);
        this.network = new SimulatedNetwork(random);
        this.storageFactory = storageFactory;
        List<Long> nodes = new ArrayList<>();
        for (long pid = 1; pid <= size; pid++) {
            nodes.add(pid);
        }
        voters.addAll(nodes);
        for (long pid : nodes) {
            OmniPaxosConfig config = configure.apply(pid, OmniPaxosConfig.builder()
                    .configurationId(1).pid(pid).nodes(nodes)).build();
            configs.put(pid, config);
            storages.put(pid, storageFactory.create(pid));
            servers.put(pid, config.build(storages.get(pid), ListSnapshot.INSTANCE, StringCodec.INSTANCE));
        }
    }

    /** A cluster of {@code size} servers (pids 1..size) on in-memory storage with default settings. */
    public static SimulatedCluster create(long seed, int size) {
        return create(seed, size, StorageFactory.inMemory(), UnaryOperator.identity());
    }

    /** A cluster with the given storage and extra configuration (applied to every server's builder). */
    public static SimulatedCluster create(long seed, int size, StorageFactory storageFactory,
                                          UnaryOperator<OmniPaxosConfig.Builder> configure) {
        return new SimulatedCluster(seed, size, storageFactory, (pid, builder) -> configure.apply(builder));
    }

    /** Like {@link #create(long, int, StorageFactory, UnaryOperator)}, with configuration per pid. */
    public static SimulatedCluster createPerServer(long seed, int size, StorageFactory storageFactory,
            BiFunction<Long, OmniPaxosConfig.Builder, OmniPaxosConfig.Builder> configure) {
        return new SimulatedCluster(seed, size, storageFactory, configure);
    }

    /**
     * Makes the simulator tell servers when a link to them goes down, as a TCP connection's close
     * would: every live server hears {@code disconnected(pid)} when {@code pid} crashes, and both
     * ends of a link cut with {@link #cutLink} hear of the other.
     */
    public SimulatedCluster reportLinkDowns() {
        linkDownsReported = true;
        return this;
    }

    /** Cuts the link between {@code a} and {@code b} both ways, reported to both if {@link #reportLinkDowns}. */
    public void cutLink(long a, long b) {
        network.cut(a, b);
        if (linkDownsReported && a != b) {
            reportLinkDown(a, b);
            reportLinkDown(b, a);
        }
    }

    private void reportLinkDown(long at, long peer) {
        OmniPaxos<String> server = servers.get(at);
        if (server != null) {
            server.disconnected(peer);
        }
    }

    /**
     * Gives every server a clock of its own: a tick rate drawn from {@code [1 - maxDrift, 1 +
     * maxDrift]} ticks per step (a step is the simulator's real time: message delays count steps),
     * fixed for the run. Without it every server ticks once a step.
     */
    public SimulatedCluster clockDrift(double maxDrift) {
        for (long pid : pids()) {
            clocks.put(pid, new double[] {1 + maxDrift * (2 * random.nextDouble() - 1), random.nextDouble()});
        }
        return this;
    }

    /** Sets server {@code pid}'s tick rate, in ticks per step. */
    public SimulatedCluster clockRate(long pid, double ticksPerStep) {
        clocks.put(pid, new double[] {ticksPerStep, 0});
        return this;
    }

    private int ticksThisStep(long pid) {
        double[] clock = clocks.get(pid);
        if (clock == null) {
            return 1;
        }
        clock[1] += clock[0];
        int ticks = (int) clock[1];
        clock[1] -= ticks;
        return ticks;
    }

    public SimulatedNetwork network() {
        return network;
    }

    public Random random() {
        return random;
    }

    public long now() {
        return now;
    }

    public Set<Long> pids() {
        return configs.keySet();
    }

    /** The lowest pid other than {@code pid} (e.g. a follower of the leader {@code pid}). */
    public long anyPidExcept(long pid) {
        return pids().stream().filter(p -> p != pid).findFirst().orElseThrow();
    }

    /** The live server {@code pid}; fails if it is crashed. */
    public OmniPaxos<String> server(long pid) {
        OmniPaxos<String> server = servers.get(pid);
        if (server == null) {
            throw new IllegalStateException(describe() + ": server " + pid + " is crashed");
        }
        return server;
    }

    public boolean isAlive(long pid) {
        return servers.containsKey(pid);
    }

    /** One step: deliver due messages, tick every live server, send what they produced, check safety. */
    public void step() {
        now++;
        for (Message<String> message : network.deliverDue(now)) {
            OmniPaxos<String> server = servers.get(message.to());
            if (server != null) {
                if (TRACE) {
                    System.out.println(now + " deliver " + message);
                }
                server.handleIncoming(message);
            }
        }
        completeStorageWrites();
        if (TRACE) {
            System.out.println(dump());
        }
        for (Map.Entry<Long, OmniPaxos<String>> live : servers.entrySet()) {
            OmniPaxos<String> server = live.getValue();
            for (int ticks = ticksThisStep(live.getKey()); ticks > 0; ticks--) {
                server.tick();
            }
            server.takeOutgoingMessages(outgoing);
            for (Message<String> message : outgoing) {
                network.send(message, now);
            }
            outgoing.clear();
        }
        checkSafety();
        checkReads();
    }

    /**
     * Asks server {@code pid} for a linearizable read. Every step checks the answers: a confirmed read
     * index is at least the number of entries decided anywhere when the read was asked (so the read
     * sees every write decided before it started), and each read is answered once.
     */
    public long requestRead(long pid) {
        long readId = server(pid).requestRead();
        openReads.computeIfAbsent(pid, p -> new TreeMap<>()).put(readId, (long) checker.chosen().size());
        return readId;
    }

    /** Reads confirmed so far. */
    public long confirmedReads() {
        return confirmedReads;
    }

    /** Reads asked for on live servers and not answered yet. */
    public int openReads() {
        return openReads.entrySet().stream().filter(e -> servers.containsKey(e.getKey()))
                .mapToInt(e -> e.getValue().size()).sum();
    }

    private void checkReads() {
        for (Map.Entry<Long, OmniPaxos<String>> live : servers.entrySet()) {
            for (io.omnipaxos.ReadIndex read : live.getValue().takeReadyReads()) {
                Map<Long, Long> open = openReads.getOrDefault(live.getKey(), Map.of());
                Long decidedWhenAsked = open.remove(read.readId());
                if (decidedWhenAsked == null) {
                    throw new AssertionError(describe() + ": server " + live.getKey() + " answered read "
                            + read.readId() + " that is not open (twice, or never asked): " + read);
                }
                if (!read.confirmed() && TRACE) {
                    System.out.println(now + " READ FAILED on " + live.getKey() + ": " + read);
                }
                if (read.confirmed()) {
                    confirmedReads++;
                    if (read.readIdx() < decidedWhenAsked) {
                        throw new AssertionError(describe() + ": server " + live.getKey() + " confirmed read "
                                + read.readId() + " at index " + read.readIdx() + ", but " + decidedWhenAsked
                                + " entries were decided when it was asked: it would miss a write\n" + dump());
                    }
                }
            }
        }
    }

    /**
     * Asynchronous storages ({@link DelayedStorage}): on each live server, half the time, a random
     * number of the pending writes become durable and the server is told. Writes therefore complete
     * late, at different times on different servers, and a crash loses the rest.
     */
    private void completeStorageWrites() {
        for (Map.Entry<Long, OmniPaxos<String>> live : servers.entrySet()) {
            if (storages.get(live.getKey()) instanceof DelayedStorage delayed && delayed.pendingWrites() > 0
                    && random.nextBoolean()) {
                long durable = delayed.complete(1 + random.nextInt(delayed.pendingWrites()));
                if (TRACE) {
                    System.out.println(now + " persisted " + live.getKey() + " " + durable);
                }
                live.getValue().persisted(durable);
            }
        }
    }

    public void run(int steps) {
        for (int i = 0; i < steps; i++) {
            step();
        }
    }

    /** Steps until {@code condition} holds; returns false if it still does not after {@code maxSteps}. */
    public boolean runUntil(BooleanSupplier condition, int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            if (condition.getAsBoolean()) {
                return true;
            }
            step();
        }
        return condition.getAsBoolean();
    }

    /** Appends a fresh unique value on server {@code pid}; returns it, or empty if the server refused. */
    public Optional<String> append(long pid) {
        String value = "v" + (++nextValue);
        appended.add(value);
        try {
            server(pid).append(value);
            return Optional.of(value);
        } catch (AppendRejectedException rejected) {
            return Optional.empty();
        }
    }

    /**
     * Counts {@code value} as appended by the application (e.g. the final state of an earlier
     * configuration, seeded into the storages as a snapshot), so the checker accepts it as decided.
     */
    public void markAppended(String value) {
        appended.add(value);
    }

    /**
     * Hands {@code message} to the network as if its sender had sent it now (a forged or replayed
     * message); it is delivered, lost, duplicated or delayed like any other.
     */
    public void inject(Message<String> message) {
        network.send(message, now);
    }

    /** The live server that leads in the accept phase with the highest ballot, if any. */
    public Optional<Long> leader() {
        Long best = null;
        io.omnipaxos.Ballot bestBallot = io.omnipaxos.Ballot.NONE;
        for (var entry : servers.entrySet()) {
            var info = entry.getValue().getCurrentLeaderInfo();
            if (info.isPresent() && info.get().pid() == entry.getKey() && info.get().accepting()
                    && info.get().ballot().isGreaterThan(bestBallot)) {
                best = entry.getKey();
                bestBallot = info.get().ballot();
            }
        }
        return Optional.ofNullable(best);
    }

    /** The leader if every live server follows it in the accept phase (a settled cluster), else empty. */
    public Optional<Long> agreedLeader() {
        Optional<Long> leader = leader();
        if (leader.isEmpty()) {
            return leader;
        }
        for (OmniPaxos<String> server : servers.values()) {
            var info = server.getCurrentLeaderInfo();
            if (info.isEmpty() || info.get().pid() != leader.get() || !info.get().accepting()) {
                return Optional.empty();
            }
        }
        return leader;
    }

    /**
     * Steps until leadership has settled: every live server follows the same leader in the accept
     * phase, unchanged for {@link #SETTLED_STEPS} steps (so that leader election, too, has stopped
     * moving). Entries appended before that may be legitimately lost to a leader change.
     */
    public boolean runUntilSettled(int maxSteps) {
        Optional<Long> previous = Optional.empty();
        int stableSteps = 0;
        for (int i = 0; i < maxSteps && stableSteps < SETTLED_STEPS; i++) {
            Optional<Long> current = agreedLeader().map(pid -> pid * 1_000_003L + servers.get(pid)
                    .getCurrentLeaderInfo().orElseThrow().ballot().n());
            stableSteps = current.isPresent() && current.equals(previous) ? stableSteps + 1 : 0;
            previous = current;
            step();
        }
        return stableSteps >= SETTLED_STEPS;
    }

    /** Steps until a leader has settled (see {@link #runUntilSettled}) and returns it; fails after {@code maxSteps}. */
    public long awaitSettledLeader(int maxSteps) {
        if (!runUntilSettled(maxSteps)) {
            throw new AssertionError(dump() + "\n: no settled leader within " + maxSteps + " steps");
        }
        return agreedLeader().orElseThrow();
    }

    /** Appends {@code perServer} fresh values on every live server, round-robin; returns those taken. */
    public List<String> appendOnEach(int perServer) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < perServer; i++) {
            for (long pid : pids()) {
                if (isAlive(pid)) {
                    append(pid).ifPresent(values::add);
                }
            }
        }
        return values;
    }

    /** Steps until every one of {@code values} is decided; fails after {@code maxSteps}. */
    public void awaitAllChosen(List<String> values, int maxSteps) {
        if (!runUntil(() -> values.stream().allMatch(this::isChosen), maxSteps)) {
            throw new AssertionError(dump() + "\n: not all values decided; chosen " + chosen().size());
        }
    }

    /** Steps until every live server has decided the whole known log; fails after {@code maxSteps}. */
    public void awaitConverged(int maxSteps) {
        if (!runUntil(() -> allDecidedAtLeast(chosen().size()), maxSteps)) {
            throw new AssertionError(dump() + "\n: servers did not converge on " + chosen().size() + " entries");
        }
    }

    /** Crashes {@code pid}: its in-memory state and in-flight messages to it are lost, its storage stays. */
    public void crash(long pid) {
        if (TRACE) {
            System.out.println(now + " CRASH " + pid);
        }
        servers.remove(pid);
        openReads.remove(pid); // its reads die with it
        if (linkDownsReported) {
            for (long other : List.copyOf(servers.keySet())) {
                reportLinkDown(other, pid);
            }
        }
    }

    /**
     * Starts server {@code pid} as a learner of the voters (on fresh storage, with {@code configure}
     * applied to its builder) and tells every voter, live or crashed (on restart), of it.
     */
    public OmniPaxos<String> addLearner(long pid, UnaryOperator<OmniPaxosConfig.Builder> configure) {
        OmniPaxosConfig config = configure.apply(OmniPaxosConfig.builder().configurationId(1).pid(pid)
                .nodes(voters).learner(true)).build();
        configs.put(pid, config);
        storages.put(pid, storageFactory.create(pid));
        OmniPaxos<String> learner = config.build(storages.get(pid), ListSnapshot.INSTANCE, StringCodec.INSTANCE);
        servers.put(pid, learner);
        learners.add(pid);
        for (long voter : voters) {
            if (servers.containsKey(voter)) {
                servers.get(voter).addLearner(pid);
            }
        }
        return learner;
    }

    /** The voters (pids 1..size). */
    public List<Long> voters() {
        return List.copyOf(voters);
    }

    /** Restarts a crashed server on its reopened storage and calls {@code failRecovery()}. */
    public void restart(long pid) {
        if (servers.containsKey(pid)) {
            throw new IllegalStateException(describe() + ": server " + pid + " is not crashed");
        }
        Storage<String> storage = storageFactory.reopen(pid, storages.get(pid));
        storages.put(pid, storage);
        if (TRACE) {
            System.out.println(now + " RESTART " + pid);
        }
        OmniPaxos<String> server = configs.get(pid).build(storage, ListSnapshot.INSTANCE, StringCodec.INSTANCE);
        server.failRecovery();
        if (voters.contains(pid)) {
            learners.forEach(server::addLearner); // the application tells a restarted voter again
        }
        servers.put(pid, server);
        checker.onRestart(pid);
    }

    /**
     * Cuts {@code lagging} off from every server and decides {@code count} entries appended on
     * {@code leader} without it; returns them.
     */
    public List<String> decideWithout(long lagging, long leader, int count, int maxSteps) {
        for (long pid : pids()) {
            network.cut(lagging, pid);
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            append(leader).ifPresent(values::add);
        }
        awaitAllChosen(values, maxSteps);
        return values;
    }

    /** The decided log as learned from all servers. */
    public List<String> chosen() {
        return checker.chosen();
    }

    /** The decided stop-sign, if some server decided one. */
    public Optional<io.omnipaxos.StopSign> decidedStopSign() {
        return checker.decidedStopSign();
    }

    /** Whether {@code value} is decided (seen decided on some server). */
    public boolean isChosen(String value) {
        return checker.chosen().contains(value);
    }

    /** Whether every live server has decided at least {@code decidedIdx} entries. */
    public boolean allDecidedAtLeast(long decidedIdx) {
        return servers.values().stream().allMatch(s -> s.getDecidedIdx() >= decidedIdx);
    }

    /** The state of every live server, one per line. */
    public String dump() {
        StringBuilder out = new StringBuilder(describe());
        servers.values().forEach(server -> out.append("\n  ").append(server));
        return out.toString();
    }

    /** "seed=S tick=T", the prefix of every failure so the run can be replayed. */
    public String describe() {
        return "seed=" + seed + " tick=" + now;
    }

    private void checkSafety() {
        try {
            for (var entry : servers.entrySet()) {
                checker.check(entry.getKey(), entry.getValue());
            }
        } catch (AssertionError failure) {
            throw new AssertionError(describe() + ": " + failure.getMessage(), failure);
        }
    }
}
