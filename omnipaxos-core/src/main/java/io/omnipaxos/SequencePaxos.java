package io.omnipaxos;

import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.AcceptStopSign;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Accepted;
import io.omnipaxos.messages.Decide;
import io.omnipaxos.messages.NotAccepted;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.messages.PrepareReq;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.ProposalAck;
import io.omnipaxos.messages.ProposalForward;
import io.omnipaxos.messages.SequencePaxosMessage;
import io.omnipaxos.messages.StopSignForward;
import io.omnipaxos.messages.ReadIndexAck;
import io.omnipaxos.messages.ReadIndexCheck;
import io.omnipaxos.messages.ReadIndexReply;
import io.omnipaxos.messages.ReadIndexRequest;
import io.omnipaxos.messages.SnapshotPart;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.messages.SyncChunk;
import io.omnipaxos.messages.TakeSnapshot;
import io.omnipaxos.messages.Trim;
import io.omnipaxos.storage.Storage;
import java.util.List;
import java.util.OptionalLong;

/**
 * Sequence Paxos (OmniPaxos paper, section 5): dispatches each input (a message, a timeout, a call
 * of the application) to the {@link LeaderRole} or the {@link FollowerRole}, which read and change
 * the {@link ProtocolState} they share. It holds no protocol state of its own.
 *
 * <p>Every handler writes to storage before it queues the messages that depend on the write, so the
 * outgoing messages the user takes after a call never announce something that is not durable.
 */
final class SequencePaxos<T> {

    final ProtocolState<T> state;
    private final LeaderRole<T> leaderRole;
    private final FollowerRole<T> followerRole;
    private final Compaction<T> compaction;
    private final LinearizableReads<T> reads;

    SequencePaxos(OmniPaxosConfig config, Storage<T> storage, Outbox<T> outbox, Snapshot<T> snapshots,
            EntryCodec<T> entryCodec) {
        this.state = new ProtocolState<>(config, storage, outbox, snapshots, entryCodec);
        this.leaderRole = new LeaderRole<>(state);
        this.followerRole = new FollowerRole<>(state);
        this.compaction = new Compaction<>(state);
        this.reads = new LinearizableReads<>(state, leaderRole::adoptedIdx);
        if (state.log.hasState()) {
            followerRole.recover();
        }
    }

    long append(T entry) {
        if (state.learner) {
            throw new AppendRejectedException(AppendRejectedException.Reason.LEARNER, "server " + state.pid
                    + " is a learner of configuration " + state.configurationId + "; append on one of its nodes "
                    + state.peers);
        }
        state.requireNotStopped();
        state.budget.requireFits(entry);
        if (!state.isAcceptingLeader()) {
            return state.addProposal(entry);
        }
        long id = state.newProposalId();
        leaderRole.acceptEntry(entry, id);
        return id;
    }

    /**
     * Hands {@code message} to the role that handles its type.
     *
     * @throws IllegalArgumentException for a message type this server does not know
     */
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
        } else if (message instanceof TakeSnapshot<T> m) {
            followerRole.onTakeSnapshot(m);
        } else if (message instanceof AcceptStopSign<T> m) {
            followerRole.onAcceptStopSign(m);
        } else if (message instanceof StopSignForward<T> m) {
            leaderRole.onStopSignForward(m);
        } else if (message instanceof SyncChunk<T> m) {
            followerRole.onSyncChunk(m);
        } else if (message instanceof ProposalAck<T> m) {
            followerRole.onProposalAck(m);
        } else if (message instanceof SnapshotPart<T> m) {
            followerRole.onSnapshotPart(m);
        } else if (message instanceof SnapshotPartAck<T> m) {
            leaderRole.onSnapshotPartAck(m);
        } else if (message instanceof ReadIndexCheck<T> m) {
            reads.onCheck(m);
        } else if (message instanceof ReadIndexAck<T> m) {
            reads.onAck(m);
        } else if (message instanceof ReadIndexRequest<T> m) {
            reads.onRequest(m);
        } else if (message instanceof ReadIndexReply<T> m) {
            reads.onReply(m);
        } else {
            throw new IllegalArgumentException("unknown Sequence Paxos message type "
                    + message.getClass().getName() + " from pid " + message.from());
        }
        settleProposals();
        reads.afterInput();
    }

    /** Settles proposals in flight; the accepting leader takes the ones known lost at once. */
    private void settleProposals() {
        state.settleProposals();
        if (state.isAcceptingLeader() && state.hasPendingProposals()) {
            leaderRole.acceptEntries(state.takePendingProposals());
        }
    }

    /**
     * A follower forwarded proposals: the accepting leader takes them. Any other server ignores
     * them: the forwarder sends them again to the leader it follows until it knows where they went.
     */
    private void onProposalForward(ProposalForward<T> message) {
        if (state.log.decidedStopSign().isPresent()) {
            state.dropProposals(message.entries().size());
        } else if (state.isAcceptingLeader()) {
            leaderRole.onProposalForward(message);
        }
    }

    /**
     * Asks for the log to end with {@code stopSign}. The leader appends it after the waiting entries;
     * any other server forwards it to the leader, again on every resend timeout until a stop-sign is
     * decided, so neither a lost message nor a leader change loses it.
     */
    void reconfigure(StopSign stopSign) {
        if (stopSign.nextConfig().configurationId() == state.configurationId) {
            throw new IllegalArgumentException("the next configuration must have a new configuration id, got "
                    + state.configurationId + " again");
        }
        StopSignCodec.checkEncodable(stopSign);
        state.requireNotStopped();
        state.pendingStopSign = stopSign;
        if (state.isAcceptingLeader()) {
            leaderRole.acceptStopSign(stopSign);
        } else {
            state.stopSignForwardDue = true;
        }
    }

    void addLearner(long pid) {
        if (state.learners.add(pid) && state.role == Role.LEADER) {
            leaderRole.addLearner(pid);
        }
    }

    void removeLearner(long pid) {
        if (state.learners.remove(pid) && state.role == Role.LEADER) {
            leaderRole.removeLearner(pid);
        }
    }

    void snapshot(OptionalLong requested, boolean localOnly) {
        compaction.snapshot(requested, localOnly);
    }

    void installSnapshot(long idx, T snapshot) {
        compaction.install(idx, snapshot);
    }

    void trim(OptionalLong idx) {
        state.requireLeader(idx, "trim");
        leaderRole.trim(idx);
    }

    /**
     * Ballot Leader Election elected {@code ballot}. Our own election waits while we granted
     * another leader a lease ({@link LeaderLease}); {@link #onTick} starts it once that lease ends.
     */
    void onLeaderElected(Ballot ballot) {
        state.deferredElection = null;
        if (ballot.pid() != state.pid) {
            followerRole.onOtherElected(ballot);
        } else if (ballot.isGreaterThan(state.log.promise())) {
            if (state.lease.blocksPromise(ballot)) {
                state.deferredElection = ballot;
            } else {
                leaderRole.start(ballot);
            }
        }
        reads.afterInput();
    }

    /** One tick: the metrics' and the lease's clocks, a lease round due on the leader, and an election that waited for a lease. */
    void onTick() {
        state.metrics.tick();
        state.log.tick();
        if (state.role == Role.LEADER) {
            state.metrics.followers(leaderRole.acceptedIdxByFollower());
        }
        state.lease.tick();
        if (state.deferredElection != null && !state.lease.blocksPromise(state.deferredElection)) {
            onLeaderElected(state.deferredElection);
        }
        reads.onTick();
    }

    void onResendTimeout() {
        state.refreshStopSignForward();
        if (state.role == Role.LEADER) {
            leaderRole.onResendTimeout();
        } else {
            followerRole.onResendTimeout();
        }
        reads.onResendTimeout();
    }

    /** A linearizable read: see {@link LinearizableReads}. */
    long requestRead() {
        return reads.request();
    }

    List<ReadIndex> takeReadyReads() {
        return reads.takeReady();
    }

    void onFlushTimeout() {
        if (state.isAcceptingLeader()) {
            leaderRole.flushIfDue(EntryBatch.Trigger.TICK);
        }
    }

    /** The first {@code writes} storage writes are durable (an asynchronous storage reports it). */
    void persisted(long writes) {
        state.persisted(writes);
        leaderRole.onPersisted();
        settleProposals();
    }

    /** Rejoin after a crash or a lost session: ask every peer (the leader answers) to prepare us. */
    void failRecovery() {
        followerRole.recover();
    }

    void reconnected(long peer) {
        if (state.role == Role.LEADER) {
            leaderRole.reconnected(peer);
        } else {
            followerRole.reconnected(peer);
        }
    }

    /** Called just before the outgoing messages leave (see {@link EntryBatch.Trigger#DRAIN}). */
    void beforeMessagesLeave() {
        if (state.isAcceptingLeader()) {
            leaderRole.flushIfDue(EntryBatch.Trigger.DRAIN);
        } else if (state.role == Role.FOLLOWER) {
            followerRole.beforeMessagesLeave();
        }
    }

    String describe() {
        return state.describe() + (state.role == Role.LEADER ? ", " + leaderRole.describe() : "");
    }

    /**
     * The invariants an append can touch (the batch and the waiting proposals), checked after every
     * append; a batch it fills is written through the same paths as every other input, whose full
     * checks follow the next message or tick. Kept to a few comparisons: appends are the hot path.
     */
    void checkAppendInvariants() {
        state.checkProposalBounds();
    }

    void checkInvariants() {
        state.checkInvariants();
        if (state.role == Role.LEADER) {
            leaderRole.checkInvariants();
        }
    }
}
