package io.omnipaxos;

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
 * queued, so taking the outgoing messages after a call returns is always safe.
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
    private int electionTicks;
    private int resendTicks;
    private int flushTicks;
    private long droppedIncomingCount;

    OmniPaxos(OmniPaxosConfig config, Storage<T> storage) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(storage, "storage");
        ServerConfig server = config.server();
        this.peers = new HashSet<>(config.peers());
        this.outbox = new Outbox<>(server.bufferSize());
        this.election = new BallotLeaderElection<>(server.pid(), config.cluster().configurationId(),
                config.peers(), config.cluster().readQuorumSize(), server.leaderPriority());
        this.paxos = new SequencePaxos<>(config, storage, outbox);
        election.recover(paxos.log.promise());
        election.startRound(outbox);
    }

    /**
     * Proposes {@code entry} for the end of the log. On the leader it joins the current batch; on
     * another server it is forwarded to the leader with the next outgoing messages; while no leader
     * is known it waits (at most {@code buffer_size} entries). An entry is in the log once it is
     * read back as decided; an entry may be lost if the server it was appended on crashes or the
     * leader changes before it was replicated, so applications retry what they did not see decided.
     *
     * @throws AppendRejectedException if {@code buffer_size} entries already wait for a leader
     */
    public void append(T entry) {
        Objects.requireNonNull(entry, "entry");
        paxos.append(entry);
        checkInvariants();
    }

    /**
     * Handles a message received from a peer. Messages from a pid outside the configuration,
     * addressed to another pid, or of another configuration id are dropped and counted in
     * {@link #droppedIncomingCount()}.
     */
    public void handleIncoming(Message<T> message) {
        Objects.requireNonNull(message, "message");
        if (!isForThisServer(message)) {
            droppedIncomingCount++;
            return;
        }
        if (message instanceof SequencePaxosMessage<T> m) {
            paxos.handle(m);
        } else if (message instanceof HeartbeatRequest<T> m) {
            election.onHeartbeatRequest(m, outbox);
        } else if (message instanceof HeartbeatReply<T> m) {
            election.onHeartbeatReply(m);
        }
        checkInvariants();
    }

    /** Advances logical time by one tick: heartbeat rounds, resends and partial-batch flushes. */
    public void tick() {
        ServerConfig server = config.server();
        if (++electionTicks >= server.electionTickTimeout()) {
            electionTicks = 0;
            election.onElectionTimeout(paxos.log.promise(), outbox).ifPresent(paxos::onLeaderElected);
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
        outbox.drainTo(into);
        checkInvariants();
    }

    /** The number of log entries known to be decided: entries {@code [0, getDecidedIdx())} are final. */
    public long getDecidedIdx() {
        return paxos.log.decidedIdx();
    }

    /** The pid of the leader this server knows of, if any. */
    public Optional<Long> getCurrentLeader() {
        return getCurrentLeaderInfo().map(LeaderInfo::pid);
    }

    /** The leader this server knows of, with its ballot and whether it is already accepting. */
    public Optional<LeaderInfo> getCurrentLeaderInfo() {
        Ballot leader = paxos.leader;
        if (leader.pid() == 0) {
            return Optional.empty();
        }
        return Optional.of(new LeaderInfo(leader.pid(), leader, paxos.phase == Phase.ACCEPT));
    }

    /** Reads the entry at {@code idx}: decided, undecided, trimmed, or empty past the end of the log. */
    public Optional<LogEntry<T>> read(long idx) {
        requireIndex("idx", idx);
        if (idx >= paxos.log.logLength()) {
            return Optional.empty();
        }
        List<LogEntry<T>> one = readEntries(idx, idx + 1);
        return Optional.of(one.get(0));
    }

    /**
     * Reads the entries {@code [from, to)}. A trimmed prefix reads as one {@link LogEntry.Trimmed}.
     *
     * @throws IndexOutOfBoundsException if {@code from > to} or {@code to} is past the end of the log
     */
    public List<LogEntry<T>> readEntries(long from, long to) {
        requireIndex("from", from);
        long logLength = paxos.log.logLength();
        if (from > to || to > logLength) {
            throw new IndexOutOfBoundsException("readEntries(" + from + ", " + to + ") outside the log [0, "
                    + logLength + ")");
        }
        return LogReader.read(paxos.log, from, to);
    }

    /** Reads the decided entries from {@code from} on; empty if {@code from >= getDecidedIdx()}. */
    public List<LogEntry<T>> readDecidedSuffix(long from) {
        requireIndex("from", from);
        long decidedIdx = paxos.log.decidedIdx();
        return from >= decidedIdx ? List.of() : LogReader.read(paxos.log, from, decidedIdx);
    }

    /**
     * Trims the log below {@code idx} on every server, to bound the memory and disk the log uses.
     * Only the leader trims, and only entries that are decided and that every server has accepted
     * (so no server will need them again). With no index, trims as far as that allows. Reads of the
     * trimmed prefix then return one {@link LogEntry.Trimmed}.
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
        Ballot ballot = election.forceTakeOver(paxos.log.promise());
        paxos.onLeaderElected(ballot);
        checkInvariants();
    }

    /**
     * Tells this server that the link to {@code pid} came back after a disconnection, so that the
     * two re-synchronise at once instead of waiting for timeouts.
     */
    public void reconnected(long pid) {
        if (peers.contains(pid)) {
            paxos.reconnected(pid);
            checkInvariants();
        }
    }

    /**
     * Rejoins the cluster after a crash: call it on an instance built on the reopened storage. The
     * server leaves any role it had and asks its peers to synchronise it. ({@link
     * OmniPaxosConfig#build} already does this when the storage holds state.)
     */
    public void failRecovery() {
        paxos.failRecovery();
        election.recover(paxos.log.promise());
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

    /** Outgoing messages dropped because {@code buffer_size} messages were already waiting. */
    public long droppedOutgoingCount() {
        return outbox.droppedCount();
    }

    /** Forwarded proposals dropped because {@code buffer_size} proposals were already waiting. */
    public long droppedProposalCount() {
        return paxos.droppedProposals();
    }

    /** A one-line description of the server's protocol state, for logs and failure messages. */
    @Override
    public String toString() {
        return "OmniPaxos{pid=" + config.server().pid() + ", " + paxos.describe() + ", ble=" + election.describe() + "}";
    }

    private boolean isForThisServer(Message<T> message) {
        return message.to() == config.server().pid()
                && peers.contains(message.from())
                && message.configurationId() == config.cluster().configurationId();
    }

    private void checkInvariants() {
        paxos.checkInvariants();
    }

    private static void requireIndex(String name, long idx) {
        if (idx < 0) {
            throw new IndexOutOfBoundsException(name + " must be >= 0, got " + idx);
        }
    }
}
