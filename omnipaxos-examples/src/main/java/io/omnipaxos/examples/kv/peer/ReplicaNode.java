package io.omnipaxos.examples.kv.peer;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.omnipaxos.AppendRejectedException;
import io.omnipaxos.CompactionException;
import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.ReadIndex;
import io.omnipaxos.Snapshot;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.Limits;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.ProgressLine;
import io.omnipaxos.messages.Message;
import io.omnipaxos.storage.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OmniPaxos server on a Netty event loop: the loop's single thread owns the {@link OmniPaxos}
 * instance (which is not thread-safe), ticks it every {@code tickIntervalMillis} (at the wall-clock
 * rate whatever the timer's jitter, forgiving the ticks a stall of the loop left behind: {@link
 * TickClock}), hands it every
 * message from the {@link PeerNetwork}, and after every step sends the outgoing messages and hands
 * newly decided entries, in log order, to its {@link Listener}.
 *
 * <p>Steps are coalesced: every input asks for a step, and one step runs after the event loop has
 * processed the inputs at hand, so a burst of frames costs one flush. With a synchronous storage,
 * persistence happens inside the OmniPaxos calls, before {@code takeOutgoingMessages} releases the
 * dependent messages. With an asynchronous one ({@code Storage.isAsynchronous()}, e.g. {@code
 * PersistentStorage} with {@code SyncPolicy.ASYNCHRONOUS}) the calls only issue the writes, and a
 * {@link StorageSyncThread} makes them durable off the loop: after every core call the loop tells
 * it how many writes the server issued, and it posts {@link OmniPaxos#persisted} back, followed by
 * a step that sends what that released (promises, acknowledgements, and a leader's decisions). The
 * event loop never waits for an fsync then.
 *
 * <p>Anything thrown while it steps (by the core: a storage failure, a broken invariant; or by the
 * listener) and any {@link Error} in a peer link's handler goes to {@link Listener#onFatal}: a node
 * that cannot persist must stop, not limp on. So does a {@link DataFolderReplacedException}: peers
 * know this node under another incarnation of its data folder ({@link Incarnations}).
 *
 * @param <T> the entry type
 */
public final class ReplicaNode<T> {

    /**
     * Frame limits between nodes. Batches and catch-up carry at most the core's {@code
     * max_message_bytes} of entries (8 MiB by default), and so do the parts of a large snapshot,
     * but a Promise carries a follower's snapshot whole when a new leader lacks what it compacted,
     * so frames may be much larger (see docs/kv-store.md).
     */
    public static final Limits PEER_LIMITS = new Limits(256 * 1024 * 1024, 4 * 1024 * 1024,
            ClientWire.MAX_REQUEST_BYTES);

    /** What the node tells its application, always on the event loop. */
    public interface Listener<T> {
        /** The entry at the next log index is decided; called once per index, in order. */
        void onDecided(T entry);

        /** Linearizable reads asked for with {@link ReplicaNode#requestRead()} were answered. */
        default void onReadsReady(List<ReadIndex> reads) {}

        /** The leader this node knows changed to {@code leaderPid} (0: none known). */
        default void onLeaderChanged(long leaderPid) {}

        /**
         * The leader trimmed the log below {@code compactedIdx} before this node applied entries up
         * to there: they are gone. An application that needs every entry must not trim (or must
         * restore from a snapshot); the default treats it as fatal.
         */
        default void onTrimmed(long compactedIdx) {
            throw new IllegalStateException("the log was trimmed below " + compactedIdx
                    + " before this node applied those entries");
        }

        /**
         * The log below {@code compactedIdx} was replaced by {@code snapshot} before this node applied
         * entries up to there (it restarted, or the leader synchronised it from a snapshot): replace
         * the application state by the snapshot's. The default treats it as fatal.
         */
        default void onSnapshot(T snapshot, long compactedIdx) {
            throw new IllegalStateException("the log was compacted below " + compactedIdx
                    + " and the application does not restore snapshots");
        }

        /** The stop-sign is decided: this configuration is finished; nothing follows it. */
        default void onStopSign(StopSign stopSign) {}

        /**
         * A peer runs a configuration with a higher id ({@code configurationId}): this one has ended,
         * though this node may not have seen its stop-sign decided.
         */
        default void onNewerConfiguration(int configurationId) {}

        /** A step finished (outgoing messages flushed, decided entries applied). */
        default void afterStep() {}

        /**
         * The storage thread made writes durable in one sync that took {@code nanos}. Called on the
         * storage thread, not the event loop (so only for thread-safe figures, such as metrics).
         */
        default void onStorageSynced(long nanos) {}

        /** The core threw: the node cannot go on. */
        void onFatal(Throwable failure);
    }

    /** A core call longer than this is logged: it delays heartbeats, and a few in a row depose a leader. */
    static final long SLOW_CALL_MILLIS = 50;

    /** Decided entries handed to the listener per step, so that a long catch-up keeps the loop responsive. */
    static final int MAX_APPLIED_PER_STEP = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaNode.class);
    private static final Logger EVENTS = LoggerFactory.getLogger(KvLogging.EVENTS);

    private final OmniPaxos<T> paxos;
    private final long pid;
    private final EventLoop loop;
    private final int tickIntervalMillis;
    private final boolean recovering;
    private final Listener<T> listener;
    private final PeerNetwork<T> network;
    /** Makes the writes durable for an asynchronous storage; null for a synchronous one. */
    private final StorageSyncThread syncThread;
    private final List<Message<T>> outgoing = new ArrayList<>();
    private final Runnable stepTask = this::step;
    private ScheduledFuture<?> ticker;
    private boolean stepRequested;
    /** When the last tick ran ({@link System#nanoTime}). */
    /** How many ticks each wake-up of the ticker runs. */
    private final TickClock tickClock;
    private boolean failed;
    private boolean closed;
    private long appliedIdx;
    private long leaderPid;
    /** After a recovery: not yet reported that this node caught up with the leader. */
    private boolean catchUpUnreported;
    /** The decided index when the leader first synchronised us after a recovery; -1 until then. */
    private long catchUpTargetIdx = -1;
    /** The console line of a catch-up that takes more than a second. */
    private ProgressLine catchUpProgress;
    /** Links the node pretends are cut (fault-injection tests); none unless {@link #useLinkFaults} gives some. */
    private LinkFaults linkFaults = new LinkFaults();

    /**
     * Builds the node; nothing runs before {@link #start()}.
     *
     * @param recovering whether {@code storage} holds state from an earlier run (the node then
     *     rejoins with {@link OmniPaxos#failRecovery()})
     * @param tls a TLS context for peer links, or null for plain TCP
     */
    public ReplicaNode(OmniPaxosConfig config, Storage<T> storage, boolean recovering, MessageCodec<T> codec,
            Map<Long, NodeAddress> nodes, SSLContext tls, EventLoop loop, int tickIntervalMillis,
            Listener<T> listener) {
        this(config, storage, null, recovering, codec, nodes, tls, Incarnations.inMemory(config.server().pid()), loop,
                tickIntervalMillis, listener);
    }

    /**
     * Like the other constructor, with the application's {@code snapshots} (null: none), so that
     * the log can be compacted with {@link OmniPaxos#snapshot}, and the node's {@code incarnations}
     * (its own, and those it recorded for its peers, shared by the node's successive instances),
     * which its peer links check and record. With an asynchronous storage it syncs it once, which
     * blocks: build the node off the event loop.
     */
    public ReplicaNode(OmniPaxosConfig config, Storage<T> storage, Snapshot<T> snapshots, boolean recovering,
            MessageCodec<T> codec, Map<Long, NodeAddress> nodes, SSLContext tls, Incarnations incarnations,
            EventLoop loop, int tickIntervalMillis, Listener<T> listener) {
        this.pid = config.server().pid();
        LongSupplier sync = storage.isAsynchronous() ? timed(StorageSyncThread.syncOf(storage), listener) : null;
        // The writes made before the server is built (a seeded start) are made durable here, off
        // the loop; the server numbers only its own writes.
        long writesBefore = sync == null ? 0 : sync.getAsLong();
        // With the codec's entry sizes the core keeps every message within max_message_bytes, so a
        // follower far behind catches up in bounded messages instead of one the size of its gap.
        this.paxos = config.build(storage, snapshots, codec.entryCodec());
        this.syncThread = sync == null ? null : new StorageSyncThread("kv-storage-sync-node" + pid, sync,
                writesBefore, this::onDurable, this::onSyncFailed);
        this.loop = loop;
        this.tickIntervalMillis = tickIntervalMillis;
        this.tickClock = new TickClock(tickIntervalMillis * 1_000_000L, System.nanoTime());
        this.recovering = recovering;
        this.catchUpUnreported = recovering;
        this.listener = listener;
        this.network = new PeerNetwork<>(pid, config.cluster().configurationId(), nodes, config.peers(),
                !config.server().learner(), codec, tls, loop, new NetworkEvents(), incarnations);
    }

    /** {@code sync}, telling {@code listener} how long each call took. */
    private static LongSupplier timed(LongSupplier sync, Listener<?> listener) {
        return () -> {
            long start = System.nanoTime();
            long durable = sync.getAsLong();
            listener.onStorageSynced(System.nanoTime() - start);
            return durable;
        };
    }

    /** Drops the messages {@code faults} names from now on, for fault-injection tests. Before {@link #start()}. */
    public void useLinkFaults(LinkFaults faults) {
        this.linkFaults = faults;
    }

    /** Binds the peer port (blocking), starts dialing and ticking. Not on the event loop. */
    public void start() throws InterruptedException {
        if (syncThread != null) {
            syncThread.start();
        }
        network.start();
        loop.submit(() -> {
            if (recovering) {
                // build() already entered recovery for a non-empty storage; failRecovery() is the
                // documented way to rejoin after a crash and is harmless to repeat.
                guard("failRecovery", paxos::failRecovery);
                EVENTS.info("recovering from storage: asking peers to synchronise this node");
            }
            ticker = loop.scheduleAtFixedRate(this::tick, tickIntervalMillis, tickIntervalMillis,
                    TimeUnit.MILLISECONDS);
        }).sync();
    }

    /**
     * Proposes {@code entry}. Event loop only.
     *
     * @throws AppendRejectedException if too many proposals wait for a leader (the caller's to handle)
     */
    public void append(T entry) {
        try {
            paxos.append(entry);
        } catch (AppendRejectedException e) {
            throw e;
        } catch (RuntimeException e) {
            guard("append", () -> {
                throw e;
            });
        }
        requestStep();
    }

    /**
     * Replicates the log to {@code learner} from now on while this node leads ({@link
     * OmniPaxos#addLearner}): the learner may link with this node, which dials it. Event loop only.
     *
     * @throws IllegalArgumentException if it is one of the configuration's nodes
     */
    public void addLearner(NodeAddress learner) {
        paxos.addLearner(learner.pid());
        network.addPeer(learner);
        requestStep(); // the Prepare it was just sent
    }

    /** Stops replicating to {@code learner} ({@link OmniPaxos#removeLearner}). Event loop only. */
    public void removeLearner(long learner) {
        paxos.removeLearner(learner);
    }

    /** Whether this node is a learner of its configuration (it does not vote, lead or propose). */
    public boolean isLearner() {
        return paxos.config().server().learner();
    }

    /** The OmniPaxos instance; touch it on the event loop only. */
    public OmniPaxos<T> paxos() {
        return paxos;
    }

    /** This node's pid. */
    public long pid() {
        return pid;
    }

    /** The event loop that owns this node. */
    public EventLoop loop() {
        return loop;
    }

    /**
     * Replaces the log below {@code idx} by the application's own {@code snapshot} of it ({@link
     * OmniPaxos#installSnapshot}), with the storage write reported like any step's. Event loop only.
     *
     * @return false if the core refused (e.g. the log was compacted past {@code idx} meanwhile) or
     *     the node is closed
     */
    public boolean installSnapshot(long idx, T snapshot) {
        boolean[] installed = {false};
        guard("installSnapshot", () -> {
            try {
                paxos.installSnapshot(idx, snapshot);
                installed[0] = true;
            } catch (CompactionException refused) {
                LOG.debug("node {}: no snapshot at {}: {}", pid, idx, refused.getMessage());
            }
        });
        return installed[0];
    }

    /**
     * Asks OmniPaxos for a linearizable read ({@link OmniPaxos#requestRead()}); the answer reaches
     * {@link Listener#onReadsReady} in a later step. Event loop only.
     *
     * @return the read's number, or -1 if the node is closed or failed
     */
    public long requestRead() {
        long[] readId = {-1};
        guard("requestRead", () -> readId[0] = paxos.requestRead());
        requestStep(); // the request to the leader, or an answer at once, goes out with the next step
        return readId[0];
    }

    /**
     * The listener already holds the effect of the decided slots below {@code idx} (see {@link
     * OmniPaxos#skipDecided}): they are not handed to it. Before {@link #start}; event loop only.
     */
    public void skipDecided(long idx) {
        paxos.skipDecided(idx);
        appliedIdx = idx;
    }

    /** The number of decided entries handed to the listener. Event loop only. */
    public long appliedIdx() {
        return appliedIdx;
    }

    /** The peers with an established link now. Event loop only. */
    public Set<Long> linkedPeers() {
        return network.connectedPeers();
    }

    /** The network's counters, for logs. Event loop only. */
    public String networkCounters() {
        return "peers up " + network.connectedPeers() + ", rejected handshakes " + network.rejectedHandshakes()
                + ", hello timeouts " + network.helloTimeouts() + ", bad frames " + network.badFrames()
                + ", misaddressed " + network.misaddressedMessages()
                + ", undeliverable " + network.undeliverableMessages() + ", oversized " + network.oversizedMessages()
                + ", dropped by core " + paxos.droppedIncomingCount();
    }

    /** Peer handshakes refused so far. Event loop only. */
    public long rejectedHandshakes() {
        return network.rejectedHandshakes();
    }

    /**
     * Stops ticking and stepping, closes the peer links and stops the storage sync thread (after the
     * sync in progress, if any; closing the storage makes every write durable). Event loop only.
     */
    public void close() {
        closed = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
        network.close();
        if (syncThread != null) {
            syncThread.close();
        }
    }

    /** Waits until the peer port is released and the storage sync thread ended after {@link #close()}. Not on the event loop. */
    public void awaitClosed() throws InterruptedException {
        network.awaitClosed();
        if (syncThread != null) {
            syncThread.awaitClosed();
        }
    }

    /** Asks for a step after the inputs at hand. Event loop only. */
    public void requestStep() {
        if (!stepRequested) {
            stepRequested = true;
            loop.execute(stepTask);
        }
    }

    /**
     * One tick, unless it is one of the ticks a stall of the event loop left behind (a fixed-rate
     * task runs its missed runs back to back): those are dropped, so that a node never counts time
     * in which it could not hear its peers (their heartbeat replies wait unread behind the stall)
     * as their silence. A stall of the whole machine, or of all nodes at the same moment, then
     * costs no election.
     */
    private void tick() {
        int due = tickClock.ticksDue(System.nanoTime());
        if (due == 0) {
            return;
        }
        for (int i = 0; i < due; i++) {
            guard("tick", paxos::tick);
        }
        step();
    }

    private void step() {
        stepRequested = false;
        if (failed || closed) {
            return;
        }
        guard("step", () -> {
            paxos.takeOutgoingMessages(outgoing);
            for (Message<T> message : outgoing) {
                if (!linkFaults.dropsOutgoing(message.to())) {
                    network.send(message);
                }
            }
            outgoing.clear();
            network.flush();
            applyDecided();
            List<ReadIndex> reads = paxos.takeReadyReads();
            if (!reads.isEmpty()) {
                listener.onReadsReady(reads);
            }
            noticeLeader();
            noticeCatchUp();
            listener.afterStep();
        });
    }

    /** Hands the listener what OmniPaxos decided since the last step ({@link OmniPaxos#takeDecided}), a portion at a time. */
    private void applyDecided() {
        List<LogEntry<T>> decided = paxos.takeDecided(MAX_APPLIED_PER_STEP);
        long idx = appliedIdx;
        for (LogEntry<T> entry : decided) {
            if (entry instanceof LogEntry.Trimmed<T> trimmed) {
                listener.onTrimmed(trimmed.compactedIdx());
                idx = trimmed.compactedIdx();
            } else if (entry instanceof LogEntry.Snapshotted<T> snapshotted) {
                listener.onSnapshot(snapshotted.snapshot(), snapshotted.compactedIdx());
                idx = snapshotted.compactedIdx();
            } else if (entry instanceof LogEntry.Decided<T> one) {
                listener.onDecided(one.entry());
                idx++;
            } else if (entry instanceof LogEntry.StopSign<T> stopSign && stopSign.decided()) {
                listener.onStopSign(stopSign.stopSign());
                idx++;
            } else {
                throw new IllegalStateException("takeDecided handed out " + entry + " at " + idx);
            }
        }
        appliedIdx = idx;
        if (decided.size() == MAX_APPLIED_PER_STEP) {
            requestStep(); // maybe more: the next portion in a step of its own
        }
    }

    private void noticeLeader() {
        long leader = paxos.getCurrentLeader().orElse(0L);
        if (leader != leaderPid) {
            EVENTS.info("leader is now {} (was {}){}", leader == 0 ? "unknown" : "node " + leader,
                    leaderPid == 0 ? "unknown" : "node " + leaderPid, leader == pid ? ": this node" : "");
            leaderPid = leader;
            listener.onLeaderChanged(leader);
        }
    }

    /** After a recovery, one console line once the leader has synchronised us and we applied it all. */
    private void noticeCatchUp() {
        if (!catchUpUnreported) {
            return;
        }
        paxos.getCurrentLeaderInfo().ifPresent(leader -> {
            if (catchUpTargetIdx < 0 && leader.accepting() && leader.pid() != pid) {
                catchUpTargetIdx = paxos.getDecidedIdx();
            }
            // Under a steady write load the decided index keeps moving: caught up means having
            // applied everything that was decided when the leader synchronised us.
            if (catchUpTargetIdx >= 0 && appliedIdx < catchUpTargetIdx) {
                if (catchUpProgress == null) {
                    catchUpProgress = ProgressLine.entries(EVENTS, "catching up: applied", appliedIdx, System.nanoTime());
                }
                catchUpProgress.update(appliedIdx, catchUpTargetIdx, System.nanoTime());
            }
            if (catchUpTargetIdx >= 0 && appliedIdx >= catchUpTargetIdx) {
                catchUpUnreported = false;
                EVENTS.info("caught up: synchronised by leader node {}, applied the decided log up to index {}",
                        leader.pid(), appliedIdx);
            }
        });
    }

    /** From the storage sync thread: the first {@code writes} writes are durable. */
    private void onDurable(long writes) {
        onLoop(() -> {
            guard("persisted", () -> paxos.persisted(writes));
            requestStep(); // sends what the writes held back
        });
    }

    /** From the storage sync thread: the storage failed, so the node must stop. */
    private void onSyncFailed(Throwable failure) {
        onLoop(() -> fail(failure));
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("node {} closing: dropped a storage report", pid);
        }
    }

    /**
     * Runs one call of the core, failing the node if it throws, and logs it if it took {@value
     * #SLOW_CALL_MILLIS} ms or more: {@code what} names it (a message is named by its type).
     */
    private void guard(Object what, Runnable coreCall) {
        if (failed || closed) {
            return;
        }
        long start = System.nanoTime();
        try {
            coreCall.run();
            if (syncThread != null) {
                syncThread.writesIssued(paxos.storageWritesIssued());
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (millis >= SLOW_CALL_MILLIS) {
                LOG.warn("slow step: {} ms in one call of the core ({}) on node {}", millis,
                        what instanceof Message<?> message ? message.getClass().getSimpleName() : what, pid);
            }
        } catch (Throwable e) { // Netty's loop would only log it: a node that failed mid-step must stop
            fail(e);
        }
    }

    private void fail(Throwable failure) {
        if (failed) {
            return;
        }
        failed = true;
        LOG.error("node {} failed: {}", pid, paxos, failure);
        listener.onFatal(failure);
    }

    /** The network's callbacks, which feed the core. */
    private final class NetworkEvents implements PeerNetwork.Events<T> {
        @Override
        public void onMessage(Message<T> message) {
            if (linkFaults.dropsIncoming(message.from())) {
                return;
            }
            guard(message, () -> paxos.handleIncoming(message));
            requestStep();
        }

        @Override
        public void onLinkUp(long peer) {
            guard("reconnected", () -> paxos.reconnected(peer));
            requestStep();
        }

        @Override
        public void onNewerConfiguration(int configurationId) {
            listener.onNewerConfiguration(configurationId);
        }

        @Override
        public void onFatal(Throwable failure) {
            fail(failure);
        }

        @Override
        public void onLinkDown(long peer) {
            // A closed connection to the leader (its process died, say) ends the heartbeat round as soon
            // as a quorum answered without it, instead of at the round's timeout. Messages to the peer
            // are dropped until the link is back (then reconnected() resynchronises).
            guard("disconnected", () -> paxos.disconnected(peer));
            requestStep();
        }
    }
}
