package io.omnipaxos;

import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.messages.BallotLeaderMessage;
import io.omnipaxos.messages.HeartbeatReply;
import io.omnipaxos.messages.HeartbeatRequest;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.SequencePaxosMessage;
import io.omnipaxos.storage.Storage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One server of an OmniPaxos replicated log: Ballot Leader Election plus Sequence Paxos, with no
 * I/O of its own (sans-I/O).
 *
 * <p>The user drives it: call {@link #tick()} every few milliseconds, hand every message received
 * from a peer to {@link #handleIncoming}, and send every message from {@link #outgoingMessages()}
 * to the server {@link Message#to()} over any network. {@link #append} proposes an entry on any
 * server; every server reads decided entries back in log order with {@link #readDecidedSuffix}.
 *
 * <p>Storage writes happen inside these calls, before the messages that depend on them are
 * queued, so taking the outgoing messages after a call returns is always safe. Exactly these calls
 * may write to storage (with {@code PersistentStorage}, an fsync):
 * <ul>
 *   <li>{@link #handleIncoming}: promises, accepted entries, decided indices, compaction;</li>
 *   <li>{@link #tick}: a new leader's promise, and on a leader the partial batch at the flush tick;</li>
 *   <li>{@link #append} on a leader, when the entry fills the batch;</li>
 *   <li>{@link #outgoingMessages} and {@link #takeOutgoingMessages} on a leader, the partial batch
 *       when nothing it replicated is undecided (so light load is not held back);</li>
 *   <li>{@link #reconfigure} on a leader (the batch, then the stop-sign);</li>
 *   <li>{@link #trim} and {@link #snapshot} (the compacted prefix);</li>
 *   <li>{@link #tryBecomeLeader} (the new promise).</li>
 * </ul>
 * Reads ({@link #read}, {@link #readDecidedSuffix}, the getters), {@link #reconnected} and
 * {@link #failRecovery} never write.
 * When a batch is flushed is decided in one place, documented in the package-private
 * {@code EntryBatch}: when full, at the flush tick, or at the drain described above.
 *
 * <p><b>Not thread-safe.</b> An instance is a single-threaded, deterministic state machine: no
 * threads, clocks, sockets or randomness inside. Call it from one thread (or under one lock).
 *
 * @param <T> the user's entry type
 */
public final class OmniPaxos<T> {

    private final OmniPaxosConfig config;
    private final Set<Long> peers;
    private final Outbox<T> outbox;
    private final BallotLeaderElection<T> election;
    private final SequencePaxos<T> paxos;
    private final IncomingScreen screen;
    private int electionTicks;
    private int resendTicks;
    private int flushTicks;
    private long droppedIncomingCount;
    /** The end of the slots {@link #takeDecided} handed out so far. */
    private long takenIdx;

    OmniPaxos(OmniPaxosConfig config, Storage<T> storage, Snapshot<T> snapshots, EntryCodec<T> entryCodec) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(storage, "storage");
        ServerConfig server = config.server();
        this.peers = new HashSet<>(config.peers());
        this.outbox = new Outbox<>(server.bufferSize());
        this.election = new BallotLeaderElection<>(server.pid(), config.cluster().configurationId(),
                config.peers(), config.cluster().readQuorumSize(), server.leaderPriority());
        this.paxos = new SequencePaxos<>(config, storage, outbox, snapshots, entryCodec);
        this.screen = new IncomingScreen(config.cluster());
        election.recover(paxos.state.log.promise());
        if (!server.learner()) {
            election.startRound(outbox); // a learner takes no part in leader election
        }
    }

    /**
     * Makes {@code pid} a learner of this configuration on this server: while this server leads it
     * sends that server the log (from a snapshot if the log is compacted) and then every entry and
     * decision, as to a follower, but counts it in no quorum; a learner never votes and is never
     * elected. The learner runs an instance configured with {@code learner = true}, this
     * configuration's id and its nodes as peers. Not replicated: call it on every node (any of them
     * may lead next), for instance when the application applies a decided entry that names the
     * learner. Typical use: a server that a reconfiguration will add catches up as a learner first,
     * so that it holds the state when the stop-sign is decided. A trim waits until learners accepted
     * what it removes; compaction requests are not sent to learners.
     *
     * @throws IllegalArgumentException if {@code pid} is one of the nodes, or not above 0
     * @throws IllegalStateException if this server is itself a learner
     */
    public void addLearner(long pid) {
        requireVoter("addLearner");
        if (pid <= 0 || pid == config.server().pid() || peers.contains(pid)) {
            throw new IllegalArgumentException("pid " + pid + " cannot be a learner: it is one of the nodes "
                    + config.cluster().nodes() + " or not above 0");
        }
        paxos.addLearner(pid);
        checkInvariants();
    }

    /** Stops treating {@code pid} as a learner here (nothing more is sent to it); no-op if it is not one. */
    public void removeLearner(long pid) {
        paxos.removeLearner(pid);
        checkInvariants();
    }

    /** The learners this server sends the log to while it leads, in pid order. */
    public Set<Long> learners() {
        return Set.copyOf(paxos.state.learners);
    }

    private void requireVoter(String call) {
        if (config.server().learner()) {
            throw new IllegalStateException(call + ": server " + config.server().pid() + " is a learner");
        }
    }

    /**
     * Proposes {@code entry} for the end of the log. On the leader it joins the current batch; on
     * another server it is forwarded to the leader with the next outgoing messages; while no leader
     * is known it waits (at most {@code buffer_size} entries). An entry is in the log once it is
     * read back as decided; an entry may be lost if the server it was appended on crashes or the
     * leader changes before it was replicated, so applications retry what they did not see decided.
     *
     * <p>The returned proposal id (1, 2, 3, ... per instance) comes back on the {@link
     * LogEntry.Decided} that {@link #takeDecided} hands out for the slot where the entry was decided,
     * so the application learns where and when its own entry was decided without comparing entries.
     * An id that never comes back belongs to an entry that was not decided: dropped (counted in
     * {@link #droppedProposalCount()}), appended after the stop-sign that ended the configuration,
     * or inside a compacted prefix the application was handed as a snapshot.
     *
     * @return the proposal id of {@code entry} on this server
     * @throws AppendRejectedException if {@code buffer_size} entries already wait for a leader, the
     *     entry is larger than {@code max_message_bytes} ({@link
     *     AppendRejectedException.Reason#ENTRY_TOO_LARGE}, only known to a server built with an entry
     *     codec), or the log ends with a stop-sign ({@link
     *     AppendRejectedException.Reason#STOP_SIGN_PENDING}, or {@link
     *     AppendRejectedException.Reason#RECONFIGURED} once it is decided), or this server is a
     *     learner ({@link AppendRejectedException.Reason#LEARNER})
     */
    public long append(T entry) {
        Objects.requireNonNull(entry, "entry");
        long id = paxos.append(entry);
        paxos.checkAppendInvariants();
        paxos.state.metrics.proposed();
        return id;
    }

    /**
     * Handles a message received from a peer. Messages from a pid outside the configuration,
     * addressed to another pid, or of another configuration id are dropped and counted in
     * {@link #droppedIncomingCount()}. Messages that say what the protocol does not let their sender
     * say (see {@link #rejectedIncomingCount()}) change nothing and are counted there.
     */
    public void handleIncoming(Message<T> message) {
        Objects.requireNonNull(message, "message");
        paxos.state.metrics.received(message);
        if (!isForThisServer(message)) {
            droppedIncomingCount++;
            publishMetrics();
            return;
        }
        String refusal = screen.refusal(message, highestKnownRound());
        if (refusal != null) {
            paxos.state.reject(message, refusal);
            publishMetrics();
            return;
        }
        if (message instanceof SequencePaxosMessage<T> m) {
            paxos.handle(m);
        } else if (config.server().learner()) {
            droppedIncomingCount++; // a learner takes no part in leader election
            publishMetrics();
            return;
        } else if (message instanceof HeartbeatRequest<T> m) {
            election.onHeartbeatRequest(m, outbox);
        } else if (message instanceof HeartbeatReply<T> m) {
            election.onHeartbeatReply(m);
            endElectionRoundIfDecided();
        } else {
            throw new IllegalArgumentException("unknown message type " + message.getClass().getName()
                    + " from pid " + message.from());
        }
        checkInvariants();
        publishMetrics();
    }

    /** Advances logical time by one tick: heartbeat rounds, resends and partial-batch flushes. */
    public void tick() {
        ServerConfig server = config.server();
        paxos.onTick();
        if (!server.learner() && ++electionTicks >= server.electionTickTimeout()) {
            endElectionRound();
        }
        if (++resendTicks >= server.resendMessageTickTimeout()) {
            resendTicks = 0;
            paxos.onResendTimeout();
        }
        if (++flushTicks >= server.flushBatchTickTimeout()) {
            flushTicks = 0;
            paxos.onFlushTimeout();
        }
        checkInvariants();
        publishMetrics();
    }

    /** Ends the heartbeat round: elects from its replies and starts the next one. */
    private void endElectionRound() {
        electionTicks = 0;
        paxos.state.metrics.electionRound();
        election.onElectionTimeout(paxos.state.log.promise(), paxos.state.isBehind(), outbox).ifPresent(paxos::onLeaderElected);
    }

    /** Ends the heartbeat round before its timeout if the leader's link went down and a quorum answered without it. */
    private void endElectionRoundIfDecided() {
        if (election.mayEndRoundEarly()) {
            endElectionRound();
        }
    }

    /** Takes every message waiting to be sent, oldest first. */
    public List<Message<T>> outgoingMessages() {
        List<Message<T>> messages = new ArrayList<>(outbox.size() + 1);
        takeOutgoingMessages(messages);
        return messages;
    }

    /** Moves every message waiting to be sent into {@code into}, oldest first (to reuse a list). */
    public void takeOutgoingMessages(List<Message<T>> into) {
        paxos.beforeMessagesLeave();
        int from = into.size();
        outbox.drainTo(into);
        checkInvariants();
        for (int i = from; i < into.size(); i++) {
            paxos.state.metrics.sent(into.get(i));
        }
        publishMetrics();
    }

    /**
     * This server's counters and gauges (messages by type, drops by cause, proposals, decisions,
     * leader changes, election rounds, batches, storage writes, each follower's accepted index on
     * the leader): one view for the life of the instance, safe to read from any thread without
     * touching the instance. Gauges are as of the end of the latest call other than {@link #append}.
     */
    public Metrics metrics() {
        return paxos.state.metrics;
    }

    private void publishMetrics() {
        paxos.state.metrics.publish(paxos.state, droppedIncomingCount, outbox.droppedCount());
    }

    /**
     * Proposes to end this configuration and continue with {@code nextConfig}: a stop-sign is
     * appended after the entries proposed before it (forwarded to the leader from any other server,
     * and again until it is decided, so a lost message or a leader change does not lose it). Once
     * it is decided, {@link #isReconfigured()} returns it on every server, reads show it as the last
     * {@link LogEntry.StopSign}, and appends are refused. The servers of {@code nextConfig} then
     * start a new instance with its configuration id (see the README for the whole procedure). If
     * several servers propose different stop-signs, exactly one is decided.
     *
     * @param nextConfig the cluster that takes over; its configuration id must differ from this one's
     * @param metadata opaque bytes for the application, carried in the stop-sign (copied)
     * @throws IllegalArgumentException if {@code nextConfig} has this configuration's id, or the
     *     stop-sign exceeds {@link io.omnipaxos.codec.StopSignCodec}'s limits (too many nodes or
     *     metadata bytes), so that some server could not decode it
     * @throws AppendRejectedException if the log already ends with a stop-sign
     */
    public void reconfigure(ClusterConfig nextConfig, byte[] metadata) {
        requireVoter("reconfigure");
        StopSign stopSign = new StopSign(Objects.requireNonNull(nextConfig, "nextConfig"),
                Objects.requireNonNull(metadata, "metadata"));
        paxos.reconfigure(stopSign);
        checkInvariants();
    }

    /** The decided stop-sign if this configuration is finished, else empty. */
    public Optional<StopSign> isReconfigured() {
        return paxos.state.log.decidedStopSign();
    }

    /**
     * Replaces the decided log prefix below {@code idx} (default: the decided index) by a snapshot
     * made with the {@link Snapshot} the server was built with ({@link OmniPaxosConfig#build(
     * io.omnipaxos.storage.Storage, Snapshot)}), merged into the snapshot of the prefix compacted
     * before. Reads of the prefix then return one {@link LogEntry.Snapshotted}; a server that falls
     * behind it later is sent the snapshot and then the entries after it. Unlike {@link #trim}, it
     * does not wait for every server to have the entries.
     *
     * @param localOnly true to compact only this server's log (any server may); false to compact
     *     every server's log (only the leader may; each follower compacts as far as it has decided)
     * @throws CompactionException if snapshots are not used, the index is not decided or already
     *     compacted, the prefix was trimmed without a snapshot, or (not local) this is not the leader
     */
    public void snapshot(OptionalLong idx, boolean localOnly) {
        Objects.requireNonNull(idx, "idx");
        paxos.snapshot(idx, localOnly);
        checkInvariants();
    }

    /**
     * Replaces this server's decided log prefix below {@code idx} by {@code snapshot}, which the
     * application made itself from its state after applying exactly the entries below {@code idx}
     * (a state-machine snapshot, as Raft libraries take them). Unlike {@link #snapshot(OptionalLong,
     * boolean)} it reads no entry and calls neither {@link Snapshot#create} nor {@link
     * Snapshot#merge}: the calling thread pays only for the storage write, so an application can
     * build the snapshot elsewhere (from a copy of its state, on another thread) and hand it in.
     * This server only. {@code snapshot} must be what the server's {@link Snapshot} would make of
     * the same prefix: a server that falls behind it is sent it, and later snapshots merge into it.
     *
     * @throws CompactionException if snapshots are not used, {@code idx} is not decided (or not yet
     *     read by the application, see {@link #trim}) or is below the compacted index, or the prefix
     *     was trimmed without a snapshot
     */
    public void installSnapshot(long idx, T snapshot) {
        requireIndex("idx", idx);
        paxos.installSnapshot(idx, Objects.requireNonNull(snapshot, "snapshot"));
        checkInvariants();
    }

    /**
     * The number of log slots known to be decided: slots {@code [0, getDecidedIdx())} are final. A
     * decided stop-sign counts as the last slot.
     */
    public long getDecidedIdx() {
        return paxos.state.log.decidedIdx();
    }

    /** The pid of the leader this server knows of, if any. */
    public Optional<Long> getCurrentLeader() {
        return getCurrentLeaderInfo().map(LeaderInfo::pid);
    }

    /** The leader this server knows of, with its ballot and whether it is already accepting. */
    public Optional<LeaderInfo> getCurrentLeaderInfo() {
        Ballot leader = paxos.state.leader;
        if (leader.pid() == 0) {
            return Optional.empty();
        }
        return Optional.of(new LeaderInfo(leader.pid(), leader, paxos.state.phase == Phase.ACCEPT));
    }

    /**
     * Reads the slot at {@code idx}: a decided or undecided entry, the compacted prefix (trimmed or
     * snapshotted) it lies in, the stop-sign, or empty past the end of the log.
     */
    public Optional<LogEntry<T>> read(long idx) {
        requireIndex("idx", idx);
        if (idx >= paxos.state.log.logLength()) {
            return Optional.empty();
        }
        List<LogEntry<T>> one = readEntries(idx, idx + 1);
        return Optional.of(one.get(0));
    }

    /**
     * Asks for a linearizable read without writing to the log (the read-index method): the leader
     * confirms with a write quorum that it still leads (one round of messages serves every read
     * waiting for it) and answers with the index the application must have applied before it
     * serves the read from its own state. Works on any server; a follower asks its leader, so reads
     * are served on every server. The answer comes from {@link #takeReadyReads()}, after later
     * inputs (or at once on a server alone); a read that cannot be confirmed comes back without an
     * index, to be asked again.
     *
     * @return the read's number, which its {@link ReadIndex} carries
     */
    public long requestRead() {
        long readId = paxos.requestRead();
        checkInvariants();
        return readId;
    }

    /** The reads answered since the last call, confirmed or not (see {@link #requestRead()}). */
    public List<ReadIndex> takeReadyReads() {
        return paxos.takeReadyReads();
    }

    /**
     * The slots decided since the previous call, in log order, at most {@code max} of them (a
     * compacted prefix counts as one): what the application must apply next, each slot handed out
     * once, without polling {@link #getDecidedIdx()}. Call it after the inputs of a step ({@link
     * #handleIncoming}, {@link #tick}); an empty list means nothing new. The first call starts at
     * index 0, so a server built on a storage that holds a log (after {@link #failRecovery()}) is
     * first given its compacted prefix ({@link LogEntry.Snapshotted} or {@link LogEntry.Trimmed}) and
     * the decided entries after it; if the leader later replaces this server's log by its snapshot,
     * the next call starts with that snapshot. Counts as a read, like {@link #readEntries}, for
     * {@link #trim}.
     *
     * <p>Each {@link LogEntry.Decided} of an entry appended on this server carries the id that
     * {@link #append} returned for it ({@link LogEntry.Decided#proposalId()}; 0 for entries appended
     * elsewhere). This server remembers where its proposals were decided until this call hands
     * those slots out, for at most {@code buffer_size} runs of consecutive slots (a leader's own
     * batches make one run each); an application that lets more pile up without calling this sees 0
     * on the oldest.
     *
     * @throws IllegalArgumentException if {@code max < 1}
     */
    public List<LogEntry<T>> takeDecided(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, got " + max);
        }
        LogStore<T> log = paxos.state.log;
        long from = takenIdx;
        long decidedIdx = log.decidedIdx();
        if (from >= decidedIdx) {
            return List.of();
        }
        long compactedIdx = log.compactedIdx();
        long to = from < compactedIdx ? Math.min(decidedIdx, compactedIdx + (max - 1L))
                : Math.min(decidedIdx, from + max);
        List<LogEntry<T>> entries = readEntries(from, to);
        paxos.state.tracker.decided().label(entries, from);
        takenIdx = to;
        return entries;
    }

    /**
     * Tells this server that the application already holds the effect of the decided slots below
     * {@code idx}: {@link #takeDecided} goes on from {@code idx} instead of handing them out, and
     * they count as read, like slots it handed out, for {@link #trim}. For an application that
     * kept its state when it built this instance (a new configuration seeded with the state it
     * applied up to the previous one's stop-sign, or a state restored from its own durable copy),
     * so that a compacted prefix of tens of MB is not read and decoded only to be dropped.
     *
     * @throws IllegalArgumentException if {@code idx} is below what {@link #takeDecided} already
     *     handed out or beyond the decided index
     */
    public void skipDecided(long idx) {
        long decidedIdx = paxos.state.log.decidedIdx();
        if (idx < takenIdx || idx > decidedIdx) {
            throw new IllegalArgumentException("skipDecided(" + idx + "): takeDecided handed out the slots below "
                    + takenIdx + " and the decided index is " + decidedIdx + ", so idx must lie between them");
        }
        paxos.state.noteRead(takenIdx, idx);
        takenIdx = idx;
    }

    /**
     * Reads the slots {@code [from, to)}. A compacted prefix reads as one {@link LogEntry.Snapshotted}
     * or {@link LogEntry.Trimmed}, and a stop-sign as the last {@link LogEntry.StopSign}.
     *
     * @throws IndexOutOfBoundsException if {@code from > to} or {@code to} is past the end of the log
     */
    public List<LogEntry<T>> readEntries(long from, long to) {
        requireIndex("from", from);
        long logLength = paxos.state.log.logLength();
        if (from > to || to > logLength) {
            throw new IndexOutOfBoundsException("readEntries(" + from + ", " + to + ") outside the log [0, "
                    + logLength + ")");
        }
        List<LogEntry<T>> entries = LogReader.read(paxos.state.log, from, to);
        paxos.state.noteRead(from, to);
        return entries;
    }

    /**
     * Reads the decided slots from {@code from} on; empty if {@code from >= getDecidedIdx()}. If
     * {@code from} lies in the compacted prefix, the first entry is the {@link LogEntry.Snapshotted}
     * (apply it instead of the prefix) or {@link LogEntry.Trimmed} that stands for it.
     */
    public List<LogEntry<T>> readDecidedSuffix(long from) {
        requireIndex("from", from);
        long decidedIdx = paxos.state.log.decidedIdx();
        if (from >= decidedIdx) {
            return List.of();
        }
        List<LogEntry<T>> entries = LogReader.read(paxos.state.log, from, decidedIdx);
        paxos.state.noteRead(from, decidedIdx);
        return entries;
    }

    /**
     * Trims the log below {@code idx} on every server, to bound the memory and disk the log uses
     * (for applications without snapshots: a trimmed prefix is gone, and a snapshot stored before is
     * dropped).
     * Only the leader trims, and only entries that are decided and that every server has accepted
     * (so no server will need them again). With no index, trims as far as that allows. Reads of the
     * trimmed prefix then return one {@link LogEntry.Trimmed}. A follower trims only what its
     * application has already read (through {@link #readDecidedSuffix}, {@link #readEntries} or
     * {@link #read}, contiguously from the start of its log), so no application misses an entry; the
     * rest of the trim follows, on a later message or tick, once it has read further.
     *
     * @throws CompactionException if this server is not the leader (naming the leader if known), or
     *     the index is not decided, already trimmed, or not accepted by every server
     */
    public void trim(OptionalLong idx) {
        Objects.requireNonNull(idx, "idx");
        paxos.trim(idx);
        checkInvariants();
    }

    /**
     * Makes this server try to take over leadership now, with a ballot higher than the current
     * leader's (a manual takeover, e.g. before maintenance of the leader's machine). It leads once a
     * read quorum promises; if it cannot reach one, the other servers keep their leader.
     */
    public void tryBecomeLeader() {
        requireVoter("tryBecomeLeader");
        Ballot ballot = election.forceTakeOver(paxos.state.log.promise());
        paxos.onLeaderElected(ballot);
        checkInvariants();
    }

    /**
     * Tells this server that the link to {@code pid} came back after a disconnection, so that the
     * two re-synchronise at once instead of waiting for timeouts. {@code pid} may be a learner this
     * server replicates to ({@link #addLearner}): a leader prepares it again at once.
     */
    public void reconnected(long pid) {
        if (peers.contains(pid) || paxos.state.learners.contains(pid)) {
            paxos.reconnected(pid);
            checkInvariants();
        }
    }

    /**
     * Tells this server that its link to {@code pid} went down: the connection closed, perhaps
     * because the peer's process died. Optional: heartbeat rounds notice a silent peer by themselves,
     * within two rounds. It makes a crashed leader's replacement faster: if {@code pid} is the leader
     * this server follows, it ends the current heartbeat round as soon as a quorum (itself included)
     * has answered it without the leader, rather than at the round's timeout, and elects from those
     * answers. A leader that is merely busy keeps its links and is not affected; a crash that closes
     * no connection (a machine or a network that goes silent) still takes up to two rounds. A report
     * for a link that comes straight back can cost an election, never safety. Reports about other
     * peers, unknown pids, or on a learner change nothing.
     */
    public void disconnected(long pid) {
        if (config.server().learner() || !peers.contains(pid)) {
            return;
        }
        election.onDisconnected(pid, paxos.state.log.promise());
        endElectionRoundIfDecided();
        checkInvariants();
        publishMetrics();
    }

    /**
     * Reports that the first {@code writes} storage writes this server issued are durable, for an
     * asynchronous storage ({@link Storage#isAsynchronous()}; see its contract). Messages that wait
     * for those writes (promises, acknowledgements) leave with the next {@link #outgoingMessages},
     * and a leader counts its own log towards a decision. Reporting fewer writes than before changes
     * nothing; with a synchronous storage every write is durable already and this is never needed.
     *
     * @param writes how many writes, counted from 1 since this instance was built, are durable
     * @throws IllegalArgumentException if {@code writes} exceeds {@link #storageWritesIssued()}
     */
    public void persisted(long writes) {
        paxos.persisted(writes);
        checkInvariants();
        publishMetrics();
    }

    /** The storage writes this server has issued since it was built (see {@link Storage#isAsynchronous()}). */
    public long storageWritesIssued() {
        return paxos.state.log.writesIssued();
    }

    /**
     * Rejoins the cluster after a crash: call it on an instance built on the reopened storage. The
     * server leaves any role it had and asks its peers to synchronise it. ({@link
     * OmniPaxosConfig#build} already does this when the storage holds state.)
     */
    public void failRecovery() {
        paxos.failRecovery();
        election.recover(paxos.state.log.promise());
        checkInvariants();
    }

    /** The configuration this server runs with. */
    public OmniPaxosConfig config() {
        return config;
    }

    /** Incoming messages dropped for being from an unknown pid, to another pid or of another configuration. */
    public long droppedIncomingCount() {
        return droppedIncomingCount;
    }

    /**
     * Incoming messages refused because they say what the protocol does not let their sender say: a
     * ballot that does not name a member (or, from a leader or candidate, not the sender), a round
     * more than {@link Ballot#MAX_N_STEP} above the highest this server knows, an inconsistent
     * promise, or a stop-sign forwarded to this very configuration. Such a message changes nothing;
     * each is logged (at WARN, the first ten, then every 1000th). A growing count means a broken or
     * hostile peer.
     */
    public long rejectedIncomingCount() {
        return paxos.state.rejectedMessages();
    }

    /** Outgoing messages dropped because {@code buffer_size} messages were already waiting. */
    public long droppedOutgoingCount() {
        return outbox.droppedCount();
    }

    /** Forwarded proposals dropped because {@code buffer_size} proposals were already waiting. */
    public long droppedProposalCount() {
        return paxos.state.droppedProposals();
    }

    /** A one-line description of the server's protocol state, for logs and failure messages. */
    @Override
    public String toString() {
        return "OmniPaxos{pid=" + config.server().pid() + ", " + paxos.describe() + ", ble=" + election.describe() + "}";
    }

    private boolean isForThisServer(Message<T> message) {
        return message.to() == config.server().pid()
                && (peers.contains(message.from()) || paxos.state.learners.contains(message.from()))
                && message.configurationId() == config.cluster().configurationId();
    }

    /** The highest ballot round this server has promised, accepted, led, or seen elected. */
    private long highestKnownRound() {
        return Math.max(Math.max(paxos.state.log.promise().n(), paxos.state.log.acceptedRound().n()), election.highestRound());
    }

    private void checkInvariants() {
        paxos.checkInvariants();
        election.checkInvariants();
    }

    private static void requireIndex(String name, long idx) {
        if (idx < 0) {
            throw new IndexOutOfBoundsException(name + " must be >= 0, got " + idx);
        }
    }
}
