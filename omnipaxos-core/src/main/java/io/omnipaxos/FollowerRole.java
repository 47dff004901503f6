package io.omnipaxos;

import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.AcceptStopSign;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Accepted;
import io.omnipaxos.messages.Decide;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.NotAccepted;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.messages.PrepareReq;
import io.omnipaxos.messages.ProposalAck;
import io.omnipaxos.messages.ProposalForward;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.SequenceNumber;
import io.omnipaxos.messages.StopSignForward;
import io.omnipaxos.messages.SnapshotPart;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.messages.SyncChunk;
import io.omnipaxos.messages.TakeSnapshot;
import io.omnipaxos.messages.Trim;
import java.util.ArrayList;
import java.util.List;

/**
 * The follower's handlers of Sequence Paxos: promise a higher ballot and report the log suffix the
 * leader may lack, take the leader's AcceptSync, then accept batches in sequence-number order and
 * learn decided indices. A gap in the sequence numbers means a lost message: the follower asks the
 * leader to prepare it again.
 */
final class FollowerRole<T> {

    private final ProtocolState<T> state;
    /** The number of the last accept-phase message taken from the current leader, or null. */
    private SequenceNumber lastSequenceNumber;
    /** The highest index a leader asked us to trim to; applied as far as our decided index allows. */
    private long trimTargetIdx;
    /**
     * Whether a SyncChunk or SnapshotPart arrived since the last resend timeout: a follower in the
     * prepare phase then waits for the transfer instead of asking to be prepared again (which
     * would restart it).
     */
    private boolean receivedTransferSinceTimeout;
    /** Parts of a leader's snapshot received ahead of its AcceptSync. */
    private final SnapshotStaging snapshotParts = new SnapshotStaging();
    /** The highest index a leader asked us to snapshot to; applied as far as our decided index allows. */
    private long snapshotTargetIdx;

    FollowerRole(ProtocolState<T> state) {
        this.state = state;
    }

    /** Prepare: promise a ballot at least as high as any promised, and send what the leader may lack. */
    void onPrepare(Prepare<T> prepare) {
        LogStore<T> log = state.log;
        if (prepare.ballot().isLessThan(log.promise())) {
            refuse(prepare.from());
            return;
        }
        if (state.role == Role.LEADER && !prepare.ballot().isGreaterThan(state.leader)) {
            return;
        }
        if (!prepare.ballot().equals(log.promise()) && state.lease.blocksPromise(prepare.ballot())) {
            return; // we granted another leader a lease: this leader prepares us again later
        }
        if (!prepare.ballot().equals(log.promise())) {
            log.setPromise(prepare.ballot());
        }
        state.stepDown(prepare.ballot());
        state.phase = Phase.PREPARE;
        state.noteLeaderDecided(prepare.decidedIdx());
        lastSequenceNumber = null;
        long wantedIdx = suffixStartFor(prepare);
        // The leader may lack entries we compacted: our snapshot stands for them, if we have one.
        T snapshot = wantedIdx < log.compactedIdx() ? log.snapshot().orElse(null) : null;
        long suffixIdx = Math.min(Math.max(wantedIdx, log.compactedIdx()), log.logLength());
        long entriesEnd = log.entriesEnd();
        // At most one message's bytes: the leader asks again for the rest (see LeaderRole.finishPrepare).
        List<T> suffix = state.budget.read(log, suffixIdx, suffixIdx, entriesEnd);
        StopSign stopSign = suffixIdx <= entriesEnd && suffixIdx + suffix.size() == entriesEnd ? log.stopSign() : null;
        state.sendAfterWrites(new Promise<>(state.pid, prepare.from(), state.configurationId, prepare.ballot(),
                log.acceptedRound(), log.decidedIdx(), log.logLength(), suffixIdx, suffix, snapshot, stopSign));
    }

    /** The first index of our log that the leader may lack, given its Prepare. */
    private long suffixStartFor(Prepare<T> prepare) {
        LogStore<T> log = state.log;
        int byRound = log.acceptedRound().compareTo(prepare.acceptedRound());
        long start;
        if (byRound > 0) {
            start = prepare.decidedIdx();
        } else if (byRound == 0 && log.logLength() > prepare.acceptedIdx()) {
            start = prepare.acceptedIdx();
        } else {
            start = log.logLength();
        }
        return start;
    }

    /**
     * AcceptSync: overwrite our log from the sync index with the leader's suffix and start a session.
     * Taken in the prepare phase, or in the accept phase if it opens a newer session (the leader
     * answered a second promise of ours, and continues in that session).
     */
    void onAcceptSync(AcceptSync<T> sync) {
        if (!isFromOurLeader(sync.from(), sync.ballot())) {
            return;
        }
        boolean newerSession = state.phase == Phase.ACCEPT
                && sync.sequenceNumber().session() > lastSequenceNumber.session();
        if ((state.phase != Phase.PREPARE && !newerSession) || isStale(sync)) {
            return;
        }
        state.noteLeaderDecided(sync.decidedIdx());
        LogStore<T> log = state.log;
        boolean withSnapshot = sync.replacesPrefix();
        T snapshot = null;
        if (sync.syncIdx() < log.decidedIdx() || (!withSnapshot && sync.syncIdx() > log.logLength())
                || (withSnapshot && (snapshot = snapshotOf(sync)) == null)) {
            state.phase = Phase.RECOVER;
            requestPrepare();
            return;
        }
        long newLength = sync.syncIdx() + sync.suffix().size() + (sync.stopSign() == null ? 0 : 1);
        long decidedIdx = decidedWith(sync.decidedIdx(), newLength);
        if (withSnapshot) {
            log.installSnapshot(sync.syncIdx(), snapshot, sync.suffix(), sync.stopSign(), sync.ballot(),
                    Math.max(decidedIdx, sync.syncIdx()));
        } else {
            log.syncLog(sync.syncIdx(), sync.suffix(), sync.stopSign(), sync.ballot(), decidedIdx);
        }
        if (state.phase == Phase.PREPARE && state.logger.isDebugEnabled()) {
            state.logger.debug("server {}: following ballot {}; synchronised from index {}",
                    state.pid, sync.ballot(), sync.syncIdx());
        }
        state.phase = Phase.ACCEPT;
        lastSequenceNumber = sync.sequenceNumber();
        sendAccepted();
        if (!state.tracker.followsLeader(sync.ballot())) {
            // A new leader: what we forwarded or wrote as leader is in the log it adopted, or lost.
            state.tracker.findAfterSync(log, sync.ballot(), log.logLength());
            state.tracker.followLeader(sync.ballot(), lastSequenceNumber.session());
        } else {
            // Synchronised again by our leader: its log may hold entries we forwarded whose
            // acknowledgement was lost.
            state.tracker.noticeAppended(sync.suffix(), sync.syncIdx(), sync.ballot());
        }
    }

    /**
     * The snapshot an AcceptSync installs: the one it carries, or the one its {@link SnapshotPart}s
     * made; null (logged) if those parts did not all arrive or do not decode.
     */
    private T snapshotOf(AcceptSync<T> sync) {
        if (sync.snapshot() != null) {
            return sync.snapshot();
        }
        byte[] bytes = snapshotParts.take(sync.ballot(), sync.syncIdx(), sync.snapshotParts());
        if (bytes == null) {
            state.logger.info("server {}: AcceptSync of ballot {} names {} snapshot parts for index {} that did not"
                    + " all arrive; asking to be prepared again", state.pid, sync.ballot(), sync.snapshotParts(),
                    sync.syncIdx());
            return null;
        }
        try {
            return state.budget.decode(bytes);
        } catch (IllegalArgumentException e) {
            state.logger.warn("server {}: the snapshot for index {} sent in {} parts by server {} does not decode: {}",
                    state.pid, sync.syncIdx(), sync.snapshotParts(), sync.from(), e.getMessage());
            return null;
        }
    }

    /**
     * SnapshotPart: a part of the leader's snapshot, ahead of its AcceptSync. Kept aside (nothing we
     * hold changes) and acknowledged if it is the next one; see {@link SnapshotStaging}.
     */
    void onSnapshotPart(SnapshotPart<T> part) {
        if (!isFromOurLeader(part.from(), part.ballot()) || state.phase != Phase.PREPARE) {
            return;
        }
        if (snapshotParts.add(part)) {
            receivedTransferSinceTimeout = true;
            state.outbox.add(new SnapshotPartAck<>(state.pid, part.from(), state.configurationId, part.ballot(),
                    part.snapshotIdx(), part.partNo()));
        }
    }

    /** ProposalAck: the leader tells us where our forwarded entries went. */
    void onProposalAck(ProposalAck<T> ack) {
        if (state.tracker.hasSession(ack.ballot(), ack.session())) { // also late: where it went stays true
            state.tracker.acknowledged(ack.firstSeq(), ack.indices(), ack.ballot());
        }
    }

    /**
     * Whether an AcceptSync answers an older promise than our latest. Within one round our log is a
     * prefix of the leader's and only grows, and the leader may already count every entry we
     * acknowledged towards a decision; an AcceptSync of the round we accepted in that would cut our
     * log can only be a delayed duplicate, and applying it could lose a decided entry.
     */
    private boolean isStale(AcceptSync<T> sync) {
        return sync.ballot().equals(state.log.acceptedRound()) && sync.syncIdx() < state.log.logLength();
    }

    /**
     * SyncChunk: part of the leader's adopted log that extends ours, ahead of its AcceptSync. We
     * append it without taking the leader's round (our log stays a prefix of the adopted log under
     * the round we had), decide what of it the leader decided (so a later leader sees from our
     * promise that we need nothing below that), and acknowledge our length; anything out of place
     * is ignored, and the leader prepares us again if the transfer stalls.
     */
    void onSyncChunk(SyncChunk<T> chunk) {
        if (!isFromOurLeader(chunk.from(), chunk.ballot()) || state.phase != Phase.PREPARE
                || chunk.fromIdx() != state.log.logLength() || state.log.stopSign() != null) {
            return;
        }
        state.noteLeaderDecided(chunk.decidedIdx());
        LogStore<T> log = state.log;
        long newLength = log.logLength() + chunk.entries().size();
        // What the leader decided of what we now hold is decided: it is the leader's own log.
        log.appendAndDecide(chunk.entries(), decidedWith(chunk.decidedIdx(), newLength));
        state.tracker.noticeAppended(chunk.entries(), newLength - chunk.entries().size(), log.acceptedRound());
        receivedTransferSinceTimeout = true;
        sendAccepted();
    }

    /** AcceptDecide: append the batch, learn the decided index, acknowledge. */
    void onAcceptDecide(AcceptDecide<T> message) {
        if (!isFromOurLeader(message.from(), message.ballot()) || !takeInSequence(message.sequenceNumber())) {
            return;
        }
        state.noteLeaderDecided(message.decidedIdx());
        LogStore<T> log = state.log;
        long fromIdx = log.logLength();
        long decidedIdx = decidedWith(message.decidedIdx(), fromIdx + message.entries().size());
        log.appendAndDecide(message.entries(), decidedIdx);
        state.tracker.noticeAppended(message.entries(), fromIdx, log.acceptedRound());
        sendAccepted();
        if (trimTargetIdx > log.compactedIdx() || snapshotTargetIdx > log.compactedIdx()) {
            compactDecidedPrefix();
        }
    }

    /**
     * Our decided index once our log is {@code newLength} long and the leader announced {@code
     * leaderDecidedIdx}: as much of the leader's decision as we hold, never less than before.
     */
    private long decidedWith(long leaderDecidedIdx, long newLength) {
        return Math.max(state.log.decidedIdx(), Math.min(leaderDecidedIdx, newLength));
    }

    /** AcceptStopSign: the stop-sign takes the slot after our last entry; acknowledge. */
    void onAcceptStopSign(AcceptStopSign<T> message) {
        if (!isFromOurLeader(message.from(), message.ballot()) || !takeInSequence(message.sequenceNumber())) {
            return;
        }
        LogStore<T> log = state.log;
        if (log.stopSign() == null) {
            long decidedIdx = decidedWith(message.decidedIdx(), log.logLength() + 1);
            log.appendStopSign(message.stopSign(), decidedIdx);
        }
        sendAccepted();
    }

    /** Decide: learn the decided index. */
    void onDecide(Decide<T> decide) {
        if (!isFromOurLeader(decide.from(), decide.ballot()) || !takeInSequence(decide.sequenceNumber())) {
            return;
        }
        state.noteLeaderDecided(decide.decidedIdx());
        if (decide.established()) {
            state.tracker.established(decide.ballot());
        }
        LogStore<T> log = state.log;
        long decidedIdx = Math.min(decide.decidedIdx(), log.logLength());
        if (decidedIdx > log.decidedIdx()) {
            log.setDecidedIdx(decidedIdx);
            compactDecidedPrefix();
        }
    }

    /**
     * Trim: the leader asks us to trim (it checked that every server accepted the entries below the
     * index and that they are decided). Only the leader of the round we promised may ask: a request
     * of another round is ignored (a forged one, naming a ballot that is not its sender's, never gets
     * here: see {@link IncomingScreen}). We trim as far as we have decided and our application has
     * read (a trimmed entry is gone, and the application must have applied it); the rest follows
     * once we learn and it reads more.
     */
    void onTrim(Trim<T> trim) {
        if (isFromLeaderWePromised(trim.ballot())) {
            trimTargetIdx = Math.max(trimTargetIdx, trim.trimIdx());
            compactDecidedPrefix();
        }
    }

    /**
     * TakeSnapshot: the leader asks us to replace the decided prefix by a snapshot, under the same
     * rule as {@link #onTrim}: as far as our own decided index goes, the rest once we learn more.
     */
    void onTakeSnapshot(TakeSnapshot<T> request) {
        if (isFromLeaderWePromised(request.ballot())) {
            snapshotTargetIdx = Math.max(snapshotTargetIdx, request.snapshotIdx());
            compactDecidedPrefix();
        }
    }

    /** Whether a compaction request is of the round we promised (not an earlier one's, delayed, or a later one's). */
    private boolean isFromLeaderWePromised(Ballot ballot) {
        return state.role == Role.FOLLOWER && ballot.equals(state.log.promise());
    }

    private void compactDecidedPrefix() {
        LogStore<T> log = state.log;
        long decidedIdx = state.compactableIdx();
        long snapshotIdx = Math.min(snapshotTargetIdx, decidedIdx);
        if (snapshotIdx > log.compactedIdx() && usesSnapshots()) {
            log.snapshotPrefix(snapshotIdx, state.snapshots); // does nothing if the prefix was trimmed without one
        }
        long trimIdx = Math.min(Math.min(trimTargetIdx, decidedIdx), state.readIdx());
        if (trimIdx > log.compactedIdx()) {
            log.trim(trimIdx);
        }
    }

    /** Whether the application gave a Snapshot that uses snapshots. */
    private boolean usesSnapshots() {
        Snapshot<T> snapshots = state.snapshots;
        return snapshots != null && snapshots.useSnapshots();
    }

    /**
     * Resend timer: a follower waiting to be (re)prepared asks again, unless the leader is sending it
     * the adopted log or a snapshot in parts; a trim waiting for the
     * application to read the entries goes on as far as it has read.
     */
    void onResendTimeout() {
        if (trimTargetIdx > state.log.compactedIdx()) {
            compactDecidedPrefix();
        }
        if (state.phase == Phase.RECOVER) {
            requestPrepare();
        } else if (state.phase == Phase.PREPARE) {
            if (!receivedTransferSinceTimeout) {
                requestPrepareFromLeader();
            }
        } else if (isSynchronisedWithLeader()) {
            resendUnacknowledged();
        }
        receivedTransferSinceTimeout = false;
    }

    /** Rejoin after a crash or a lost session: ask every peer (the leader answers) to prepare us. */
    void recover() {
        state.logger.info("server {}: recovering (promise {}, log length {}, decided {}); asking peers to synchronise",
                state.pid, state.log.promise(), state.log.logLength(), state.log.decidedIdx());
        state.role = Role.FOLLOWER;
        state.phase = Phase.RECOVER;
        state.leader = Ballot.NONE;
        requestPrepare();
    }

    /** The link to {@code peer} came back up: if it is our leader, we may have missed messages. */
    void reconnected(long peer) {
        if (peer == state.leader.pid()) {
            state.phase = Phase.RECOVER;
            requestPrepare();
        }
    }

    /**
     * Leader election named another server's {@code ballot}. Only a hint for forwarding proposals: a
     * follower that follows a leader in Sequence Paxos keeps following it until a higher Prepare.
     */
    void onOtherElected(Ballot ballot) {
        if (state.role == Role.FOLLOWER && (state.phase == Phase.NONE || state.phase == Phase.RECOVER)
                && ballot.isGreaterThan(state.leader)) {
            state.leader = ballot;
        }
    }

    /** Just before the outgoing messages leave: forward waiting proposals and a stop-sign to the leader. */
    void beforeMessagesLeave() {
        if (isSynchronisedWithLeader()) {
            forwardPendingProposals();
        }
        forwardPendingStopSign();
    }

    /** Whether we follow a leader in its accept phase: our forwards are numbered in our session with it. */
    private boolean isSynchronisedWithLeader() {
        return state.role == Role.FOLLOWER && state.phase == Phase.ACCEPT && lastSequenceNumber != null
                && state.tracker.followsLeader(state.log.promise());
    }

    private void forwardPendingStopSign() {
        if (!state.stopSignForwardDue || state.pendingStopSign == null || state.leader.pid() == 0) {
            return;
        }
        state.stopSignForwardDue = false;
        state.outbox.add(new StopSignForward<>(state.pid, state.leader.pid(), state.configurationId,
                state.pendingStopSign));
    }

    private void forwardPendingProposals() {
        if (!state.hasPendingProposals()) {
            return;
        }
        List<Proposal<T>> proposals = state.takePendingProposals();
        long seq = state.tracker.send(proposals, state.log.decidedIdx());
        List<T> entries = new ArrayList<>(proposals.size());
        for (Proposal<T> proposal : proposals) {
            entries.add(proposal.entry());
        }
        sendForwards(entries, seq);
    }

    /** Forwards {@code entries}, numbered from {@code firstSeq} in our session, in messages within the budget. */
    private void sendForwards(List<T> entries, long firstSeq) {
        long seq = firstSeq;
        for (List<T> part : state.budget.split(entries)) {
            state.outbox.add(new ProposalForward<>(state.pid, state.leader.pid(), state.configurationId,
                    state.log.promise(), state.tracker.session(), seq, part));
            seq += part.size();
        }
    }

    /** Resend timer: what we forwarded in this session and the leader has not acknowledged goes again. */
    private void resendUnacknowledged() {
        List<ProposalTracker.Tracked<T>> unacknowledged = state.tracker.unacknowledged();
        int start = 0;
        for (int i = 1; i <= unacknowledged.size(); i++) {
            boolean runEnds = i == unacknowledged.size()
                    || unacknowledged.get(i).seq != unacknowledged.get(i - 1).seq + 1;
            if (runEnds) {
                List<T> run = new ArrayList<>(i - start);
                for (ProposalTracker.Tracked<T> t : unacknowledged.subList(start, i)) {
                    run.add(t.entry);
                }
                sendForwards(run, unacknowledged.get(start).seq);
                start = i;
            }
        }
    }

    /**
     * Asks every peer to prepare this server; whichever leads answers. Asking only the leader we
     * know of is not enough: after a crash or a partition that may not be the server leading now.
     */
    private void requestPrepare() {
        for (long peer : state.peers) {
            state.outbox.add(new PrepareReq<>(state.pid, peer, state.configurationId));
        }
    }

    private void requestPrepareFromLeader() {
        state.outbox.add(new PrepareReq<>(state.pid, state.leader.pid(), state.configurationId));
    }

    /**
     * Whether a leader message is for the round we promised. A message of a lower round is refused
     * with NotAccepted, so a stale leader learns that its round is over.
     */
    private boolean isFromOurLeader(long from, Ballot ballot) {
        if (ballot.isLessThan(state.log.promise())) {
            refuse(from);
            return false;
        }
        return state.role == Role.FOLLOWER && ballot.equals(state.log.promise());
    }

    /**
     * Whether an accept-phase message is the next one of our session. A duplicate or stale one is
     * ignored; a gap (a lost message) or an unknown session makes us ask to be prepared again.
     */
    private boolean takeInSequence(SequenceNumber number) {
        if (state.phase != Phase.ACCEPT) {
            return false;
        }
        long session = lastSequenceNumber.session();
        if (number.session() < session || (number.session() == session && number.counter() <= lastSequenceNumber.counter())) {
            return false;
        }
        if (number.session() == session && number.counter() == lastSequenceNumber.counter() + 1) {
            lastSequenceNumber = number;
            return true;
        }
        state.phase = Phase.RECOVER;
        requestPrepare();
        return false;
    }

    /**
     * Acknowledges our log length, folded into an Accepted that has not left yet if there is one. It
     * leaves once our writes are durable.
     */
    private void sendAccepted() {
        Ballot ballot = state.log.promise();
        Accepted<T> accepted = new Accepted<>(state.pid, state.leader.pid(), state.configurationId,
                ballot, state.log.logLength());
        long barrier = state.log.writesIssued();
        state.outbox.release(state.log.writesDurable());
        Message<T> last = state.outbox.lastTo(state.leader.pid(), barrier);
        if (last instanceof Accepted<T> queued && queued.ballot().equals(ballot)) {
            state.outbox.replaceLast(accepted, barrier);
        } else {
            state.sendAfterWrites(accepted);
        }
    }

    /**
     * Tells a stale leader the ballot we promised, once that promise is durable: a leader steps down
     * to the ballot it is told, and must not be told one that a crash could make us forget.
     */
    private void refuse(long stalePeer) {
        state.sendAfterWrites(new NotAccepted<>(state.pid, stalePeer, state.configurationId, state.log.promise()));
    }
}
