package io.omnipaxos;

import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.messages.Message;
import io.omnipaxos.storage.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of Sequence Paxos that both roles share, as plain data: who we are and our quorums, role
 * and phase, the leader we follow, the log, the outbox, proposals waiting for a leader, the leader's
 * batch and a pending stop-sign. {@link LeaderRole} and {@link FollowerRole} read and change it;
 * {@link SequencePaxos} dispatches inputs to them. Its methods only change this state (and the log
 * through {@link LogStore}); none calls a role.
 */
final class ProtocolState<T> {

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
    /** The application's snapshot functions, or null if it does not use snapshots. */
    final Snapshot<T> snapshots;
    /** The leader's entries not yet written and replicated, with the flush policy. */
    final EntryBatch<T> batch;
    /** Entries appended here that left this server and are not known decided. */
    final ProposalTracker<T> tracker;
    /** The optional leader lease, and the ticks it counts. */
    final LeaderLease lease;
    /** What this server has done, for any thread to read. */
    final Metrics metrics;
    /** Our own election, held back by a lease we granted another leader; null when none waits. */
    Ballot deferredElection;
    /** Whether this server is a learner: it never votes, leads, or proposes. */
    final boolean learner;
    /** The learners this server replicates to while it leads (see {@link OmniPaxos#addLearner}). */
    final Set<Long> learners = new TreeSet<>();
    Role role = Role.FOLLOWER;
    Phase phase = Phase.NONE;
    /** The ballot of the leader this server follows or is; {@link Ballot#NONE} while unknown. */
    Ballot leader = Ballot.NONE;
    /** A stop-sign asked for here that is not yet decided; forwarded to the leader until it is. */
    StopSign pendingStopSign;
    /** Whether {@link #pendingStopSign} is to be forwarded with the next outgoing messages. */
    boolean stopSignForwardDue;
    /** Entries appended or forwarded here that no leader has taken yet, oldest first. */
    private ArrayList<Proposal<T>> pendingProposals = new ArrayList<>();
    /** The id the next {@link OmniPaxos#append} returns. */
    private long nextProposalId = 1;
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

    ProtocolState(OmniPaxosConfig config, Storage<T> storage, Outbox<T> outbox, Snapshot<T> snapshots,
            EntryCodec<T> entryCodec) {
        this.pid = config.server().pid();
        this.configurationId = config.cluster().configurationId();
        this.peers = config.peers();
        this.readQuorumSize = config.cluster().readQuorumSize();
        this.writeQuorumSize = config.cluster().writeQuorumSize();
        this.batchSize = config.server().batchSize();
        this.bufferSize = config.server().bufferSize();
        this.budget = new EntryBudget<>(entryCodec, config.server().maxMessageBytes());
        this.log = new LogStore<>(storage);
        this.logger = LoggerFactory.getLogger("io.omnipaxos.server." + pid);
        this.outbox = outbox;
        this.snapshots = snapshots;
        this.batch = new EntryBatch<>(batchSize, budget);
        this.tracker = new ProposalTracker<>(entryCodec, bufferSize);
        this.lease = new LeaderLease(config.server());
        this.metrics = new Metrics(pid, configurationId);
        this.learner = config.server().learner();
    }

    /**
     * Queues a message that announces durable state (a promise, an accepted length): it leaves once
     * the storage writes issued so far are durable (at once with a synchronous storage).
     */
    void sendAfterWrites(Message<T> message) {
        outbox.addAfterWrites(message, log.writesIssued(), log.writesDurable());
    }

    /** The first {@code writes} storage writes are durable: held messages up to there may leave. */
    void persisted(long writes) {
        log.persisted(writes);
        outbox.release(log.writesDurable());
    }

    boolean isAcceptingLeader() {
        return role == Role.LEADER && phase == Phase.ACCEPT;
    }

    /** Appends are refused once the log ends with a stop-sign: this configuration takes no more entries. */
    void requireNotStopped() {
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

    /** On the resend timer: a pending stop-sign is forwarded again until one is decided. */
    void refreshStopSignForward() {
        if (pendingStopSign != null) {
            if (log.decidedStopSign().isPresent()) {
                pendingStopSign = null;
            } else {
                stopSignForwardDue = true;
            }
        }
    }

    // ---- proposals waiting for a leader ----------------------------------------------------

    /** A new proposal id, for an entry the accepting leader takes at once. */
    long newProposalId() {
        return nextProposalId++;
    }

    /** Holds a proposal until a leader takes it; returns its id. */
    long addProposal(T entry) {
        if (pendingProposals.size() + tracker.size() >= bufferSize) {
            throw new AppendRejectedException(AppendRejectedException.Reason.BUFFER_FULL,
                    "buffer_size (" + bufferSize + ") proposals already wait for a leader or to be decided");
        }
        long id = newProposalId();
        pendingProposals.add(new Proposal<>(id, entry));
        return id;
    }

    /** Proposals found lost after a new round's log replaced ours: they go first, to be proposed again. */
    void reproposeFirst(List<Proposal<T>> entries) {
        if (entries.isEmpty()) {
            return;
        }
        ArrayList<Proposal<T>> merged = new ArrayList<>(entries.size() + pendingProposals.size());
        merged.addAll(entries);
        merged.addAll(pendingProposals);
        pendingProposals = new ArrayList<>();
        keepPendingProposals(merged);
    }

    /**
     * Drops the proposals in flight that are decided, or all of them once the configuration is
     * finished (a decided stop-sign: they can never be decided).
     */
    void settleProposals() {
        if (log.decidedStopSign().isPresent()) {
            droppedProposals += tracker.clear() + pendingProposals.size();
            pendingProposals.clear();
        } else {
            reproposeFirst(tracker.settle(log));
        }
    }

    /** Hands the waiting proposals to the caller (a leader that starts accepting, a forwarding follower). */
    List<Proposal<T>> takePendingProposals() {
        List<Proposal<T>> entries = pendingProposals;
        pendingProposals = new ArrayList<>();
        return entries;
    }

    boolean hasPendingProposals() {
        return !pendingProposals.isEmpty();
    }

    /** Keeps proposals that could not be replicated yet, up to {@code buffer_size}; drops the rest. */
    void keepPendingProposals(List<Proposal<T>> entries) {
        int room = Math.max(0, bufferSize - pendingProposals.size() - tracker.size());
        int kept = Math.min(room, entries.size());
        pendingProposals.addAll(entries.subList(0, kept));
        droppedProposals += entries.size() - kept;
    }

    /** Counts proposals that arrived after a stop-sign and can never be appended. */
    void dropProposals(int count) {
        droppedProposals += count;
    }

    long droppedProposals() {
        return droppedProposals;
    }

    // ---- role changes ----------------------------------------------------------------------

    /**
     * Stop leading (if we lead) and follow {@code newLeader}: our own unwritten entries wait for the
     * next leader (forwarded ones are dropped: their forwarders send them again), and our written
     * undecided ones are tracked until we see whether the next round kept them.
     */
    void stepDown(Ballot newLeader) {
        if (role == Role.LEADER) {
            logger.info("server {}: stops leading; follows ballot {}", pid, newLeader);
            leaveLeadership();
        }
        role = Role.FOLLOWER;
        phase = Phase.NONE;
        leader = newLeader;
    }

    /** The end of our round as leader (we step down, or start a new round). */
    void leaveLeadership() {
        keepPendingProposals(batch.takeOwn());
        droppedProposals += tracker.leaveLeadership(log, bufferSize - pendingProposals.size());
    }

    // ---- what followers learn and the application reads -----------------------------------

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

    // ---- compaction rules ------------------------------------------------------------------

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

    /** Refuses a {@code what} that only the accepting leader may ask for, on any other server. */
    void requireLeader(OptionalLong idx, String what) {
        if (!isAcceptingLeader()) {
            OptionalLong known = leader.pid() == 0 || leader.pid() == pid ? OptionalLong.empty() : OptionalLong.of(leader.pid());
            throw new CompactionException(CompactionException.Reason.NOT_LEADER, idx.orElse(-1), -1, known,
                    what + " refused: server " + pid + " is not the leader; the leader is "
                            + (known.isPresent() ? "server " + known.getAsLong() : "unknown"));
        }
    }

    CompactionException compactionRefused(String what, CompactionException.Reason reason, OptionalLong requested,
            long limit, String why) {
        OptionalLong known = leader.pid() == 0 ? OptionalLong.empty() : OptionalLong.of(leader.pid());
        return new CompactionException(reason, requested.orElse(-1), limit, known, what + " refused: " + why);
    }

    // ---- refused messages, description, invariants ----------------------------------------

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

    String describe() {
        return role + "/" + phase + ", leader=" + leader + ", promise=" + log.promise() + ", acceptedRound="
                + log.acceptedRound() + ", decidedIdx=" + log.decidedIdx() + ", logLength=" + log.logLength()
                + ", pending=" + pendingProposals.size() + ", tracked=" + tracker.describe() + ", batch=" + batch.size();
    }

    void checkInvariants() {
        log.checkInvariants();
        if (role == Role.LEADER) {
            Invariants.check(leader.pid() == pid, "a leader follows its own ballot", leader.pid());
        } else {
            Invariants.check(batch.size() == 0, "only a leader holds a batch");
        }
        checkProposalBounds();
    }

    /** The batch, the waiting proposals and those in flight stay within their bounds. */
    void checkProposalBounds() {
        Invariants.atMost("batch", batch.size(), "batch_size", batchSize);
        Invariants.atMost("pending proposals", pendingProposals.size(), "buffer_size", bufferSize);
        Invariants.atMost("proposals in flight", tracker.size(), "buffer_size", bufferSize);
    }
}
