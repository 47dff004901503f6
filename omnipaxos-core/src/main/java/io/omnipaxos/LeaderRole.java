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
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.ProposalForward;
import io.omnipaxos.messages.StopSignForward;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.messages.Trim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The leader's handlers of Sequence Paxos: the prepare phase with log synchronisation (the most
 * up-to-date promise wins), one AcceptSync per follower, then batched AcceptDecide pipelining with
 * the decided index piggybacked.
 */
final class LeaderRole<T> {

    private final ProtocolState<T> state;
    private final LogAdoption<T> adoption;
    /** This server's ballot while it leads. */
    private Ballot ballot = Ballot.NONE;
    private final Map<Long, FollowerProgress<T>> followers = new LinkedHashMap<>();
    /** The same followers as an array, iterated on every input without allocating. */
    private FollowerProgress<T>[] all = newArray(0);
    /** The length of the log adopted at the end of the prepare phase: every AcceptSync covers it. */
    private long adoptedIdx;

    /** Whether a write quorum took this round (see {@link Decide#established()}). */
    private boolean established;
    /** What each follower forwarded in its current session, to take every entry once. */
    private final ForwardedSessions<T> forwarded;
    /** Brings promised followers into the accept phase: AcceptSync, with the parts that go ahead of it. */
    private final FollowerSync<T> sync;

    /** The length of the log adopted in this round's prepare phase (0 before one). */
    long adoptedIdx() {
        return adoptedIdx;
    }

    LeaderRole(ProtocolState<T> state) {
        this.state = state;
        this.adoption = new LogAdoption<>(state);
        this.forwarded = new ForwardedSessions<>(state);
        this.sync = new FollowerSync<>(state);
    }

    /** Prepare phase, step 1: promise our own ballot and ask every peer for its promise. */
    void start(Ballot newBallot) {
        if (state.role == Role.LEADER) {
            state.leaveLeadership();
        }
        state.log.setPromise(newBallot);
        ballot = newBallot;
        followers.clear();
        forwarded.clear();
        established = false;
        for (long peer : state.peers) {
            followers.put(peer, new FollowerProgress<>(peer, true));
        }
        for (long learner : state.learners) {
            followers.put(learner, new FollowerProgress<>(learner, false));
        }
        all = followers.values().toArray(newArray(followers.size()));
        sync.startRound(newBallot, all);
        state.logger.info("server {}: elected with ballot {}; preparing", state.pid, newBallot);
        state.role = Role.LEADER;
        state.phase = Phase.PREPARE;
        state.leader = newBallot;
        for (FollowerProgress<T> follower : all) {
            sendPrepare(follower.pid);
        }
        finishPrepareWithQuorum(); // a server alone (or a read quorum of one) needs no promise but its own
    }

    /** Each follower's (and learner's) accepted log length in this round, by pid; unmodifiable. */
    Map<Long, Long> acceptedIdxByFollower() {
        Map<Long, Long> accepted = new LinkedHashMap<>();
        for (FollowerProgress<T> follower : all) {
            accepted.put(follower.pid, follower.acceptedIdx);
        }
        return Collections.unmodifiableMap(accepted);
    }

    /** A learner joins the round we lead: it is prepared like any follower, but never counted. */
    void addLearner(long pid) {
        if (followers.containsKey(pid)) {
            return;
        }
        followers.put(pid, new FollowerProgress<>(pid, false));
        followersChanged();
        sendPrepare(pid);
    }

    /** A learner leaves the round we lead: nothing more is sent to it. */
    void removeLearner(long pid) {
        FollowerProgress<T> follower = followers.get(pid);
        if (follower == null || follower.voter) {
            return;
        }
        followers.remove(pid);
        followersChanged();
    }

    /** The round's followers changed (a learner joined or left): the array iterated, here and in the sync. */
    private void followersChanged() {
        all = followers.values().toArray(newArray(followers.size()));
        sync.followersChanged(all);
    }

    /** Prepare phase, step 2: collect promises; with a read quorum, adopt the best log and start accepting. */
    void onPromise(Promise<T> promise) {
        if (state.role != Role.LEADER || !promise.ballot().equals(ballot)) {
            return;
        }
        FollowerProgress<T> follower = followers.get(promise.from());
        follower.promise = promise;
        if (state.phase == Phase.PREPARE) {
            finishPrepareWithQuorum();
        } else {
            sync.sendAcceptSync(follower);
            tryDecide();
        }
    }

    /** Finishes the prepare phase if a read quorum promised, ourselves counted once our promise is durable. */
    private void finishPrepareWithQuorum() {
        boolean selfPromised = state.log.durablePromise().equals(ballot);
        if (promisedCount() + (selfPromised ? 1 : 0) >= state.readQuorumSize) {
            finishPrepare();
        }
    }

    /** Storage writes became durable: our own promise or log may now count. */
    void onPersisted() {
        if (state.role != Role.LEADER) {
            return;
        }
        if (state.phase == Phase.PREPARE) {
            finishPrepareWithQuorum();
        } else if (state.phase == Phase.ACCEPT) {
            checkEstablished();
            tryDecide();
        }
    }

    /**
     * With a read quorum of promises: adopt the most up-to-date log and start accepting. If the best
     * promise carries only part of its log, adopt that part and prepare every peer again from our new
     * log end: the best one answers with the next part, the others, now behind us, with nothing.
     */
    private void finishPrepare() {
        List<FollowerProgress<T>> voters = voters();
        Promise<T> best = adoption.mostUpToDate(voters);
        long maxDecidedIdx = adoption.maxDecidedIdx(voters);
        if (best != null && !adoption.answersOurLog(best)) {
            // Computed against a log we have since replaced (we adopted part of another): the answer
            // to our latest Prepare is on its way, and the resend timer repeats that Prepare if not.
            followers.get(best.from()).resetPromise();
            return;
        }
        if (best != null && !LogAdoption.carriesWholeLog(best)) {
            adoption.adoptPart(best, maxDecidedIdx);
            for (FollowerProgress<T> follower : all) {
                follower.resetPromise();
                sendPrepare(follower.pid);
            }
            return;
        }
        Ballot adoptedRound = best == null ? state.log.acceptedRound() : best.acceptedRound();
        adoption.adoptWhole(best, maxDecidedIdx, ballot);
        adoptedIdx = state.log.logLength();
        // Our own entries of earlier rounds that the adopted log lacks are proposed again once it is decided.
        state.tracker.findAfterSync(state.log, ballot, adoptedIdx);
        state.phase = Phase.ACCEPT;
        state.logger.info("server {}: leading ballot {}; log length {}, decided {}", state.pid, ballot,
                state.log.logLength(), state.log.decidedIdx());
        sync.adopted(adoptedRound, adoptedIdx);
        for (FollowerProgress<T> follower : all) {
            if (follower.promise != null) {
                sync.sendAcceptSync(follower);
            }
        }
        tryDecide();
        acceptEntries(state.takePendingProposals());
        StopSign pending = state.pendingStopSign;
        if (pending != null && state.log.stopSign() == null) {
            acceptStopSign(pending);
        }
    }

    /** A follower holds a part of our snapshot: the next follows, or the AcceptSync (see {@link FollowerSync}). */
    void onSnapshotPartAck(SnapshotPartAck<T> ack) {
        if (state.role != Role.LEADER || !ack.ballot().equals(ballot)) {
            return;
        }
        sync.onSnapshotPartAck(followers.get(ack.from()), ack);
        tryDecide();
    }

    /** Accept phase: one new entry joins the batch; a full batch is written and replicated. */
    void acceptEntry(T entry, long proposalId) {
        if (state.log.stopSign() != null) {
            state.dropProposals(1);
            return;
        }
        if (state.batch.wouldOverflow(entry)) {
            flush();
        }
        state.batch.add(entry, proposalId);
        flushIfDue(EntryBatch.Trigger.FULL);
    }

    void acceptEntries(List<Proposal<T>> proposals) {
        for (Proposal<T> proposal : proposals) {
            acceptEntry(proposal.entry(), proposal.id());
        }
    }

    /** Flushes the batch if {@link EntryBatch} says {@code trigger} makes it due. */
    void flushIfDue(EntryBatch.Trigger trigger) {
        if (state.batch.isDue(trigger, state.log.decidedIdx() == state.log.logLength())) {
            flush();
        }
    }

    /** Writes the batch to storage, then sends it to every follower that is caught up. */
    private void flush() {
        if (state.batch.size() == 0) {
            return;
        }
        EntryBatch.Taken<T> taken = state.batch.take();
        List<T> entries = taken.entries();
        state.metrics.batchFlushed(entries.size());
        long fromIdx = state.log.logLength();
        state.log.appendEntries(entries);
        for (FollowerProgress<T> follower : all) {
            if (follower.accepting && follower.sentIdx == fromIdx) {
                sendAcceptDecide(follower, entries);
            }
        }
        forwarded.notePlacements(taken, fromIdx, ballot);
        tryDecide();
    }

    /**
     * A follower forwarded entries: {@link ForwardedSessions} admits each number of its epoch once,
     * in order, and acknowledges duplicates again; the new ones join the batch. Forwards of another
     * round, or of an epoch we never opened, are ignored (the follower looks for its entries in our
     * log after its next synchronisation).
     */
    void onProposalForward(ProposalForward<T> message) {
        FollowerProgress<T> follower = followers.get(message.from());
        if (!message.ballot().equals(ballot) || follower == null || follower.lastSequenceNumber == null
                || message.session() > follower.lastSequenceNumber.session()) {
            return;
        }
        ForwardedSessions.Admitted<T> admitted = forwarded.admit(message);
        for (int i = 0; i < admitted.entries().size(); i++) {
            acceptForwarded(admitted.entries().get(i), message.from(), message.session(), admitted.firstSeq() + i);
        }
    }

    private void acceptForwarded(T entry, long forwarder, long session, long seq) {
        if (state.log.stopSign() != null) {
            state.dropProposals(1);
            return;
        }
        if (state.batch.wouldOverflow(entry)) {
            flush();
        }
        state.batch.add(entry, forwarder, session, seq);
        flushIfDue(EntryBatch.Trigger.FULL);
    }

    /**
     * Ends the log with {@code stopSign}: the waiting batch goes first, then the stop-sign takes the
     * next slot and is replicated to every follower that is caught up; no entry follows it.
     */
    void acceptStopSign(StopSign stopSign) {
        flush();
        long slot = state.log.logLength();
        state.log.appendStopSign(stopSign, state.log.decidedIdx());
        state.logger.info("server {}: proposing stop-sign at index {}: {}", state.pid, slot, stopSign);
        for (FollowerProgress<T> follower : all) {
            if (follower.accepting && follower.sentIdx == slot) {
                sendAcceptStopSign(follower);
            }
        }
        tryDecide();
    }

    private void sendAcceptStopSign(FollowerProgress<T> follower) {
        follower.lastSequenceNumber = follower.lastSequenceNumber.next();
        follower.sentIdx += 1;
        state.outbox.add(new AcceptStopSign<>(state.pid, follower.pid, state.configurationId, ballot,
                follower.lastSequenceNumber, state.log.decidedIdx(), state.log.stopSign()));
    }

    private void sendAcceptDecide(FollowerProgress<T> follower, List<T> entries) {
        follower.lastSequenceNumber = follower.lastSequenceNumber.next();
        follower.sentIdx += entries.size();
        state.outbox.add(new AcceptDecide<>(state.pid, follower.pid, state.configurationId, ballot,
                follower.lastSequenceNumber, state.log.decidedIdx(), entries));
    }

    /** A follower accepted up to an index: maybe decide, and feed a follower that is catching up. */
    void onAccepted(Accepted<T> accepted) {
        if (state.role != Role.LEADER || !accepted.ballot().equals(ballot)) {
            return;
        }
        FollowerProgress<T> follower = followers.get(accepted.from());
        if (follower.syncing) {
            if (accepted.acceptedIdx() >= follower.sentIdx) {
                follower.acceptedIdx = follower.sentIdx;
                sync.continueSync(follower);
                tryDecide();
            }
            return;
        }
        if (!follower.accepting) {
            return;
        }
        follower.acceptedIdx = Math.max(follower.acceptedIdx, Math.min(accepted.acceptedIdx(), follower.sentIdx));
        follower.tookRound = true;
        checkEstablished();
        tryDecide();
        if (follower.sentIdx < state.log.logLength() && follower.acceptedIdx >= follower.sentIdx) {
            long entriesEnd = state.log.entriesEnd();
            if (follower.sentIdx < entriesEnd) {
                long end = Math.min(entriesEnd, follower.sentIdx + state.bufferSize);
                sendAcceptDecide(follower, state.budget.read(state.log, follower.sentIdx, follower.sentIdx, end));
            } else {
                sendAcceptStopSign(follower);
            }
        }
    }

    /** Raises the decided index to the largest index accepted by a write quorum in this round. */
    private void tryDecide() {
        long[] accepted = new long[followers.size() + 1];
        int count = 0;
        LogStore<T> log = state.log;
        // We count ourselves with our durable log only (the same as the log with a synchronous storage).
        accepted[count++] = log.durableAcceptedRound().equals(ballot) ? log.durableLogLength() : 0;
        for (FollowerProgress<T> follower : all) {
            accepted[count++] = follower.accepting && follower.voter ? follower.acceptedIdx : 0;
        }
        Arrays.sort(accepted);
        long quorumAccepted = accepted[accepted.length - state.writeQuorumSize];
        if (quorumAccepted > state.log.decidedIdx()) {
            state.log.setDecidedIdx(quorumAccepted);
            state.tracker.settleOwnRuns(quorumAccepted);
            announceDecided();
        }
    }

    /**
     * Notes when a write quorum (ourselves counted once our log of this round is durable) has taken
     * this round, and tells the followers at once.
     */
    private void checkEstablished() {
        if (established || state.phase != Phase.ACCEPT) {
            return;
        }
        int took = state.log.durableAcceptedRound().equals(ballot) ? 1 : 0;
        for (FollowerProgress<T> follower : all) {
            took += follower.voter && follower.accepting && follower.tookRound ? 1 : 0;
        }
        if (took >= state.writeQuorumSize) {
            established = true;
            state.tracker.established(ballot);
            for (FollowerProgress<T> follower : all) {
                if (follower.accepting) {
                    sendDecide(follower);
                }
            }
        }
    }

    /** Tells every accepting follower the new decided index, folded into a queued message if possible. */
    private void announceDecided() {
        long decidedIdx = state.log.decidedIdx();
        for (FollowerProgress<T> follower : all) {
            if (!follower.accepting) {
                continue;
            }
            Message<T> last = state.outbox.lastTo(follower.pid);
            if (last instanceof AcceptDecide<T> queued && queued.ballot().equals(ballot)) {
                state.outbox.replaceLast(new AcceptDecide<>(queued.from(), queued.to(), queued.configurationId(),
                        ballot, queued.sequenceNumber(), decidedIdx, queued.entries()));
            } else if (last instanceof Decide<T> queued && queued.ballot().equals(ballot)) {
                state.outbox.replaceLast(new Decide<>(queued.from(), queued.to(), queued.configurationId(),
                        ballot, queued.sequenceNumber(), decidedIdx, established));
            } else {
                sendDecide(follower);
            }
        }
    }

    private void sendDecide(FollowerProgress<T> follower) {
        follower.lastSequenceNumber = follower.lastSequenceNumber.next();
        state.outbox.add(new Decide<>(state.pid, follower.pid, state.configurationId, ballot,
                follower.lastSequenceNumber, state.log.decidedIdx(), established));
    }

    /**
     * Resend timer: Prepare again to peers that have not promised; a follower that stopped
     * acknowledging what was sent is prepared again (a message was lost); the others get the decided
     * index again, so a lost Decide is repaired and a lost earlier message shows up as a gap.
     */
    void onResendTimeout() {
        for (FollowerProgress<T> follower : all) {
            if (follower.promise == null) {
                sendPrepare(follower.pid);
            } else if (follower.snapshotInParts != null) {
                OutgoingSnapshot out = follower.snapshotInParts;
                if (out.ackedPart == out.ackedPartAtLastTimeout) {
                    follower.resetPromise(); // the transfer stalled (a lost part): prepare again
                    sendPrepare(follower.pid);
                } else {
                    out.ackedPartAtLastTimeout = out.ackedPart;
                }
            } else if (follower.syncing) {
                if (follower.acceptedIdx == follower.acceptedIdxAtLastTimeout) {
                    follower.resetPromise(); // the transfer stalled (a lost chunk): prepare again
                    sendPrepare(follower.pid);
                } else {
                    follower.acceptedIdxAtLastTimeout = follower.acceptedIdx;
                }
            } else if (follower.accepting) {
                boolean stalled = follower.acceptedIdx < follower.sentIdx
                        && follower.acceptedIdx == follower.acceptedIdxAtLastTimeout;
                if (stalled) {
                    follower.resetPromise();
                    sendPrepare(follower.pid);
                } else {
                    follower.acceptedIdxAtLastTimeout = follower.acceptedIdx;
                    sendDecide(follower);
                }
            }
        }
    }

    /**
     * Trims the log below {@code requested} (default: the smallest index every server has accepted,
     * capped at the decided index) here and on every follower.
     *
     * @throws CompactionException if the index is not decided, already trimmed, or not accepted by all
     */
    void trim(OptionalLong requested) {
        long minAcceptedIdx = state.log.logLength();
        for (FollowerProgress<T> follower : all) {
            minAcceptedIdx = Math.min(minAcceptedIdx, follower.accepting ? follower.acceptedIdx : 0);
        }
        minAcceptedIdx = Math.min(minAcceptedIdx, state.log.entriesEnd());
        long compactedIdx = state.log.compactedIdx();
        long idx = requested.orElse(Math.max(compactedIdx, Math.min(minAcceptedIdx, state.compactableIdx())));
        state.requireCompactable("trim", requested, idx);
        if (idx > minAcceptedIdx) {
            throw state.compactionRefused("trim", CompactionException.Reason.NOT_ALL_ACCEPTED, requested, minAcceptedIdx,
                    "index " + idx + " is beyond " + minAcceptedIdx + ", the smallest index every server accepted");
        }
        if (idx == compactedIdx) {
            return;
        }
        state.log.trim(idx);
        for (long peer : state.peers) {
            state.outbox.add(new Trim<>(state.pid, peer, state.configurationId, ballot, idx));
        }
    }

    /** A follower asks us to end the log with a stop-sign (see {@link SequencePaxos#reconfigure}). */
    void onStopSignForward(StopSignForward<T> message) {
        if (state.role != Role.LEADER || state.log.stopSign() != null) {
            return;
        }
        if (state.phase == Phase.ACCEPT) {
            acceptStopSign(message.stopSign());
        } else if (state.pendingStopSign == null) {
            state.pendingStopSign = message.stopSign();
        }
    }

    /** A follower lost its session (crash, gap, reconnection) and asks to be prepared again. */
    void onPrepareReq(PrepareReq<T> request) {
        FollowerProgress<T> follower = followers.get(request.from());
        // While a Prepare is outstanding (no promise yet) the resend timer repeats it; answering every
        // request as well would cross Prepares with AcceptSyncs and restart the follower's session.
        if (state.role == Role.LEADER && follower != null && follower.promise != null) {
            reconnected(request.from());
        }
    }

    void reconnected(long peer) {
        FollowerProgress<T> follower = followers.get(peer);
        if (follower != null) {
            follower.resetPromise();
            sendPrepare(peer);
        }
    }

    /** A follower promised a higher ballot: this leader's round is over. */
    void onNotAccepted(NotAccepted<T> notAccepted) {
        if (state.role == Role.LEADER && notAccepted.ballot().isGreaterThan(ballot)) {
            state.stepDown(notAccepted.ballot());
        }
    }

    /**
     * Asks {@code peer} for its promise. The Prepare leaves once this server's own promise of the
     * ballot is durable (at once with a synchronous storage): a server that crashed before that would
     * forget the ballot, and could otherwise lead it a second time with another log, or leave
     * servers promised to a ballot nobody leads while it answers heartbeats with an older one.
     */
    private void sendPrepare(long peer) {
        state.sendAfterWrites(new Prepare<>(state.pid, peer, state.configurationId, ballot,
                state.log.decidedIdx(), state.log.acceptedRound(), state.log.logLength()));
    }

    private int promisedCount() {
        int count = 0;
        for (FollowerProgress<T> follower : all) {
            if (follower.voter && follower.promise != null) {
                count++;
            }
        }
        return count;
    }

    /** The followers that vote (learners left out). */
    private List<FollowerProgress<T>> voters() {
        List<FollowerProgress<T>> voters = new ArrayList<>(all.length);
        for (FollowerProgress<T> follower : all) {
            if (follower.voter) {
                voters.add(follower);
            }
        }
        return voters;
    }

    @SuppressWarnings("unchecked")
    private static <T> FollowerProgress<T>[] newArray(int size) {
        return (FollowerProgress<T>[]) new FollowerProgress<?>[size];
    }

    String describe() {
        StringBuilder out = new StringBuilder("ballot=" + ballot);
        for (FollowerProgress<T> f : all) {
            out.append(" [").append(f.pid).append(f.promise == null ? " unpromised" : f.accepting ? " accepting" : " promised")
                    .append(" sent=").append(f.sentIdx).append(" acc=").append(f.acceptedIdx).append(']');
        }
        return out.toString();
    }

    void checkInvariants() {
        Invariants.check(state.log.promise().equals(ballot), "a leader has promised its own ballot");
        for (FollowerProgress<T> follower : all) {
            if (follower.accepting) {
                Invariants.atMost("acceptedIdx", follower.acceptedIdx, "sentIdx", follower.sentIdx, follower.pid);
                Invariants.atMost("sentIdx", follower.sentIdx, "log length", state.log.logLength(), follower.pid);
            }
        }
    }
}
