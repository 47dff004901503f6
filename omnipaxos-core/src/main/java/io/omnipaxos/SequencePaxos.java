package io.omnipaxos;

import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.AcceptStopSign;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Accepted;
import io.omnipaxos.messages.Decide;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.NotAccepted;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.messages.PrepareReq;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.ProposalForward;
import io.omnipaxos.messages.SequencePaxosMessage;
import io.omnipaxos.messages.StopSignForward;
import io.omnipaxos.messages.SyncChunk;
import io.omnipaxos.messages.Trim;
import io.omnipaxos.storage.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sequence Paxos (OmniPaxos paper, section 5): the state both roles share and the dispatch of
 * messages and timeouts to the {@link LeaderRole} or the {@link FollowerRole}.
 *
 * <p>Every handler writes to storage before it queues the messages that depend on the write, so the
 * outgoing messages the user takes after a call never announce something that is not durable.
 */
final class SequencePaxos<T> {

    final long pid;
    final int configurationId;
    final List<Long> peers;
    final int readQuorumSize;
    final int writeQuorumSize;
    final int batchSize;
    /** Bounds proposals held in memory and the entries of one catch-up message. */
    final int bufferSize;
    /** Bounds the entry bytes of every message (with an entry codec). */
    final EntryBudget<T> budget;
    final LogStore<T> log;
    /** Named {@code io.omnipaxos.server.<pid>} so an application can route each server's log. */
    final Logger logger;
    final Outbox<T> outbox;
    Role role = Role.FOLLOWER;
    Phase phase = Phase.NONE;
    /** The ballot of the leader this server follows or is; {@link Ballot#NONE} while unknown. */
    Ballot leader = Ballot.NONE;
    /** Entries appended or forwarded here that no leader has taken yet, oldest first. */
    private ArrayList<T> pendingProposals = new ArrayList<>();
    private long droppedProposals;
    /**
     * The index up to which the application has read the decided log, contiguously from the compacted
     * index (see {@link #noteRead}); a leader's trim request reaches no further on this server.
     */
    private long readIdx;
    /** The highest decided index a leader this server followed has announced (its own may lag). */
    private long leaderDecidedIdx;
    /** Messages refused for saying what the protocol does not let their sender say. */
    private long rejectedMessages;
    /** The application's snapshot functions, or null if it does not use snapshots. */
    final Snapshot<T> snapshots;
    /** A stop-sign asked for here that is not yet decided; forwarded to the leader until it is. */
    private StopSign pendingStopSign;
    private boolean stopSignForwardDue;
    final LeaderRole<T> leaderRole;
    final FollowerRole<T> followerRole;

    SequencePaxos(OmniPaxosConfig config, Storage<T> storage, Outbox<T> outbox, Snapshot<T> snapshots,
            EntryCodec<T> entryCodec) {
        this.snapshots = snapshots;
        this.budget = new EntryBudget<>(entryCodec, config.server().maxMessageBytes());
        this.pid = config.server().pid();
        this.configurationId = config.cluster().configurationId();
        this.peers = config.peers();
        this.readQuorumSize = config.cluster().readQuorumSize();
        this.writeQuorumSize = config.cluster().writeQuorumSize();
        this.batchSize = config.server().batchSize();
        this.bufferSize = config.server().bufferSize();
        this.logger = LoggerFactory.getLogger("io.omnipaxos.server." + pid);
        this.log = new LogStore<>(storage);
        this.outbox = outbox;
        this.leaderRole = new LeaderRole<>(this);
        this.followerRole = new FollowerRole<>(this);
        if (log.hasState()) {
            failRecovery();
        }
    }

    // ---- inputs from the user -------------------------------------------------------------

    void append(T entry) {
        rejectIfStopped();
        budget.requireFits(entry);
        if (role == Role.LEADER && phase == Phase.ACCEPT) {
            leaderRole.acceptEntry(entry);
            return;
        }
        if (pendingProposals.size() >= bufferSize) {
            throw new AppendRejectedException(AppendRejectedException.Reason.BUFFER_FULL,
                    "buffer_size (" + bufferSize + ") proposals already wait for a leader");
        }
        pendingProposals.add(entry);
    }

    void handle(SequencePaxosMessage<T> message) {
        if (message instanceof AcceptDecide<T> m) {
            followerRole.onAcceptDecide(m);
        } else if (message instanceof Accepted<T> m) {
            leaderRole.onAccepted(m);
        } else if (message instanceof Decide<T> m) {
            followerRole.onDecide(m);
        } else if (message instanceof ProposalForward<T> m) {
            onProposalForward(m);
        } else if (message instanceof Prepare<T> m) {
            followerRole.onPrepare(m);
        } else if (message instanceof Promise<T> m) {
            leaderRole.onPromise(m);
        } else if (message instanceof AcceptSync<T> m) {
            followerRole.onAcceptSync(m);
        } else if (message instanceof PrepareReq<T> m) {
            leaderRole.onPrepareReq(m);
        } else if (message instanceof NotAccepted<T> m) {
            leaderRole.onNotAccepted(m);
        } else if (message instanceof Trim<T> m) {
            followerRole.onTrim(m);
        } else if (message instanceof AcceptStopSign<T> m) {
            followerRole.onAcceptStopSign(m);
        } else if (message instanceof StopSignForward<T> m) {
            onStopSignForward(m);
        } else if (message instanceof SyncChunk<T> m) {
            followerRole.onSyncChunk(m);
        }
    }

    /** Appends are refused once the log ends with a stop-sign: this configuration takes no more entries. */
    private void rejectIfStopped() {
        StopSign stopSign = log.stopSign();
        if (stopSign == null) {
            return;
        }
        if (log.decidedStopSign().isPresent()) {
            throw new AppendRejectedException(AppendRejectedException.Reason.RECONFIGURED,
                    "configuration " + configurationId + " is finished: its stop-sign is decided; append to "
                            + "configuration " + stopSign.nextConfig().configurationId() + " instead");
        }
        throw new AppendRejectedException(AppendRejectedException.Reason.STOP_SIGN_PENDING,
                "the log ends with a stop-sign to configuration " + stopSign.nextConfig().configurationId()
                        + " that is not decided yet; no entry may follow it");
    }

    /**
     * Asks for the log to end with {@code stopSign}. The leader appends it after the waiting entries;
     * any other server forwards it to the leader, again on every resend timeout until a stop-sign is
     * decided, so neither a lost message nor a leader change loses it.
     */
    void reconfigure(StopSign stopSign) {
        if (stopSign.nextConfig().configurationId() == configurationId) {
            throw new IllegalArgumentException("the next configuration must have a new configuration id, got "
                    + configurationId + " again");
        }
        StopSignCodec.checkEncodable(stopSign);
        rejectIfStopped();
        pendingStopSign = stopSign;
        if (role == Role.LEADER && phase == Phase.ACCEPT) {
            leaderRole.acceptStopSign(stopSign);
        } else {
            stopSignForwardDue = true;
        }
    }

    StopSign pendingStopSign() {
        return pendingStopSign;
    }

    private void onStopSignForward(StopSignForward<T> message) {
        if (role != Role.LEADER || log.stopSign() != null) {
            return;
        }
        if (phase == Phase.ACCEPT) {
            leaderRole.acceptStopSign(message.stopSign());
        } else if (pendingStopSign == null) {
            pendingStopSign = message.stopSign();
        }
    }

    /**
     * Replaces the decided prefix below {@code requested} (default: the decided index) by a snapshot,
     * here only or, from the leader, on every server.
     */
    void snapshot(OptionalLong requested, boolean localOnly) {
        if (snapshots == null || !snapshots.useSnapshots()) {
            throw new CompactionException(CompactionException.Reason.SNAPSHOTS_DISABLED, requested.orElse(-1), -1,
                    OptionalLong.empty(), "snapshot refused: server " + pid + " was built without a Snapshot implementation"
                    + (snapshots == null ? "" : " that uses snapshots"));
        }
        if (!localOnly) {
            requireLeader(requested, "snapshot");
        }
        long compactedIdx = log.compactedIdx();
        long idx = requested.orElse(compactableIdx());
        requireCompactable("snapshot", requested, idx);
        if (idx > compactedIdx && !log.snapshotPrefix(idx, snapshots)) {
            throw compactionRefused("snapshot", CompactionException.Reason.TRIMMED_WITHOUT_SNAPSHOT, requested,
                    compactedIdx, "the log below " + compactedIdx + " was trimmed without a snapshot, and a snapshot"
                            + " must cover the log from index 0");
        }
        if (!localOnly) {
            for (long peer : peers) {
                outbox.add(new Trim<>(pid, peer, configurationId, leader, idx, true));
            }
        }
    }

    /** The last index a compaction may reach: the decided entries (a stop-sign's slot is never compacted). */
    long compactableIdx() {
        return Math.min(log.decidedIdx(), log.entriesEnd());
    }

    /** Refuses a {@code what} ("trim", "snapshot") to {@code idx} if that is already compacted or not decided. */
    void requireCompactable(String what, OptionalLong requested, long idx) {
        long compactedIdx = log.compactedIdx();
        long decidedIdx = compactableIdx();
        if (idx < compactedIdx) {
            throw compactionRefused(what, CompactionException.Reason.INDEX_ALREADY_TRIMMED, requested, compactedIdx,
                    "index " + idx + " is below the compacted index " + compactedIdx);
        }
        if (idx > decidedIdx) {
            throw compactionRefused(what, CompactionException.Reason.INDEX_NOT_DECIDED, requested, decidedIdx,
                    "index " + idx + " is beyond the decided index " + decidedIdx);
        }
    }

    CompactionException compactionRefused(String what, CompactionException.Reason reason, OptionalLong requested,
            long limit, String why) {
        OptionalLong known = leader.pid() == 0 ? OptionalLong.empty() : OptionalLong.of(leader.pid());
        return new CompactionException(reason, requested.orElse(-1), limit, known, what + " refused: " + why);
    }

    /** Ballot Leader Election elected {@code ballot}. */
    void onLeaderElected(Ballot ballot) {
        if (ballot.pid() == pid) {
            if (ballot.isGreaterThan(log.promise())) {
                leaderRole.start(ballot);
            }
        } else if (role == Role.FOLLOWER && (phase == Phase.NONE || phase == Phase.RECOVER)
                && ballot.isGreaterThan(leader)) {
            // Only a hint for forwarding proposals: a follower that follows a leader in Sequence
            // Paxos keeps following it until a higher Prepare arrives.
            leader = ballot;
        }
    }

    void trim(OptionalLong idx) {
        requireLeader(idx, "trim");
        leaderRole.trim(idx);
    }

    private void requireLeader(OptionalLong idx, String what) {
        if (role != Role.LEADER || phase != Phase.ACCEPT) {
            OptionalLong known = leader.pid() == 0 || leader.pid() == pid ? OptionalLong.empty() : OptionalLong.of(leader.pid());
            throw new CompactionException(CompactionException.Reason.NOT_LEADER, idx.orElse(-1), -1, known,
                    what + " refused: server " + pid + " is not the leader; the leader is "
                            + (known.isPresent() ? "server " + known.getAsLong() : "unknown"));
        }
    }

    void onResendTimeout() {
        if (pendingStopSign != null) {
            if (log.decidedStopSign().isPresent()) {
                pendingStopSign = null;
            } else {
                stopSignForwardDue = true;
            }
        }
        if (role == Role.LEADER) {
            leaderRole.onResendTimeout();
        } else {
            followerRole.onResendTimeout();
        }
    }

    void onFlushTimeout() {
        if (role == Role.LEADER && phase == Phase.ACCEPT) {
            leaderRole.flushBatch();
        }
    }

    /** Rejoin after a crash or a lost session: ask every peer (the leader answers) to prepare us. */
    void failRecovery() {
        logger.info("server {}: recovering (promise {}, log length {}, decided {}); asking peers to synchronise",
                pid, log.promise(), log.logLength(), log.decidedIdx());
        role = Role.FOLLOWER;
        phase = Phase.RECOVER;
        leader = Ballot.NONE;
        followerRole.requestPrepare();
    }

    void reconnected(long peer) {
        if (role == Role.LEADER) {
            leaderRole.reconnected(peer);
        } else if (peer == leader.pid()) {
            phase = Phase.RECOVER;
            followerRole.requestPrepare();
        }
    }

    /**
     * Called just before the outgoing messages leave: a follower forwards waiting proposals to the
     * leader; a leader with nothing in flight (everything it replicated is decided) sends its
     * partial batch at once instead of waiting for the flush tick, so a lone entry is not delayed,
     * while under load entries keep collecting into batches.
     */
    void beforeMessagesLeave() {
        if (role == Role.LEADER) {
            if (phase == Phase.ACCEPT && log.decidedIdx() == log.logLength()) {
                leaderRole.flushBatch();
            }
            return;
        }
        forwardPendingProposals();
        forwardPendingStopSign();
    }

    private void forwardPendingStopSign() {
        if (!stopSignForwardDue || pendingStopSign == null || leader.pid() == 0) {
            return;
        }
        stopSignForwardDue = false;
        outbox.add(new StopSignForward<>(pid, leader.pid(), configurationId, pendingStopSign));
    }

    private void forwardPendingProposals() {
        if (pendingProposals.isEmpty() || leader.pid() == 0) {
            return;
        }
        List<T> entries = pendingProposals;
        pendingProposals = new ArrayList<>();
        for (List<T> part : budget.split(entries)) {
            outbox.add(new ProposalForward<>(pid, leader.pid(), configurationId, part));
        }
    }

    // ---- shared helpers for the roles -----------------------------------------------------

    /** Hands the waiting proposals to the caller (a leader that starts accepting). */
    List<T> takePendingProposals() {
        List<T> entries = pendingProposals;
        pendingProposals = new ArrayList<>();
        return entries;
    }

    /** Keeps proposals that could not be replicated yet, up to {@code buffer_size}; drops the rest. */
    void keepPendingProposals(List<T> entries) {
        int room = bufferSize - pendingProposals.size();
        int kept = Math.min(room, entries.size());
        pendingProposals.addAll(entries.subList(0, kept));
        droppedProposals += entries.size() - kept;
    }

    /** Stop leading: unreplicated entries go back to the pending proposals for the next leader. */
    void becomeFollower(Ballot newLeader) {
        if (role == Role.LEADER) {
            logger.info("server {}: stops leading; follows ballot {}", pid, newLeader);
            keepPendingProposals(leaderRole.takeBatch());
        }
        role = Role.FOLLOWER;
        phase = Phase.NONE;
        leader = newLeader;
    }

    /**
     * Counts and logs a message that says what the protocol does not let its sender say (a forged or
     * corrupted message); it changes nothing. Logged at WARN the first ten times, then every 1000th.
     */
    void reject(Message<T> message, String why) {
        rejectedMessages++;
        if (rejectedMessages <= 10 || rejectedMessages % 1000 == 0) {
            logger.warn("server {}: refused {} from pid {} ({} refused so far): {}", pid,
                    message.getClass().getSimpleName(), message.from(), rejectedMessages, why);
        }
    }

    long rejectedMessages() {
        return rejectedMessages;
    }

    /**
     * The application read slots {@code [from, to)}: decided slots from at most the read index on
     * move it forward. Reads further ahead do not (the slots between were not read).
     */
    void noteRead(long from, long to) {
        long start = Math.max(readIdx, log.compactedIdx());
        if (from <= start) {
            readIdx = Math.max(start, Math.min(to, log.decidedIdx()));
        }
    }

    /** See {@link #readIdx}; never below the compacted index. */
    long readIdx() {
        return Math.max(readIdx, log.compactedIdx());
    }

    /** A leader this server follows announced {@code decidedIdx}. */
    void noteLeaderDecided(long decidedIdx) {
        leaderDecidedIdx = Math.max(leaderDecidedIdx, decidedIdx);
    }

    /**
     * Whether this server is catching up: recovering after a restart and not synchronised yet, or
     * its log ends before what its leader announced as decided. It should not take over while
     * servers that hold the log may (see {@link BallotLeaderElection}).
     */
    boolean isBehind() {
        return role == Role.FOLLOWER && (phase == Phase.RECOVER || log.logLength() < leaderDecidedIdx);
    }

    /** Counts proposals that arrived after a stop-sign and can never be appended. */
    void dropProposals(int count) {
        droppedProposals += count;
    }

    long droppedProposals() {
        return droppedProposals;
    }

    private void onProposalForward(ProposalForward<T> message) {
        if (log.decidedStopSign().isPresent()) {
            dropProposals(message.entries().size());
        } else if (role == Role.LEADER && phase == Phase.ACCEPT) {
            leaderRole.acceptEntries(message.entries());
        } else {
            keepPendingProposals(message.entries());
        }
    }

    String describe() {
        return role + "/" + phase + ", leader=" + leader + ", promise=" + log.promise() + ", acceptedRound="
                + log.acceptedRound() + ", decidedIdx=" + log.decidedIdx() + ", logLength=" + log.logLength()
                + ", pending=" + pendingProposals.size() + (role == Role.LEADER ? ", " + leaderRole.describe() : "");
    }

    void checkInvariants() {
        log.checkInvariants();
        if (role == Role.LEADER) {
            Invariants.check(leader.pid() == pid, "a leader follows its own ballot", leader.pid());
            leaderRole.checkInvariants();
        }
        Invariants.atMost("pending proposals", pendingProposals.size(), "buffer_size", bufferSize);
    }
}
