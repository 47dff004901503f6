package io.omnipaxos.examples.kv.reconfig;

import io.netty.channel.EventLoop;
import io.omnipaxos.Ballot;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.net.NetworkConfig;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.peer.Incarnations;
import io.omnipaxos.examples.kv.peer.LinkFaults;
import io.omnipaxos.examples.kv.peer.ReplicaNode;
import io.omnipaxos.examples.kv.state.KvEntry;
import io.omnipaxos.examples.kv.state.KvEntryCodec;
import io.omnipaxos.examples.kv.state.KvSnapshots;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.StorageOp;
import io.omnipaxos.storage.memory.MemoryStorage;
import io.omnipaxos.storage.persistent.PersistentStorage;
import io.omnipaxos.storage.persistent.PersistentStorageConfig;
import io.omnipaxos.storage.persistent.SyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key-value node's way through cluster configurations, one {@link ReplicaNode} per configuration.
 *
 * <p>It starts the highest configuration the node has moved into ({@link ConfigDirs}), else the
 * TOML file's. A node whose TOML says {@code join = true} gets the state that ended the previous
 * configuration one of two ways, whichever comes first: it learns the running configuration as a
 * {@linkplain io.omnipaxos.OmniPaxos#addLearner learner} (it asks a node which configuration runs,
 * {@code CONFIGURATION}, and runs a learner instance of it, which the leader replicates to once a
 * reconfiguration adds this node), so that it decides the stop-sign itself and holds the final
 * state when the others do; or it fetches that state from the other nodes of its address table
 * once one of them recorded it (the way when the leader changed, or the node started late). When a
 * stop-sign is decided
 * (or a peer shows that a newer configuration runs and one of our nodes hands over its {@link
 * Handover}), it records the handover durably, closes the old instance and its storage, and, if
 * this node is a member of the next configuration, starts it on a fresh storage seeded with the
 * final state (snapshot at index 1, decided index 1: the same start on every member). A node that
 * is not a member is retired: it keeps answering state fetches until it is stopped.
 *
 * <p>The fields are confined to the event loop; blocking work (fetching, opening and closing
 * storages, binding the peer port) runs on one worker thread. Anything thrown on the worker, or by
 * a task this class runs on the event loop, stops the node through {@link Events#onFatal} (called
 * on the thread that failed): a node left between two configurations would answer NOT_LEADER
 * forever.
 */
public final class Configurations {

    /**
     * What the key-value server hears about configurations, on the event loop; {@link #onFatal}
     * may also come from the worker thread.
     */
    public interface Events extends ReplicaNode.Listener<KvEntry> {
        /**
         * A configuration's instance is about to run. {@code stateKept}: the state machine already
         * holds the state this configuration was seeded with (this node applied the ended one up to
         * its stop-sign, as a member or a learner), so the instance does not hand over the seed (the
         * snapshot of slot 0) and goes on from slot 1; otherwise the state machine starts empty and
         * the seed, or the storage's log, restores it.
         */
        void onConfigurationStarting(boolean stateKept);

        /** Configuration {@code endedConfigId} has ended with {@code stopSign}: answer what waits on it. */
        void onConfigurationEnded(int endedConfigId, StopSign stopSign);
    }

    /** Between two rounds of asking every node for the state. */
    static final long FETCH_RETRY_MILLIS = 100;

    /**
     * How long a learner instance may apply nothing before the joining node asks for the state
     * again (then every {@link #STALLED_LEARNER_FETCH_MILLIS}): while the leader replicates to it,
     * it decides the stop-sign itself, and a fetch of the same state would only compete with it. The
     * fetch is the way out when the leader does not replicate to it (a leader change, a node started
     * late).
     */
    static final long LEARNER_STALL_MILLIS = 2000;

    /** Between two rounds of asking for the state once a learner instance has stalled. */
    static final long STALLED_LEARNER_FETCH_MILLIS = 1000;

    /** Between two attempts of a joining node to start learning the running configuration. */
    static final long LEARN_RETRY_MILLIS = 1000;

    /**
     * How long the old instance keeps running after its stop-sign is decided here, so that the
     * decision it just sent reaches the other old nodes before its links close.
     */
    static final long HANDOVER_GRACE_MILLIS = 200;

    /** How often a node checks whether it knows a leader (see {@link #checkWhileLeaderless}). */
    static final long LEADERLESS_CHECK_MILLIS = 2000;

    /**
     * How long the decided index may stay only in memory before a commit of its own records it
     * ({@link PersistentStorageConfig#decidedIdxFlushInterval}; it also rides along with every other
     * commit: checkpoints, snapshots, promises). With the storage thread such a commit (5 to 20 ms of
     * MapDB fsyncs) holds up every write behind it, so at 100 ms, the store's default, it took a
     * client's p50 at 1 x 1 from 0.9 to 1.6 ms. A lagging index costs nothing but a little
     * catching up: a restarted node learns it again from the leader, and its acknowledged entries are
     * in a majority's logs whatever the index on its disk says.
     */
    static final Duration DECIDED_INDEX_FLUSH = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(Configurations.class);
    private static final Logger EVENTS = LoggerFactory.getLogger(KvLogging.EVENTS);

    private final OmniPaxosConfig tomlConfig;
    private final NetworkConfig network;
    private final boolean memory;
    private final SSLContext tls;
    private final EventLoop loop;
    private final Events events;
    private final LinkFaults linkFaults;
    private final KvSnapshots snapshots;
    private final MessageCodec<KvEntry> codec;
    private final long pid;
    private final Incarnations incarnations;
    private final StateFetch stateFetch;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "kv-configurations");
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((t, failure) -> fail(failure)); // besides onWorker's own catch
        return thread;
    });

    private ReplicaNode<KvEntry> node;
    private Storage<KvEntry> storage;
    private OmniPaxosConfig config;
    private Map<Long, NodeAddress> addresses;
    private Handover handover;
    /** Why the decided stop-sign of the current configuration cannot be followed; null if it can (or none is). */
    private String unfollowable;
    private boolean switching;
    /** Whether {@link #node} is a learner instance of the configuration before the one this node joins. */
    private boolean learning;
    /**
     * The handovers the learner instance decided, for the joining worker ({@link #join}), which
     * builds them: that encodes the final state, off the event loop.
     */
    private final BlockingQueue<Supplier<Handover>> learned = new LinkedBlockingQueue<>();
    private boolean fetching;
    /**
     * An empty storage opened ahead for configuration {@link #spareConfigId} ({@link #openSpare}), or
     * null. Worker only (and {@link #close} once the worker ended).
     */
    private Storage<KvEntry> spare;
    /** Writes a handover file while the worker seeds the next storage ({@link #recordAndPrepare}). */
    private final ExecutorService recorder = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "kv-handover-record");
        thread.setDaemon(true);
        return thread;
    });
    private int spareConfigId;
    private int leaderlessChecks;
    private volatile boolean closed;

    /**
     * @param memory whether the node keeps nothing on disk ({@code --memory})
     * @param tls the TLS context of peer links and state fetches (node certificate, node CA), or null
     * @param incarnations the node's incarnation and those it recorded for its peers
     * @param linkFaults the links every instance pretends are cut (fault-injection tests; empty: none)
     */
    public Configurations(OmniPaxosConfig tomlConfig, NetworkConfig network, boolean memory, SSLContext tls,
            Incarnations incarnations, LinkFaults linkFaults, EventLoop loop, KvSnapshots snapshots,
            MessageCodec<KvEntry> codec, Events events) {
        this.tomlConfig = tomlConfig;
        this.incarnations = incarnations;
        this.linkFaults = linkFaults;
        this.network = network;
        this.memory = memory;
        this.tls = tls;
        this.loop = loop;
        this.snapshots = snapshots;
        this.codec = codec;
        this.events = events;
        this.pid = tomlConfig.server().pid();
        this.config = tomlConfig;
        this.addresses = network.nodes();
        this.stateFetch = new StateFetch(pid, tls, network.adminToken(),
                memory ? null : ConfigDirs.fetchFile(network.dataDir()));
    }

    /**
     * Starts the configuration the node is in (binding its peer port) or, for a joining node that
     * has no state yet, starts fetching it in the background. Not on the event loop.
     */
    public void start() throws InterruptedException {
        loop.scheduleAtFixedRate(fatalOnThrow(this::checkWhileLeaderless), LEADERLESS_CHECK_MILLIS,
                LEADERLESS_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        Optional<Handover> latest = memory ? Optional.empty() : ConfigDirs.latest(network.dataDir());
        if (latest.isPresent()) {
            enter(latest.get());
        } else if (network.join()) {
            EVENTS.info("joining configuration {}: fetching its starting state from nodes {}",
                    tomlConfig.cluster().configurationId(), sources(network.nodes()).stream().map(NodeAddress::pid)
                            .toList());
            onWorker(this::join);
        } else {
            Storage<KvEntry> initial = memory ? new MemoryStorage<>() : openStorage(network.dataDir());
            boolean recovering = initial.getLogLength() > 0 || !initial.getPromise().equals(Ballot.NONE);
            run(build(tomlConfig, network.nodes(), initial, recovering, null), false);
            openSpare(tomlConfig.cluster().configurationId() + 1);
        }
    }

    /** The running instance, or null (joining, between two configurations, retired). Event loop only. */
    public ReplicaNode<KvEntry> node() {
        return switching ? null : node;
    }

    /** The configuration the node runs (or last ran). Event loop only. */
    public OmniPaxosConfig config() {
        return config;
    }

    /** The address of node {@code pid} in the current configuration, or null. Event loop only. */
    public NodeAddress address(long pid) {
        return addresses.get(pid);
    }

    /**
     * The configuration this node runs as one of its nodes, with their addresses (what {@code
     * CONFIGURATION} answers); empty while it joins, learns, switches, or after it retired. Event
     * loop only.
     */
    public Optional<ReconfigureRequest> running() {
        if (node() == null || learning) {
            return Optional.empty();
        }
        Map<Long, NodeAddress> members = new HashMap<>();
        for (long member : config.cluster().nodes()) {
            NodeAddress address = addresses.get(member);
            if (address == null) {
                return Optional.empty(); // cannot happen: every node of a configuration has an address
            }
            members.put(member, address);
        }
        return Optional.of(new ReconfigureRequest(config.cluster(), members));
    }

    /** The newest handover this node knows, or null if it never saw a configuration end. Event loop only. */
    public Handover handover() {
        return handover;
    }

    /**
     * The newest handover this node knows, to be read in pieces by a state fetch: its handover file
     * once recorded, else (with {@code --memory}, or in the moment before the file is written) the
     * handover in memory, without a copy of its state; empty if it never saw a configuration end.
     * The caller closes it. Event loop only.
     *
     * @throws IOException if the handover file exists but cannot be opened
     */
    public Optional<HandoverSource> openHandover() throws IOException {
        if (handover == null) {
            return Optional.empty();
        }
        Path file = ConfigDirs.handoverFile(network.dataDir(), handover.nextConfigId());
        if (!memory && Files.exists(file)) {
            return Optional.of(HandoverSource.ofFile(file));
        }
        return Optional.of(handover.source());
    }

    /**
     * Why this node cannot go on, if the current configuration ended with a decided stop-sign that
     * it cannot follow (its metadata does not decode, or it does not name a higher configuration):
     * then no request can be served here any more, and the reason is the answer to every one.
     * Event loop only.
     */
    public Optional<String> unfollowableEnd() {
        return Optional.ofNullable(unfollowable);
    }

    /** Where the node keeps its state, for the startup line. */
    public String storageDescription() {
        return memory ? "in memory" : network.dataDir().toAbsolutePath().toString();
    }

    /**
     * The current configuration's stop-sign is decided; {@code finalState} encodes the map after it
     * (a second or more on a loaded machine for tens of MB: it is called on the worker, not on the
     * event loop, so it must encode a copy that nothing changes). A stop-sign that cannot be
     * followed (see {@link #unfollowableEnd}) is logged as an error and kept as the reason to refuse
     * every request. Event loop only.
     */
    public void onStopSign(StopSign stopSign, Supplier<byte[]> finalState) {
        int ended = config.cluster().configurationId();
        try {
            Handover.requireFollowable(ended, stopSign);
        } catch (IllegalArgumentException | DecodeException e) {
            unfollowable = "configuration " + ended + " ended with a stop-sign that node " + pid + " cannot follow ("
                    + e.getMessage() + "): it serves no requests until an operator intervenes";
            EVENTS.error("{}; the stop-sign: {}", unfollowable, stopSign);
            return;
        }
        Supplier<Handover> next = () -> new Handover(ended, stopSign, finalState.get());
        if (learning) {
            switching = true; // the joining worker closes the learner and goes on (see join)
            learned.add(next);
            return;
        }
        handOver(ended, stopSign, next, null);
    }

    /** A peer runs a newer configuration: ask our nodes for the handover we missed. Event loop only. */
    public void onNewerConfiguration(int configurationId) {
        askHowConfigurationEnded("a peer runs configuration " + configurationId, true);
    }

    /**
     * Every {@link #LEADERLESS_CHECK_MILLIS}: a node that has known no leader for two checks in a
     * row asks its peers whether its configuration ended. This finds a handover that no hello
     * reveals: a node that is not a member of the next configuration (no new node dials it) and was
     * away when the stop-sign was decided. Event loop only.
     */
    private void checkWhileLeaderless() {
        if (node == null || switching || learning || node.paxos().getCurrentLeader().isPresent()) {
            leaderlessChecks = 0;
            return;
        }
        if (++leaderlessChecks >= 2) {
            leaderlessChecks = 0;
            askHowConfigurationEnded("no leader for " + 2 * LEADERLESS_CHECK_MILLIS + " ms", false);
        }
    }

    /**
     * Asks the other nodes how our configuration ended; {@code console}: say so on the console. A
     * node keeps only its newest handover, so one out of a later configuration answers too: its state
     * follows ours (the configurations between ended with everything ours decided), and this node
     * goes straight to the newest configuration, however many it missed.
     */
    private void askHowConfigurationEnded(String why, boolean console) {
        if (switching || fetching || learning || node == null || closed) {
            return; // a learner's joining worker asks itself
        }
        fetching = true;
        int current = config.cluster().configurationId();
        List<NodeAddress> sources = sources(addresses);
        (console ? EVENTS : LOG).info("{}: asking nodes {} whether configuration {} ended", why,
                sources.stream().map(NodeAddress::pid).toList(), current);
        onWorker(() -> {
            Optional<StateFetch.Fetched> found = stateFetch.round(sources, h -> h.endedConfigId() >= current);
            loop.execute(fatalOnThrow(() -> {
                fetching = false;
                if (found.isPresent() && !switching && config.cluster().configurationId() == current) {
                    Handover fetched = found.get().handover();
                    handOver(fetched.endedConfigId(), fetched.stopSign(), () -> fetched, found.get().file());
                }
            }));
        });
    }

    /** Closes the running instance and its storage. Not on the event loop. */
    public void close() throws InterruptedException {
        closed = true;
        worker.shutdownNow();
        recorder.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
        AtomicReference<Storage<KvEntry>> open = new AtomicReference<>();
        loop.submit(() -> {
            if (node != null) {
                node.close();
                node = null;
            }
            open.set(storage);
            storage = null;
        }).sync();
        closeStorage(open.get());
        closeStorage(spare); // kept: a restart opens it again
        spare = null;
    }

    /**
     * Builds the handover of configuration {@code endedConfigId}, which ended with {@code
     * stopSign} ({@code building} encodes the final state, on the worker), records it (from {@code
     * fetched}, its checked binary form, if not null), closes the running instance and enters the
     * next configuration. Event loop only.
     */
    private void handOver(int endedConfigId, StopSign stopSign, Supplier<Handover> building, Path fetched) {
        if (switching || closed) {
            return;
        }
        switching = true;
        events.onConfigurationEnded(endedConfigId, stopSign);
        ReplicaNode<KvEntry> old = node;
        long oldLeader = old != null ? old.paxos().getCurrentLeader().orElse(0L) : 0;
        Storage<KvEntry> oldStorage = storage;
        EVENTS.info("configuration {} ended: handing over to configuration {} with nodes {}", endedConfigId,
                stopSign.nextConfig().configurationId(), stopSign.nextConfig().nodes());
        onWorker(() -> guard(() -> {
            long graceEnds = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANDOVER_GRACE_MILLIS);
            Handover next = building.get();
            loop.execute(() -> handover = next); // state fetches get it from now on
            // The next instance is made ready (storage opened and seeded, node built: 150-350 ms
            // measured in the reconfiguration demo) while the old one still runs its grace period.
            Prepared prepared = recordAndPrepare(next, fetched, null);
            TimeUnit.NANOSECONDS.sleep(graceEnds - System.nanoTime());
            loop.submit(old::close).sync();
            old.awaitClosed();
            enter(next, prepared, oldLeader, oldStorage, fetched == null); // else it missed the stop-sign
        }));
    }

    /**
     * Records {@code next} ({@link #record}) and, for a member, prepares its instance ({@link
     * #prepare}) at the same time: both write the whole state and force it (the handover file, the
     * seeded storage), which for a state of tens of MB takes a second or more each. The handover
     * is recorded before the instance runs; a seeded storage without a recorded handover (a crash
     * in between) is recovered like any other when the handover comes again. Worker only.
     *
     * @return the prepared instance, or null if this node is not a member
     */
    private Prepared recordAndPrepare(Handover next, Path fetched, Storage<KvEntry> opened) {
        if (!isMember(next)) {
            record(next, fetched);
            return null;
        }
        CompletableFuture<Void> recorded = CompletableFuture.runAsync(() -> record(next, fetched), recorder);
        Prepared prepared;
        try {
            prepared = prepare(next, opened);
        } finally {
            recorded.join(); // its failure, if any, is the one to report
        }
        return prepared;
    }

    private boolean isMember(Handover next) {
        return next.stopSign().nextConfig().nodes().contains(pid);
    }

    /** Runs {@code next}'s configuration if this node is a member; otherwise retires. Not on the event loop. */
    private void enter(Handover next) throws InterruptedException {
        enter(next, null, 0, null, false);
    }

    /**
     * An instance of a configuration, built but not started: its peer port is not bound yet.
     *
     * @param from the handover it starts from (null: the node's first configuration)
     */
    private record Prepared(OmniPaxosConfig config, Map<Long, NodeAddress> addresses, Storage<KvEntry> storage,
            ReplicaNode<KvEntry> node, Handover from) {}

    /**
     * Builds {@code next}'s instance on {@code opened} (null: its storage is opened here). An empty
     * storage is seeded first: every member seeds the same decided, compacted slot 0 with the final
     * state. A storage that held a state already (a restarted member) recovers.
     */
    private Prepared prepare(Handover next, Storage<KvEntry> opened) {
        Storage<KvEntry> fresh = opened != null ? opened : takeSpareOrOpen(next.nextConfigId());
        boolean empty = fresh.getLogLength() == 0 && fresh.getCompactedIdx() == 0
                && fresh.getPromise().equals(Ballot.NONE);
        if (empty) {
            fresh.writeAtomically(List.<StorageOp<KvEntry>>of(
                    new StorageOp.SetSnapshot<>(1, next.seed()),
                    new StorageOp.SetDecidedIdx<>(1)));
        }
        OmniPaxosConfig nextConfig = new OmniPaxosConfig(next.stopSign().nextConfig(), tomlConfig.server());
        return build(nextConfig, next.nextAddresses(), fresh, !empty, next);
    }

    private Prepared build(OmniPaxosConfig runConfig, Map<Long, NodeAddress> runAddresses, Storage<KvEntry> runStorage,
            boolean recovering, Handover from) {
        ReplicaNode<KvEntry> built = new ReplicaNode<>(runConfig, runStorage, snapshots, recovering, codec, runAddresses,
                tls, incarnations, loop, network.tickIntervalMillis(), events);
        built.useLinkFaults(linkFaults);
        return new Prepared(runConfig, runAddresses, runStorage, built, from);
    }

    /**
     * As {@link #enter(Handover)}, with {@code prepared} if it is not null (see {@link #prepare}). One
     * member takes over the next configuration at once instead of waiting for its first election
     * ({@link #takesOver}; {@code oldLeader}: the leader of the ended configuration as this node knew
     * it, 0 if unknown): every member starts from the same state, so writes resume sooner. The
     * ended configuration's storage ({@code oldStorage}, closed instance; null if none) is closed
     * only once the next one runs, then the stores of the configurations left are deleted and a
     * spare storage is opened. {@code stateKept}: this node applied the ended configuration up to
     * its stop-sign, so its state machine holds the state {@code next} starts from.
     */
    private void enter(Handover next, Prepared prepared, long oldLeader, Storage<KvEntry> oldStorage,
            boolean stateKept) throws InterruptedException {
        if (!isMember(next)) {
            loop.submit(() -> {
                handover = next;
                node = null;
                storage = null;
                switching = false;
            }).sync();
            EVENTS.info("node {} is not a member of configuration {} {}: retired; it answers state fetches until "
                    + "stopped", pid, next.nextConfigId(), next.stopSign().nextConfig().nodes());
            closeStorage(oldStorage);
            discardSpare();
            discardOldConfigurations(next.nextConfigId());
            return;
        }
        run(prepared != null ? prepared : prepare(next, null), stateKept);
        if (takesOver(next, oldLeader)) {
            loop.submit(() -> {
                EVENTS.info("node {} takes over configuration {} at once ({})", pid, next.nextConfigId(),
                        oldLeader == pid ? "it led configuration " + next.endedConfigId() : "node " + oldLeader
                                + ", which led configuration " + next.endedConfigId() + ", is not a member");
                node.paxos().tryBecomeLeader();
                node.requestStep();
            }).sync();
        }
        closeStorage(oldStorage); // before the stores of the configurations it left are deleted
        discardOldConfigurations(next.nextConfigId());
        openSpare(next.nextConfigId() + 1);
    }

    /**
     * Opens, in the background, an empty storage in the folder of configuration {@code configId}
     * (the running one's id plus one, the usual next id), so that a reconfiguration to it does not
     * wait while its storage is created: 250-300 ms of the write pause under load in the
     * reconfiguration demo. Nothing is written to it before a handover to that configuration is
     * recorded; a spare of another id is closed and deleted ({@link #discardSpare}).
     */
    private void openSpare(int configId) {
        if (memory) {
            return;
        }
        onWorker(() -> {
            if (closed || spare != null) {
                return;
            }
            try {
                spare = openNextStorage(configId);
                spareConfigId = configId;
            } catch (StorageException e) {
                LOG.warn("could not open a spare storage for configuration {}: {}", configId, e.getMessage());
            }
        });
    }

    /** The spare storage if it is configuration {@code configId}'s, else a storage opened now. Worker only. */
    private Storage<KvEntry> takeSpareOrOpen(int configId) {
        if (spare != null && spareConfigId == configId) {
            Storage<KvEntry> taken = spare;
            spare = null;
            return taken;
        }
        discardSpare();
        return openNextStorage(configId);
    }

    /** Closes the spare storage, if any, and deletes its (empty, never used) store. Worker only. */
    private void discardSpare() {
        if (spare == null) {
            return;
        }
        closeStorage(spare);
        spare = null;
        Path folder = ConfigDirs.storage(network.dataDir(), spareConfigId);
        try {
            PersistentStorage.deleteStore(folder);
            Files.deleteIfExists(folder);
        } catch (IOException | StorageException e) {
            LOG.warn("could not delete the spare storage {}: {}", folder, e.toString());
        }
    }

    /**
     * Whether this member takes over {@code next}'s configuration at once: it led the ended one
     * ({@code oldLeader}), the node the clients were talking to; or that leader is not a member and
     * this node has the smallest pid of the members. Members that disagree about the old leader may
     * both try: ballots settle it, as in any election. No one does if the old leader is unknown.
     */
    private boolean takesOver(Handover next, long oldLeader) {
        return takesOver(pid, next.stopSign().nextConfig().nodes(), oldLeader);
    }

    /** {@link #takesOver(Handover, long)} for member {@code pid} of a configuration of {@code members}. */
    static boolean takesOver(long pid, List<Long> members, long oldLeader) {
        if (oldLeader == 0 || oldLeader == pid) {
            return oldLeader == pid;
        }
        return !members.contains(oldLeader) && pid == Collections.min(members);
    }

    /** Deletes the stores of the configurations before {@code configId}, which this node left for good. */
    private void discardOldConfigurations(int configId) {
        if (memory) {
            return;
        }
        try {
            ConfigDirs.discardBelow(network.dataDir(), configId);
        } catch (StorageException e) {
            LOG.warn("could not delete the stores of configurations before {}: {}", configId, e.getMessage());
        }
    }

    /**
     * Makes {@code p} the running instance and starts it (binding its peer port); {@code stateKept}:
     * see {@link Events#onConfigurationStarting}.
     */
    private void run(Prepared p, boolean stateKept) throws InterruptedException {
        ReplicaNode<KvEntry> next = p.node();
        OmniPaxosConfig runConfig = p.config();
        loop.submit(() -> {
            incarnations.forgetBelow(runConfig.cluster().configurationId()); // this node left those for good
            node = next;
            storage = p.storage();
            config = runConfig;
            addresses = p.addresses();
            if (p.from() != null) {
                handover = p.from();
            }
            learning = runConfig.server().learner();
            switching = false;
            if (stateKept) {
                next.skipDecided(1); // slot 0 is the seed, which the state machine holds
            }
            events.onConfigurationStarting(stateKept);
        }).sync();
        next.start();
        if (runConfig.server().learner()) {
            EVENTS.info("node {} learns configuration {} with nodes {} (not voting) until a reconfiguration adds it",
                    pid, runConfig.cluster().configurationId(), runConfig.cluster().nodes());
        } else {
            EVENTS.info("node {} runs configuration {} with nodes {}", pid, runConfig.cluster().configurationId(),
                    runConfig.cluster().nodes());
        }
    }

    /**
     * A joining node: learns the running configuration (see the class comment) and asks every node
     * of its table, until it has the state that hands over to its configuration. Its storage is
     * opened first, so that the first open in this JVM (slow: class loading) does not delay the
     * node once the state arrives.
     */
    private void join() {
        int target = tomlConfig.cluster().configurationId();
        guard(() -> {
            Storage<KvEntry> opened = openNextStorage(target);
            boolean entered = false;
            try {
                entered = joinWith(opened, target);
            } finally {
                stopLearning();
                if (!entered) {
                    closeStorage(opened);
                }
            }
        });
    }

    /** The joining loop of {@link #join}; whether it entered the configuration. Worker only. */
    private boolean joinWith(Storage<KvEntry> opened, int target) throws InterruptedException {
        JoinSchedule schedule = new JoinSchedule(System.nanoTime());
        while (!closed) {
            if (schedule.learnAttemptDue(System.nanoTime())) {
                schedule.learnAttempted(startLearning(target), System.nanoTime());
            }
            Supplier<Handover> decided = learned.poll(FETCH_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            if (decided != null) {
                schedule.learnerStopped();
                long learnerLeader = stopLearning();
                Handover next = decided.get();
                EVENTS.info("decided the stop-sign of configuration {} as a learner: the state it hands over to "
                        + "configuration {} is here, no fetch ({} bytes)", next.endedConfigId(), next.nextConfigId(),
                        next.stateLength());
                if (next.nextConfigId() >= target) {
                    enterJoined(next, null, opened, target, learnerLeader, true);
                    return true;
                }
                continue; // a configuration between: learn the next one
            }
            if (schedule.learnerRuns()) {
                schedule.learnerApplied(learnerAppliedIdx(), System.nanoTime()); // the leader replicates to it
            }
            if (schedule.fetchDue(System.nanoTime())) {
                Optional<StateFetch.Fetched> found = stateFetch.round(sources(network.nodes()),
                        h -> h.nextConfigId() >= target || h.endedConfigId() >= target);
                schedule.fetched(System.nanoTime());
                if (found.isPresent()) {
                    schedule.learnerStopped();
                    stopLearning();
                    enterJoined(found.get().handover(), found.get().file(), opened, target, 0, false);
                    return true;
                }
            }
        }
        return false;
    }

    /** Enters the configuration {@code next} hands over to, with the state a learner decided or a fetch brought. */
    private void enterJoined(Handover next, Path file, Storage<KvEntry> opened, int target, long learnerLeader,
            boolean learned) throws InterruptedException {
        requireJoinable(next, target);
        enter(next, recordAndPrepare(next, file, opened), learnerLeader, null, learned);
    }

    /**
     * Starts a learner instance of the configuration a node of the table runs, if one answers and
     * this node can learn it (its id below {@code target}, this node not one of its nodes); whether
     * it started one. Worker only.
     */
    private boolean startLearning(int target) throws InterruptedException {
        Optional<ReconfigureRequest> running = stateFetch.runningConfiguration(sources(network.nodes()));
        if (running.isEmpty() || running.get().config().configurationId() >= target
                || running.get().config().nodes().contains(pid)) {
            LOG.debug("no configuration to learn before configuration {}: {}", target, running);
            return false;
        }
        Map<Long, NodeAddress> learnerAddresses = new HashMap<>(running.get().addresses());
        learnerAddresses.put(pid, network.node(pid));
        OmniPaxosConfig learnerConfig = new OmniPaxosConfig(running.get().config(),
                tomlConfig.server().withLearner(true));
        run(build(learnerConfig, learnerAddresses, new MemoryStorage<>(), false, null), false);
        return true;
    }

    /** The learner instance's applied index, or -1 if none runs. Worker only. */
    private long learnerAppliedIdx() throws InterruptedException {
        return loop.submit(() -> learning && node != null ? node.appliedIdx() : -1L).sync().getNow();
    }

    /**
     * Closes the learner instance, if one runs, and waits until its peer port is free; returns the
     * leader it knew (0: none, or no learner ran). Worker only.
     */
    private long stopLearning() throws InterruptedException {
        AtomicReference<ReplicaNode<KvEntry>> learner = new AtomicReference<>();
        long[] leader = {0};
        loop.submit(() -> {
            if (learning) {
                learner.set(node);
                leader[0] = node.paxos().getCurrentLeader().orElse(0L);
                node.close();
                node = null;
                storage = null;
                learning = false;
                switching = false;
            }
        }).sync();
        if (learner.get() != null) {
            learner.get().awaitClosed();
        }
        return leader[0];
    }

    private Handover requireJoinable(Handover found, int target) {
        if (found.nextConfigId() != target) {
            throw new IllegalStateException("configuration " + target + " of this node's TOML file is not the one "
                    + "the cluster moved into: " + found);
        }
        if (!new HashSet<>(found.stopSign().nextConfig().nodes()).equals(new HashSet<>(tomlConfig.cluster()
                .nodes()))) {
            throw new IllegalStateException("this node's TOML file says configuration " + target + " has nodes "
                    + tomlConfig.cluster().nodes() + " but the cluster decided " + found.stopSign().nextConfig().nodes());
        }
        return found;
    }

    /** Records durably that this node moves into {@code next} (moving {@code fetched} in place, if any). Worker only. */
    private void record(Handover next, Path fetched) {
        if (memory) {
            return;
        }
        if (fetched != null) {
            ConfigDirs.recordFetched(network.dataDir(), next, fetched);
        } else {
            ConfigDirs.record(network.dataDir(), next);
        }
    }

    private List<NodeAddress> sources(Map<Long, NodeAddress> table) {
        return table.values().stream().filter(a -> a.pid() != pid).sorted((a, b) -> Long.compare(a.pid(), b.pid()))
                .toList();
    }

    /** A storage for configuration {@code configId} reached by a reconfiguration. */
    private Storage<KvEntry> openNextStorage(int configId) {
        return memory ? new MemoryStorage<>() : openStorage(ConfigDirs.storage(network.dataDir(), configId));
    }

    /**
     * {@code storage_sync = "every_write"}: the asynchronous mode, whose writes the node's storage
     * thread makes durable (every write is durable before a message that depends on it leaves,
     * with one fsync for all the writes that arrive while the previous one runs, none on the event
     * loop); {@code "os_page_cache"}: synchronous writes left to the page cache.
     */
    private Storage<KvEntry> openStorage(Path dir) {
        PersistentStorageConfig<KvEntry> storageConfig = PersistentStorageConfig.at(dir).codec(KvEntryCodec.INSTANCE)
                .decidedIdxFlushInterval(DECIDED_INDEX_FLUSH)
                .syncPolicy(network.syncEveryWrite() ? SyncPolicy.ASYNCHRONOUS : SyncPolicy.OS_PAGE_CACHE);
        return PersistentStorage.open(storageConfig);
    }

    private static void closeStorage(Storage<KvEntry> storage) {
        if (storage instanceof PersistentStorage<KvEntry> persistent) {
            persistent.close();
        }
    }

    /** Runs {@code work} on the worker thread, unless the node is closing; anything it throws stops the node. */
    private void onWorker(Runnable work) {
        try {
            worker.execute(fatalOnThrow(work));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("node closing: dropped background work");
        }
    }

    /** {@code task}, with anything it throws stopping the node (Netty would only log it, or cancel a periodic task). */
    private Runnable fatalOnThrow(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable failure) {
                fail(failure);
            }
        };
    }

    /** A blocking step of the worker; a failure stops the node (it cannot serve without its storage). */
    private void guard(Step step) {
        try {
            step.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close() interrupts the worker
        } catch (Throwable failure) {
            fail(failure);
        }
    }

    /** Stops the node for {@code failure}, from whichever thread it happened on; not while closing. */
    private void fail(Throwable failure) {
        if (closed) {
            LOG.debug("node closing: ignored {}", failure.toString());
            return;
        }
        LOG.error("node {}: reconfiguration work failed", pid, failure);
        events.onFatal(failure);
    }

    /** Work that may block. */
    private interface Step {
        void run() throws InterruptedException;
    }
}
