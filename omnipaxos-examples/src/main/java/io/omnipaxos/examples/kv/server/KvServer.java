package io.omnipaxos.examples.kv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.omnipaxos.AppendRejectedException;
import io.omnipaxos.CompactionException;
import io.omnipaxos.ConfigException;
import io.omnipaxos.Metrics;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.ReadIndex;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.examples.bench.Measurements;
import io.omnipaxos.examples.cli.CommandLines;
import io.omnipaxos.examples.kv.net.ClientPortTls;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.net.EphemeralPorts;
import io.omnipaxos.examples.kv.net.EventLoops;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.net.NetworkConfig;
import io.omnipaxos.examples.kv.http.ClientRequestMetrics;
import io.omnipaxos.examples.kv.http.DecidedRate;
import io.omnipaxos.examples.kv.http.HttpPort;
import io.omnipaxos.examples.kv.http.NodeMetrics;
import io.omnipaxos.examples.kv.http.NodeStatus;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.examples.kv.peer.DataFolderReplacedException;
import io.omnipaxos.examples.kv.peer.Incarnations;
import io.omnipaxos.examples.kv.peer.LinkFaults;
import io.omnipaxos.examples.kv.peer.ReplicaNode;
import io.omnipaxos.examples.kv.reconfig.Configurations;
import io.omnipaxos.examples.kv.reconfig.Handover;
import io.omnipaxos.examples.kv.reconfig.HandoverSource;
import io.omnipaxos.examples.kv.reconfig.LearnerCatchUp;
import io.omnipaxos.examples.kv.reconfig.ReconfigureRequest;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvEntry;
import io.omnipaxos.examples.kv.state.KvEntryCodec;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvSnapshot;
import io.omnipaxos.examples.kv.state.KvSnapshots;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import io.omnipaxos.examples.kv.state.KvStatus;
import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node of the replicated key-value store: {@code KvServer config/node1.toml [--memory]}.
 *
 * <p>One Netty event loop thread runs the {@link ReplicaNode} (OmniPaxos, peer links, ticks), the
 * {@link ClientPort} and the {@link KvStateMachine}; only the storage's syncs and the encoding of
 * snapshots ({@link SnapshotTaker}) run on threads of their own. A write is answered only by the
 * server that received it, once its entry is decided and applied there; a server that is not the
 * leader answers {@link KvStatus#NOT_LEADER} with the leader it knows. A GET goes through the read
 * index instead of the log ({@link LinearizableGets}; on followers too with {@code
 * follower_reads}), so every answer is linearizable and a server cut off from a majority answers no
 * write and confirms no read.
 *
 * <p>Storage is a {@link PersistentStorage} in the TOML's {@code network.data_dir} ({@code
 * --memory}: a {@link MemoryStorage}). Every {@code network.snapshot_interval} decided entries the
 * node replaces its applied log prefix by a {@link KvSnapshot} of the map (locally: each node on
 * its own, encoded off the event loop), so its log, disk and restart time stay bounded. A restarted node rebuilds its state
 * machine from the snapshot and the decided entries after it and rejoins with {@code
 * failRecovery()}; a node that was away while the others compacted is sent their snapshot.
 *
 * <p>{@link Configurations} runs the node through cluster configurations: a {@code RECONFIGURE}
 * request ({@code kv reconfigure}) makes the leader propose a stop-sign; once it is decided, the
 * members of the next configuration start it from the final state of the map, new nodes fetch that
 * state with {@code FETCH_STATE}, and old nodes that are not members retire (see
 * docs/kv-store.md).
 */
public final class KvServer implements Configurations.Events, ClientPort.Requests {

    /** How often the node's log file gets its memory line (peak heap used, RSS): long runs show it stays bounded. */
    static final long MEMORY_LOG_SECONDS = 10;

    private final Logger log = LoggerFactory.getLogger(KvServer.class);
    private final Logger events = LoggerFactory.getLogger(KvLogging.EVENTS);
    private KvStateMachine stateMachine = new KvStateMachine();
    private final PendingRequests pending;
    private final Set<Channel> unflushed = new HashSet<>();
    private final EventLoopGroup group;
    private final Configurations configurations;
    private final KvSnapshots snapshots = new KvSnapshots();
    private final SnapshotTaker snapshotTaker;
    private final LinearizableGets gets = new LinearizableGets();
    private final boolean followerReads;
    private final ClientPort clientPort;
    private final NodeAddress self;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The node's dashboard, /metrics and /status, if its TOML file names its http_port. */
    private final HttpPort http;
    /** Where the dashboard finds the nodes' /status, by pid. */
    private final Map<Long, String> httpEndpoints;
    /** Client requests, reply latencies, snapshots and configurations for /metrics (null without HTTP). */
    private final ClientRequestMetrics requestMetrics;
    /** A reconfiguration whose new nodes catch up as learners before its stop-sign is proposed, or null. Event loop only. */
    private LearnerCatchUp catchUp;
    /** Entries decided per second, for the dashboard's chart. Event loop only. */
    private final DecidedRate decidedRate = new DecidedRate();
    /** Links this node pretends are cut: none unless started with --fault-injection and told so over HTTP. */
    private final LinkFaults linkFaults = new LinkFaults();

    /** The exit status of a node whose peers know it under another incarnation of its data folder. */
    public static final int EXIT_DATA_FOLDER_REPLACED = 3;

    private KvServer(OmniPaxosConfig config, NetworkConfig network, boolean memory, Incarnations incarnations) {
        this.group = EventLoops.singleThread();
        EventLoop loop = group.next();
        // Peer links and state fetches trust the node CA only; the client port also the client CA.
        SSLContext tls = network.tls().enabled() ? TlsContexts.create(network.tls()) : null;
        ClientPortTls clientTls = network.tls().enabled() ? TlsContexts.clientPort(network.tls()) : null;
        this.self = network.node(config.server().pid());
        this.followerReads = network.followerReads();
        this.snapshotTaker = new SnapshotTaker(config.server().pid(), network.snapshotInterval(), loop, this::onFatal);
        this.configurations = new Configurations(config, network, memory, tls, incarnations, linkFaults, loop, snapshots,
                new MessageCodec<>(KvEntryCodec.INSTANCE, ReplicaNode.PEER_LIMITS), this);
        this.clientPort = new ClientPort(loop, clientTls == null ? null : clientTls.context(),
                new AdminPolicy(network.adminToken(), clientTls), network.clientLimits(), this);
        this.pending = new PendingRequests(clientPort);
        this.httpEndpoints = httpEndpoints(network, config.server().pid());
        if (network.httpPortOf(config.server().pid()) == 0) {
            this.http = null;
            this.requestMetrics = null;
        } else {
            NodeMetrics metrics = new NodeMetrics(this::runningMetrics, clientPort::openConnections);
            this.http = new HttpPort(loop, metrics, this::statusJson, clientTls == null ? null : clientTls.context());
            this.requestMetrics = metrics.client();
            snapshotTaker.onTaken(requestMetrics::onSnapshot);
        }
    }

    /** {@code host:port} of every node whose HTTP port the TOML file names (this node's own: 127.0.0.1). */
    private static Map<Long, String> httpEndpoints(NetworkConfig network, long self) {
        Map<Long, String> endpoints = new HashMap<>();
        for (NodeAddress node : network.nodes().values()) {
            int port = node.pid() == self ? network.httpPortOf(self) : network.httpPorts().getOrDefault(node.pid(), 0);
            if (port != 0) {
                endpoints.put(node.pid(), (node.pid() == self ? "127.0.0.1" : node.host()) + ":" + port);
            }
        }
        return Map.copyOf(endpoints);
    }

    /** The metrics of the instance the node runs, or null if it runs none. Event loop only. */
    private Metrics runningMetrics() {
        ReplicaNode<KvEntry> node = configurations.node();
        return node == null ? null : node.paxos().metrics();
    }

    /** The JSON of /status. Event loop only. */
    private String statusJson() {
        ReplicaNode<KvEntry> node = configurations.node();
        if (node == null) {
            return NodeStatus.notRunning(self.pid(), "runs no configuration (waiting for its state, or retired)",
                    httpEndpoints);
        }
        return NodeStatus.running(node.paxos().metrics(), node.paxos().config().cluster().nodes(), node.appliedIdx(),
                node.linkedPeers(), httpEndpoints, decidedRate);
    }

    /** Samples the running instance's decided index for {@link DecidedRate}. Event loop only. */
    private void sampleDecidedRate() {
        ReplicaNode<KvEntry> node = configurations.node();
        if (node == null) {
            decidedRate.sample(-1, 0);
        } else {
            decidedRate.sample(node.paxos().config().cluster().configurationId(), node.paxos().getDecidedIdx());
        }
    }

    /**
     * Starts the node of {@code configFile}: binds its peer and client ports and joins the cluster
     * (a node with {@code join = true} fetches its starting state in the background first).
     *
     * <p>The data folder's incarnation ({@link Incarnations}) is read, or written at its first start;
     * a node with {@code memory} draws a fresh one.
     *
     * @param memory use MemoryStorage instead of PersistentStorage
     * @throws ConfigException if {@code memory} is set but the data folder holds this node's stores:
     *     it was a member, and starting it without them would forget the promises it made
     * @throws StorageException naming the file if the data folder's incarnation files cannot be read
     *     or written, are damaged or belong to another pid
     */
    public static KvServer start(Path configFile, boolean memory) throws InterruptedException {
        return start(configFile, memory, false);
    }

    /**
     * As {@link #start(Path, boolean)}; with {@code faultInjection} the node's HTTP port also serves
     * {@code /faults}, through which a test cuts this node's links to chosen peers ({@link
     * LinkFaults}). For tests only: anyone who reaches the HTTP port could partition the node.
     *
     * @throws ConfigException if {@code faultInjection} is set but the nodes table gives this node no
     *     http_port
     */
    public static KvServer start(Path configFile, boolean memory, boolean faultInjection) throws InterruptedException {
        OmniPaxosConfig config = OmniPaxosConfig.withToml(configFile, Set.of(NetworkConfig.TABLE));
        NetworkConfig network = NetworkConfig.load(configFile);
        if (memory) {
            refuseMemoryOverStores(configFile, network.dataDir());
        }
        for (long pid : config.cluster().nodes()) {
            network.node(pid); // every node needs an address
        }
        long pid = config.server().pid();
        Incarnations incarnations = memory ? Incarnations.inMemory(pid) : Incarnations.open(network.dataDir(), pid);
        if (faultInjection && network.httpPortOf(pid) == 0) {
            throw new ConfigException(configFile + ": --fault-injection needs an http_port in this node's row of"
                    + " network.nodes (pid " + pid + "): /faults is served there");
        }
        KvServer server = new KvServer(config, network, memory, incarnations);
        if (faultInjection) {
            server.http.allowFaultInjection(server.linkFaults, pid, network.nodes().keySet());
            server.events.warn("WARNING: fault injection is on: POST /faults on the HTTP port cuts this node's links");
        }
        server.configurations.start();
        server.clientPort.start(server.self.host(), server.self.clientPort());
        if (server.http != null) {
            int port = network.httpPortOf(pid);
            server.http.start(port);
            server.events.info("node {} serving its dashboard on {}://127.0.0.1:{}/ (also /metrics and /status)", pid,
                    network.tls().enabled() ? "https" : "http", port);
        }
        server.events.info("node {} serving clients on {}:{}, peers on port {}, storage {}", server.self.pid(),
                server.self.host(), server.self.clientPort(), server.self.peerPort(),
                server.configurations.storageDescription());
        network.exposureWarning(server.self.pid()).ifPresent(warning -> server.events.warn("WARNING: {}", warning));
        EphemeralPorts.warning(server.self).ifPresent(warning -> server.events.warn("WARNING: {}", warning));
        server.group.next().scheduleAtFixedRate(() -> server.log.info(Measurements.memoryLine()), MEMORY_LOG_SECONDS,
                MEMORY_LOG_SECONDS, TimeUnit.SECONDS);
        if (server.http != null) {
            server.group.next().scheduleAtFixedRate(server::sampleDecidedRate, 1, 1, TimeUnit.SECONDS);
        }
        return server;
    }

    /**
     * A node whose data folder holds stores was a member: with MemoryStorage it would come back with
     * no memory of its promises and could vote twice, which can break agreement.
     */
    private static void refuseMemoryOverStores(Path configFile, Path dataDir) {
        boolean holdsStores;
        try (Stream<Path> entries = Files.list(dataDir)) {
            holdsStores = entries.findAny().isPresent();
        } catch (NoSuchFileException | NotDirectoryException e) {
            holdsStores = false;
        } catch (IOException e) {
            throw new ConfigException(configFile + ": network.data_dir " + dataDir + " cannot be read: " + e);
        }
        if (holdsStores) {
            throw new ConfigException(configFile + ": network.data_dir " + dataDir + " holds this node's stores, so it"
                    + " was a member: started with --memory it would forget the promises it made, which can break"
                    + " agreement. Start it without --memory, or, to bring it back as a new node, remove the folder"
                    + " and add the node through a reconfiguration");
        }
    }

    /**
     * Command line: {@code KvServer <node.toml> [--memory]}, the {@code server} command of the
     * runnable jar ({@link ServerCommand}); exits when the node stops.
     */
    public static void main(String[] args) {
        System.exit(CommandLines.execute(new ServerCommand(), args));
    }

    /** Blocks until {@link #stop} has run. */
    void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Stops the node: closes its ports and links and its storage. */
    public void stop() {
        if (group.isShuttingDown()) {
            return;
        }
        try {
            group.next().submit(clientPort::close).sync();
            if (http != null) {
                http.close();
            }
            configurations.close();
            snapshotTaker.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).awaitUninterruptibly();
        stopped.countDown();
    }

    @Override
    public void onRequest(KvCommand command, Channel channel) {
        long number = command.requestNumber();
        if (command.op() == KvOp.FETCH_STATE) {
            answerFetch(number, channel);
            return;
        }
        if (command.op() == KvOp.CONFIGURATION) {
            reply(channel, configurations.running().map(running -> KvReply.value(number, running.format()))
                    .orElseGet(() -> KvReply.error(number, "node " + self.pid() + " runs no configuration as one of "
                            + "its nodes")));
            return;
        }
        if (requestMetrics != null) {
            requestMetrics.onRequest(channel, number, command.op());
        }
        Optional<String> stuck = configurations.unfollowableEnd();
        if (stuck.isPresent()) {
            reply(channel, KvReply.error(number, stuck.get()));
            return;
        }
        ReplicaNode<KvEntry> node = configurations.node();
        long leader = leaderOf(node);
        if (command.op() == KvOp.GET && node != null && leader != 0
                && (leader == node.pid() || followerReads && !node.isLearner())) {
            serveGet(node, command, channel);
            return;
        }
        if (node == null || leader != node.pid()) {
            reply(channel, notLeader(number, leader));
            return;
        }
        if (command.op() == KvOp.RECONFIGURE) {
            reconfigure(node, command, channel);
            return;
        }
        proposeCommand(node, command, channel);
    }

    /** Appends {@code command} to the log; answered once it is decided and applied here. */
    private void proposeCommand(ReplicaNode<KvEntry> node, KvCommand command, Channel channel) {
        long number = command.requestNumber();
        if (pending.commandsFull()) {
            reply(channel, KvReply.error(number, "busy: " + PendingRequests.MAX_COMMANDS + " requests pending"));
            return;
        }
        try {
            node.append(command);
        } catch (AppendRejectedException e) {
            // A stop-sign ends this configuration: the client retries, and finds the next one's leader.
            reply(channel, e.reason() == AppendRejectedException.Reason.BUFFER_FULL
                    ? KvReply.error(number, "busy: " + e.getMessage()) : KvReply.notLeader(number, 0));
            return;
        }
        pending.addCommand(command, channel);
    }

    /**
     * A GET through the read index, not the log: answered from this node's state once the read is
     * confirmed and applied here ({@link LinearizableGets}); on a follower only with follower_reads.
     */
    private void serveGet(ReplicaNode<KvEntry> node, KvCommand get, Channel channel) {
        if (gets.full()) {
            reply(channel, KvReply.error(get.requestNumber(), "busy: " + LinearizableGets.MAX_WAITING
                    + " GETs waiting"));
            return;
        }
        long readId = node.requestRead();
        if (readId < 0) {
            reply(channel, notLeader(get.requestNumber(), 0));
            return;
        }
        gets.waitFor(readId, get, channel);
    }

    @Override
    public void onReadsReady(List<ReadIndex> reads) {
        gets.onReady(reads, this::getThroughTheLog);
    }

    /**
     * A GET whose read was not confirmed: on a node that still leads it goes through the log (answered
     * once decided, as a write is), so a leader that cannot confirm reads in time still serves them;
     * any other node answers NOT_LEADER.
     */
    private void getThroughTheLog(KvCommand get, Channel channel) {
        ReplicaNode<KvEntry> node = configurations.node();
        long leader = leaderOf(node);
        if (node == null || leader != node.pid()) {
            reply(channel, notLeader(get.requestNumber(), leader));
            return;
        }
        proposeCommand(node, get, channel);
    }

    /** The leader {@code node} knows, 0 if none (or no node). */
    private static long leaderOf(ReplicaNode<KvEntry> node) {
        return node == null ? 0 : node.paxos().getCurrentLeader().orElse(0L);
    }

    /** NOT_LEADER naming {@code leader} (0: unknown) and its client address if known. */
    private KvReply notLeader(long number, long leader) {
        NodeAddress leaderAddress = configurations.address(leader);
        return leaderAddress == null ? KvReply.notLeader(number, leader)
                : KvReply.notLeader(number, leader, leaderAddress.clientEndpoint());
    }

    /**
     * Answers a state fetch with the newest handover this node knows, streamed in chunks from its
     * handover file ({@link StateStream}): the node never builds it whole.
     */
    private void answerFetch(long number, Channel channel) {
        Optional<HandoverSource> source;
        try {
            source = configurations.openHandover();
        } catch (IOException e) {
            events.error("node {} cannot read its handover for a state fetch: {}", self.pid(), e.toString());
            reply(channel, KvReply.error(number, "node " + self.pid() + " cannot read its handover: " + e));
            return;
        }
        if (source.isEmpty()) {
            reply(channel, KvReply.error(number, "node " + self.pid() + " has not seen a configuration end"));
            return;
        }
        StateStream stream;
        try {
            stream = new StateStream(number, source.get());
        } catch (IllegalArgumentException e) {
            source.get().close();
            events.error("node {} cannot hand out the state of configuration {}: {}", self.pid(),
                    configurations.handover().endedConfigId(), e.getMessage());
            reply(channel, KvReply.error(number, "node " + self.pid() + " cannot hand out its state: "
                    + e.getMessage()));
            return;
        }
        flushReplies(); // replies written before go out before the chunks
        clientPort.stream(channel, stream);
    }

    /**
     * Proposes the stop-sign a RECONFIGURE request asks for; answered once a stop-sign is decided.
     * The request is validated first as completely as every node will check the decided stop-sign
     * ({@link ReconfigureRequest}, {@link Handover}): one that fails gets an ERROR and nothing is proposed.
     */
    private void reconfigure(ReplicaNode<KvEntry> node, KvCommand command, Channel channel) {
        long number = command.requestNumber();
        StopSign wanted;
        try {
            wanted = ReconfigureRequest.parse(command.value()).stopSign();
        } catch (IllegalArgumentException e) {
            reply(channel, KvReply.error(number, "bad reconfiguration: " + e.getMessage()));
            return;
        }
        Handover previous = configurations.handover();
        if (previous != null && previous.stopSign().equals(wanted)) {
            reply(channel, KvReply.ok(number)); // a retry of a reconfiguration that is done
            return;
        }
        Optional<String> refusal = reconfigurationRefusal(wanted);
        if (refusal.isPresent()) {
            reply(channel, KvReply.error(number, refusal.get()));
            return;
        }
        if (catchUp != null && catchUp.runsOn(node)) {
            if (catchUp.wanted().equals(wanted)) {
                pending.addReconfiguration(channel, number, wanted); // a retry while its new nodes catch up
            } else {
                reply(channel, KvReply.error(number, "busy: the reconfiguration to " + catchUp.wanted().nextConfig()
                        + " waits for its new nodes to catch up"));
            }
            return;
        }
        pending.addReconfiguration(channel, number, wanted);
        catchUp = LearnerCatchUp.start(node, wanted, System.nanoTime()); // each path requests a step
        if (catchUp == null) {
            proposeStopSign(node, wanted);
        }
    }

    /** Proposes {@code wanted}; the pending reconfigurations are answered once a stop-sign is decided. */
    private static void proposeStopSign(ReplicaNode<KvEntry> node, StopSign wanted) {
        try {
            node.paxos().reconfigure(wanted.nextConfig(), wanted.metadata());
        } catch (AppendRejectedException e) {
            // A stop-sign is already on its way; the answer depends on which one is decided.
        }
        node.requestStep();
    }

    /**
     * After a step: proposes the stop-sign of a reconfiguration whose new nodes caught up as
     * learners ({@link LearnerCatchUp}); gives it up if this node no longer leads that instance.
     */
    private void proposeWhenLearnersCaughtUp(ReplicaNode<KvEntry> node) {
        if (!catchUp.runsOn(node)) {
            catchUp = null; // that configuration ended
        } else if (leaderOf(node) != node.pid()) {
            catchUp.cancel(); // its request was answered NOT_LEADER
            catchUp = null;
        } else if (catchUp.ready(System.nanoTime())) {
            StopSign wanted = catchUp.wanted();
            catchUp = null;
            proposeStopSign(node, wanted);
        }
    }

    /** Why {@code wanted} may not be proposed now, or empty. */
    private Optional<String> reconfigurationRefusal(StopSign wanted) {
        int current = configurations.config().cluster().configurationId();
        if (wanted.nextConfig().configurationId() <= current) {
            return Optional.of("the next configuration id must be above the current one, " + current + ", got "
                    + wanted.nextConfig().configurationId());
        }
        try {
            Handover.requireFollowable(current, wanted); // what every node checks once the stop-sign is decided
        } catch (IllegalArgumentException | DecodeException e) {
            return Optional.of("bad reconfiguration: " + e.getMessage());
        }
        if (pending.reconfigurationsFull()) {
            return Optional.of("busy: " + PendingRequests.MAX_RECONFIGURATIONS + " reconfigurations pending");
        }
        return Optional.empty();
    }

    @Override
    public void onStopSign(StopSign stopSign) {
        // The copy is a pass over keys and sessions; encoding it takes a second or more for tens of
        // MB on a loaded machine, so the worker does that while this loop goes on serving reads.
        KvStateMachine finalState = stateMachine.copy();
        configurations.onStopSign(stopSign, finalState::encode);
        configurations.unfollowableEnd().ifPresent(this::answerPendingError);
    }

    @Override
    public void onNewerConfiguration(int configurationId) {
        configurations.onNewerConfiguration(configurationId);
    }

    @Override
    public void onConfigurationEnded(int endedConfigId, StopSign stopSign) {
        for (PendingRequests.Reconfiguration waiting : pending.takeReconfigurations()) {
            reply(waiting.channel(), waiting.wanted().equals(stopSign) ? KvReply.ok(waiting.requestNumber())
                    : KvReply.error(waiting.requestNumber(), "configuration " + endedConfigId
                            + " ended with another reconfiguration: to " + stopSign.nextConfig()));
        }
        answerPendingNotLeader(0);
        flushReplies();
    }

    @Override
    public void onConfigurationStarting(boolean stateKept) {
        if (requestMetrics != null) {
            requestMetrics.onConfigurationEntered();
        }
        if (stateKept) {
            // Not read from the storage and decoded again: a second or more for tens of MB, in the
            // middle of the handover.
            log.info("the state machine already holds the seed of this configuration ({} keys)", stateMachine.size());
        } else {
            stateMachine = new KvStateMachine(); // the seeded snapshot (or the storage's log) restores it
        }
        snapshotTaker.stateReplaced(stateKept ? 1 : 0);
        gets.answerAll(number -> KvReply.notLeader(number, 0), this::reply); // their reads were the old node's
    }

    @Override
    public void onDecided(KvEntry entry) {
        if (entry instanceof KvSnapshot snapshot) {
            stateMachine = snapshot.toStateMachine(); // a state seeded into the log
            return;
        }
        KvCommand command = (KvCommand) entry;
        KvReply reply = stateMachine.apply(command);
        Channel channel = pending.removeCommand(command);
        if (channel != null) {
            reply(channel, reply);
        }
    }

    @Override
    public void onSnapshot(KvEntry snapshot, long compactedIdx) {
        // Requests pending here whose entries lie in the snapshot get no answer from us; their
        // clients retry, and the snapshot's session table answers them at most once.
        stateMachine = ((KvSnapshot) snapshot).toStateMachine();
        snapshotTaker.stateReplaced(compactedIdx);
        events.info("installed a snapshot of the log up to index {} ({} keys)", compactedIdx, stateMachine.size());
    }

    @Override
    public void onLeaderChanged(long leaderPid) {
        ReplicaNode<KvEntry> node = configurations.node();
        if (node != null && leaderPid != node.pid()) {
            answerPendingNotLeader(leaderPid);
        }
    }

    /**
     * Answers every waiting request NOT_LEADER: our entries may or may not be decided by the new
     * leader (or configuration); the clients retry with the same request numbers, and the state
     * machine's session table keeps that at-most-once.
     */
    private void answerPendingNotLeader(long leaderPid) {
        if (pending.isEmpty()) {
            return;
        }
        List<PendingRequests.Waiting> waiting = pending.takeCommands();
        for (PendingRequests.Waiting request : waiting) {
            reply(request.channel(), KvReply.notLeader(request.requestNumber(), leaderPid));
        }
        for (PendingRequests.Reconfiguration reconfiguration : pending.takeReconfigurations()) {
            reply(reconfiguration.channel(), KvReply.notLeader(reconfiguration.requestNumber(), leaderPid));
        }
        log.info("answered {} pending requests NOT_LEADER (leader now {})", waiting.size(), leaderPid);
    }

    /**
     * Answers every waiting request ERROR with {@code reason}: the configuration ended with a
     * stop-sign this node cannot follow, so none of them will ever be decided here.
     */
    private void answerPendingError(String reason) {
        for (PendingRequests.Waiting request : pending.takeCommands()) {
            reply(request.channel(), KvReply.error(request.requestNumber(), reason));
        }
        for (PendingRequests.Reconfiguration reconfiguration : pending.takeReconfigurations()) {
            reply(reconfiguration.channel(), KvReply.error(reconfiguration.requestNumber(), reason));
        }
    }

    @Override
    public void onStorageSynced(long nanos) { // on the storage thread
        if (requestMetrics != null) {
            requestMetrics.onStorageSynced(nanos);
        }
    }

    @Override
    public void afterStep() {
        ReplicaNode<KvEntry> node = configurations.node();
        if (node != null) {
            gets.answerApplied(node.appliedIdx(), stateMachine, this::reply);
        }
        if (catchUp != null) {
            proposeWhenLearnersCaughtUp(node);
        }
        flushReplies();
        snapshotTaker.takeIfDue(node, stateMachine);
    }

    private void flushReplies() {
        for (Channel channel : unflushed) {
            channel.flush();
        }
        unflushed.clear();
    }

    @Override
    public void onFatal(Throwable failure) {
        if (failure instanceof DataFolderReplacedException replaced) {
            // Not a bug: an operator's doing, with the remedy in the message. Before anything else happens.
            events.error("node {} stops: {}", self.pid(), replaced.getMessage());
            Runtime.getRuntime().halt(EXIT_DATA_FOLDER_REPLACED);
        }
        events.error("node {} stops: {}", self.pid(), failure.toString());
        log.error("fatal failure", failure);
        // A node that cannot persist or whose invariants broke must not answer anyone any more.
        Runtime.getRuntime().halt(70);
    }

    /** This node's pid. */
    public long pid() {
        return self.pid();
    }

    /** Sends {@code reply}, unless its client is gone or not reading: then it is not even encoded (up to 1 MiB). */
    private void reply(Channel channel, KvReply reply) {
        if (requestMetrics != null) {
            requestMetrics.onReply(channel, reply.requestNumber(), reply.status());
        }
        if (channel.isActive() && clientPort.admitReply(channel)) {
            send(channel, ClientWire.encodeReply(reply, channel.alloc()));
        }
    }

    /**
     * Writes a reply frame; it is flushed after the next step (or at once if no instance runs). A
     * connection whose client does not read its replies is closed instead ({@link ClientPort#admitReply}).
     */
    private void send(Channel channel, ByteBuf frame) {
        if (!channel.isActive() || !clientPort.admitReply(channel)) {
            frame.release();
            return;
        }
        channel.write(frame, channel.voidPromise());
        unflushed.add(channel);
        ReplicaNode<KvEntry> node = configurations.node();
        if (node != null) {
            node.requestStep();
        } else {
            flushReplies(); // no step will come to flush it
        }
    }
}
