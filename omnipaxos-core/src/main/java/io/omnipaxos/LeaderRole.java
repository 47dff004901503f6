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
import io.omnipaxos.messages.SequenceNumber;
import io.omnipaxos.messages.SyncChunk;
import io.omnipaxos.messages.Trim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The leader's handlers of Sequence Paxos: the prepare phase with log synchronisation (the most
 * up-to-date promise wins), one AcceptSync per follower, then batched AcceptDecide pipelining with
 * the decided index piggybacked.
 */
final class LeaderRole<T> {

    private final SequencePaxos<T> paxos;
    /** This server's ballot while it leads. */
    private Ballot ballot = Ballot.NONE;
    private final Map<Long, FollowerProgress<T>> followers = new LinkedHashMap<>();
    /** Entries appended in the accept phase, not yet written and replicated; at most batch_size. */
    private ArrayList<T> batch = new ArrayList<>();
    /** The entry bytes of {@link #batch} (0 without an entry codec): at most max_message_bytes. */
    private long batchBytes;
    private long nextSession;
    /** The accepted round of the log adopted at the end of the prepare phase. */
    private Ballot adoptedRound = Ballot.NONE;
    /** The length of the log adopted at the end of the prepare phase: every AcceptSync covers it. */
    private long adoptedIdx;

    LeaderRole(SequencePaxos<T> paxos) {
        this.paxos = paxos;
    }

    /** Prepare phase, step 1: promise our own ballot and ask every peer for its promise. */
    void start(Ballot newBallot) {
        if (paxos.role == Role.LEADER) {
            paxos.keepPendingProposals(takeBatch());
        }
        paxos.log.setPromise(newBallot);
        ballot = newBallot;
        followers.clear();
        for (long peer : paxos.peers) {
            followers.put(peer, new FollowerProgress<>(peer));
        }
        paxos.logger.info("server {}: elected with ballot {}; preparing", paxos.pid, newBallot);
        paxos.role = Role.LEADER;
        paxos.phase = Phase.PREPARE;
        paxos.leader = newBallot;
        for (long peer : paxos.peers) {
            sendPrepare(peer);
        }
    }

    /** Prepare phase, step 2: collect promises; with a read quorum, adopt the best log and start accepting. */
    void onPromise(Promise<T> promise) {
        if (paxos.role != Role.LEADER || !promise.ballot().equals(ballot)) {
            return;
        }
        FollowerProgress<T> follower = followers.get(promise.from());
        follower.promise = promise;
        if (paxos.phase == Phase.PREPARE) {
            if (promisedCount() + 1 >= paxos.readQuorumSize) {
                finishPrepare();
            }
        } else {
            sendAcceptSync(follower);
        }
    }

    private void finishPrepare() {
        Promise<T> best = mostUpToDatePromise();
        long maxDecidedIdx = paxos.log.decidedIdx();
        for (FollowerProgress<T> follower : followers.values()) {
            if (follower.promise != null) {
                maxDecidedIdx = Math.max(maxDecidedIdx, follower.promise.decidedIdx());
            }
        }
        if (best != null && !answersOurLog(best)) {
            // Computed against a log we have since replaced (we adopted part of another): the answer
            // to our latest Prepare is on its way, and the resend timer repeats that Prepare if not.
            followers.get(best.from()).resetPromise();
            return;
        }
        if (best != null && !carriesWholeLog(best)) {
            adoptPart(best, maxDecidedIdx);
            return;
        }
        adoptedRound = best == null ? paxos.log.acceptedRound() : best.acceptedRound();
        adopt(best, Math.min(maxDecidedIdx, adoptedLength(best)));
        adoptedIdx = paxos.log.logLength();
        paxos.phase = Phase.ACCEPT;
        paxos.logger.info("server {}: leading ballot {}; log length {}, decided {}", paxos.pid, ballot,
                paxos.log.logLength(), paxos.log.decidedIdx());
        for (FollowerProgress<T> follower : followers.values()) {
            if (follower.promise != null) {
                sendAcceptSync(follower);
            }
        }
        acceptEntries(paxos.takePendingProposals());
        StopSign pending = paxos.pendingStopSign();
        if (pending != null && paxos.log.stopSign() == null) {
            acceptStopSign(pending);
        }
    }

    /**
     * Makes the most up-to-date promised log ours (or keeps ours if it is the best), with the highest
     * promised decided index. A promise that carries a snapshot replaces our prefix by it.
     */
    private void adopt(Promise<T> best, long maxDecidedIdx) {
        LogStore<T> log = paxos.log;
        if (best == null) {
            log.syncLog(log.logLength(), List.of(), null, ballot, maxDecidedIdx);
        } else if (carriesSnapshot(best)) {
            log.installSnapshot(best.suffixIdx(), best.snapshot(), best.suffix(), best.stopSign(), ballot,
                    Math.max(maxDecidedIdx, best.suffixIdx()));
        } else {
            long fromIdx = Math.max(best.suffixIdx(), log.decidedIdx());
            log.syncLog(fromIdx, entriesFrom(best, fromIdx), best.stopSign(), ballot, maxDecidedIdx);
        }
    }

    /**
     * The length of our log once {@code best} is adopted. No honest server's decided index exceeds
     * it (what was decided is in the most up-to-date log); one that claims more is not believed.
     */
    private long adoptedLength(Promise<T> best) {
        if (best == null) {
            return paxos.log.logLength();
        }
        return best.suffixIdx() + best.suffix().size() + (best.stopSign() == null ? 0 : 1);
    }

    /** Whether a promise replaces our log by the sender's snapshot (we lack entries it compacted). */
    private boolean carriesSnapshot(Promise<T> promise) {
        return promise.snapshot() != null && promise.suffixIdx() > paxos.log.compactedIdx();
    }

    /** The promise's entries from {@code fromIdx} (at or after its suffix index) on. */
    private static <T> List<T> entriesFrom(Promise<T> promise, long fromIdx) {
        int skip = (int) Math.min(promise.suffix().size(), fromIdx - promise.suffixIdx());
        return promise.suffix().subList(skip, promise.suffix().size());
    }

    /**
     * Whether a promise more up to date than our log can be adopted into it: its suffix leaves no gap
     * after our log, replaces none of our decided entries by a snapshot, and, from our own round
     * (where logs are prefixes of one another), extends our log. A promise that answers a Prepare
     * sent before we adopted part of another log may not.
     */
    private boolean answersOurLog(Promise<T> promise) {
        LogStore<T> log = paxos.log;
        if (carriesSnapshot(promise)) {
            return promise.suffixIdx() >= log.decidedIdx();
        }
        boolean sameRound = promise.acceptedRound().equals(log.acceptedRound());
        long end = promise.suffixIdx() + promise.suffix().size() + (promise.stopSign() == null ? 0 : 1);
        return promise.suffixIdx() <= log.logLength() && (!sameRound || end > log.logLength());
    }

    /** Whether a promise carries its log to the end: a long suffix comes in parts, one per Prepare. */
    private static <T> boolean carriesWholeLog(Promise<T> promise) {
        long end = promise.suffixIdx() + promise.suffix().size() + (promise.stopSign() == null ? 0 : 1);
        return end >= promise.acceptedIdx();
    }

    /**
     * The best promised log is longer than one message: make the part received ours under the round
     * it was accepted in (our log is then a prefix of that log, a state any follower of that round
     * could be in, so a crash here loses nothing), and prepare every peer again from our new log. The
     * best one answers with the next part; the others, now behind us, with nothing. The prepare phase
     * ends when a quorum's promises carry whole logs.
     */
    private void adoptPart(Promise<T> best, long maxDecidedIdx) {
        LogStore<T> log = paxos.log;
        if (carriesSnapshot(best)) {
            long end = best.suffixIdx() + best.suffix().size();
            log.installSnapshot(best.suffixIdx(), best.snapshot(), best.suffix(), null, best.acceptedRound(),
                    Math.max(Math.min(maxDecidedIdx, end), best.suffixIdx()));
        } else {
            long fromIdx = Math.max(best.suffixIdx(), log.decidedIdx());
            List<T> entries = entriesFrom(best, fromIdx);
            log.syncLog(fromIdx, entries, null, best.acceptedRound(),
                    Math.min(maxDecidedIdx, fromIdx + entries.size()));
        }
        paxos.logger.info("server {}: adopted server {}'s log up to {} of {}; preparing again for the rest",
                paxos.pid, best.from(), log.logLength(), best.acceptedIdx());
        for (FollowerProgress<T> follower : followers.values()) {
            follower.resetPromise();
            sendPrepare(follower.pid);
        }
    }

    /** The promise whose log is more up to date than ours, by (accepted round, log length), or null. */
    private Promise<T> mostUpToDatePromise() {
        Promise<T> best = null;
        Ballot bestRound = paxos.log.acceptedRound();
        long bestIdx = paxos.log.logLength();
        for (FollowerProgress<T> follower : followers.values()) {
            Promise<T> p = follower.promise;
            if (p == null) {
                continue;
            }
            int byRound = p.acceptedRound().compareTo(bestRound);
            if (byRound > 0 || (byRound == 0 && p.acceptedIdx() > bestIdx)) {
                best = p;
                bestRound = p.acceptedRound();
                bestIdx = p.acceptedIdx();
            }
        }
        return best;
    }

    /**
     * Brings a promised follower into the accept phase: its log is overwritten from the first index
     * where it may differ from ours. The message covers at least the adopted log (required for
     * safety: every log of this round must contain what was chosen before it); entries appended in
     * this round beyond that may follow in later catch-up messages.
     */
    private void sendAcceptSync(FollowerProgress<T> follower) {
        Promise<T> p = follower.promise;
        long syncIdx = syncIndexFor(p);
        if (syncIdx > paxos.log.logLength()) {
            // No honest follower has more of this round's log, or more decided, than its leader.
            paxos.logger.warn("server {}: ignored server {}'s promise: it claims a log of this round or a decided"
                    + " index up to {}, beyond our log length {}", paxos.pid, follower.pid, syncIdx, paxos.log.logLength());
            follower.resetPromise();
            return;
        }
        long compactedIdx = paxos.log.compactedIdx();
        T snapshot = null;
        if (syncIdx < compactedIdx) {
            Optional<T> stored = paxos.log.snapshot();
            if (stored.isPresent()) {
                // The follower lacks entries we compacted: it gets our snapshot instead of them.
                snapshot = stored.get();
            } else if (p.acceptedIdx() < compactedIdx) {
                // Either a delayed promise from before the follower accepted the trimmed entries (a
                // fresh promise will follow), or its storage was lost: only a snapshot could help then.
                paxos.logger.warn("server {}: cannot synchronise server {} from its promise: the promised log"
                        + " ({} entries) ends below the compacted index {}", paxos.pid, follower.pid,
                        p.acceptedIdx(), compactedIdx);
                follower.resetPromise();
                return;
            }
            // Below the compacted index every server holds the same decided entries.
            syncIdx = compactedIdx;
        }
        syncFrom(follower, syncIdx, snapshot, snapshot == null && syncIdx == p.acceptedIdx());
    }

    /**
     * Sends the adopted log from {@code syncIdx} on. If the follower's log ends exactly there
     * ({@code extendsPrefix}: it is a prefix of ours) and more of the adopted log remains than one
     * message carries, a {@link SyncChunk} goes first and the next one follows its acknowledgement;
     * otherwise, or at the last part, the AcceptSync, which always carries the rest of the adopted
     * log (safety: the follower takes our round only with all of it).
     */
    private void syncFrom(FollowerProgress<T> follower, long syncIdx, T snapshot, boolean extendsPrefix) {
        long logLength = paxos.log.logLength();
        Invariants.atMost("sync index", syncIdx, "log length", logLength, follower.pid);
        long limit = Math.min(logLength, Math.max(adoptedIdx, syncIdx + paxos.bufferSize));
        long logEntriesEnd = paxos.log.entriesEnd();
        long entriesLimit = Math.min(limit, logEntriesEnd);
        long adoptedEntriesEnd = Math.min(adoptedIdx, entriesLimit);
        // The adopted log goes whole (safety) unless the follower's log is a prefix of it; entries of
        // this round beyond it only as far as one message's bytes allow: the rest follows as the
        // follower acknowledges.
        List<T> suffix = paxos.budget.read(paxos.log, syncIdx, extendsPrefix ? syncIdx : adoptedEntriesEnd,
                entriesLimit);
        long entriesEnd = syncIdx + suffix.size();
        if (entriesEnd < adoptedEntriesEnd) {
            sendSyncChunk(follower, syncIdx, suffix);
            return;
        }
        follower.syncing = false;
        Promise<T> p = follower.promise;
        boolean withStopSign = limit > logEntriesEnd && syncIdx <= logEntriesEnd && entriesEnd == logEntriesEnd;
        long end = withStopSign ? entriesEnd + 1 : Math.max(syncIdx, entriesEnd);
        follower.lastSequenceNumber = new SequenceNumber(++nextSession, 1);
        follower.accepting = true;
        follower.sentIdx = end;
        follower.acceptedIdx = p.acceptedRound().equals(ballot) ? p.acceptedIdx() : 0;
        follower.acceptedIdxAtLastTimeout = -1;
        paxos.outbox.add(new AcceptSync<>(paxos.pid, follower.pid, paxos.configurationId, ballot,
                follower.lastSequenceNumber, syncIdx, suffix, paxos.log.decidedIdx(), snapshot,
                withStopSign ? paxos.log.stopSign() : null));
        tryDecide();
    }

    /** Sends a part of the adopted log ahead of the AcceptSync; the follower's Accepted asks for the next. */
    private void sendSyncChunk(FollowerProgress<T> follower, long fromIdx, List<T> chunk) {
        if (!follower.syncing) {
            follower.acceptedIdxAtLastTimeout = -1;
        }
        follower.syncing = true;
        follower.accepting = false;
        follower.sentIdx = fromIdx + chunk.size();
        follower.acceptedIdx = fromIdx;
        paxos.outbox.add(new SyncChunk<>(paxos.pid, follower.pid, paxos.configurationId, ballot, fromIdx,
                paxos.log.decidedIdx(), chunk));
    }

    /** Where a follower's log stops being a prefix of ours, judged from its promise. */
    private long syncIndexFor(Promise<T> p) {
        boolean prefixOfThisRound = p.acceptedRound().equals(ballot);
        boolean prefixOfAdoptedLog = p.acceptedRound().equals(adoptedRound) && p.acceptedIdx() <= adoptedIdx;
        return prefixOfThisRound || prefixOfAdoptedLog ? p.acceptedIdx() : p.decidedIdx();
    }

    /** Accept phase: one new entry joins the batch; a full batch is written and replicated. */
    void acceptEntry(T entry) {
        if (paxos.log.stopSign() != null) {
            paxos.dropProposals(1);
            return;
        }
        long size = paxos.budget.sizeOf(entry);
        if (!batch.isEmpty() && batchBytes + size > paxos.budget.maxBytes()) {
            flushBatch();
        }
        batch.add(entry);
        batchBytes += size;
        if (batch.size() >= paxos.batchSize || paxos.budget.isFull(batchBytes)) {
            flushBatch();
        }
    }

    void acceptEntries(List<T> entries) {
        for (T entry : entries) {
            acceptEntry(entry);
        }
    }

    /** Writes the batch to storage, then sends it to every follower that is caught up. */
    void flushBatch() {
        if (batch.isEmpty()) {
            return;
        }
        List<T> entries = batch;
        batch = new ArrayList<>(Math.min(paxos.batchSize, 1024));
        batchBytes = 0;
        long fromIdx = paxos.log.logLength();
        paxos.log.appendEntries(entries);
        for (FollowerProgress<T> follower : followers.values()) {
            if (follower.accepting && follower.sentIdx == fromIdx) {
                sendAcceptDecide(follower, entries);
            }
        }
        tryDecide();
    }

    /**
     * Ends the log with {@code stopSign}: the waiting batch goes first, then the stop-sign takes the
     * next slot and is replicated to every follower that is caught up; no entry follows it.
     */
    void acceptStopSign(StopSign stopSign) {
        flushBatch();
        long slot = paxos.log.logLength();
        paxos.log.appendStopSign(stopSign, paxos.log.decidedIdx());
        paxos.logger.info("server {}: proposing stop-sign at index {}: {}", paxos.pid, slot, stopSign);
        for (FollowerProgress<T> follower : followers.values()) {
            if (follower.accepting && follower.sentIdx == slot) {
                sendAcceptStopSign(follower);
            }
        }
        tryDecide();
    }

    private void sendAcceptStopSign(FollowerProgress<T> follower) {
        follower.lastSequenceNumber = follower.lastSequenceNumber.next();
        follower.sentIdx += 1;
        paxos.outbox.add(new AcceptStopSign<>(paxos.pid, follower.pid, paxos.configurationId, ballot,
                follower.lastSequenceNumber, paxos.log.decidedIdx(), paxos.log.stopSign()));
    }

    private void sendAcceptDecide(FollowerProgress<T> follower, List<T> entries) {
        follower.lastSequenceNumber = follower.lastSequenceNumber.next();
        follower.sentIdx += entries.size();
        paxos.outbox.add(new AcceptDecide<>(paxos.pid, follower.pid, paxos.configurationId, ballot,
                follower.lastSequenceNumber, paxos.log.decidedIdx(), entries));
    }

    /** A follower accepted up to an index: maybe decide, and feed a follower that is catching up. */
    void onAccepted(Accepted<T> accepted) {
        if (paxos.role != Role.LEADER || !accepted.ballot().equals(ballot)) {
            return;
        }
        FollowerProgress<T> follower = followers.get(accepted.from());
        if (follower.syncing) {
            if (accepted.acceptedIdx() >= follower.sentIdx) {
                follower.acceptedIdx = follower.sentIdx;
                syncFrom(follower, follower.sentIdx, null, true);
            }
            return;
        }
        if (!follower.accepting) {
            return;
        }
        follower.acceptedIdx = Math.max(follower.acceptedIdx, Math.min(accepted.acceptedIdx(), follower.sentIdx));
        tryDecide();
        if (follower.sentIdx < paxos.log.logLength() && follower.acceptedIdx >= follower.sentIdx) {
            long entriesEnd = paxos.log.entriesEnd();
            if (follower.sentIdx < entriesEnd) {
                long end = Math.min(entriesEnd, follower.sentIdx + paxos.bufferSize);
                sendAcceptDecide(follower, paxos.budget.read(paxos.log, follower.sentIdx, follower.sentIdx, end));
            } else {
                sendAcceptStopSign(follower);
            }
        }
    }

    /** Raises the decided index to the largest index accepted by a write quorum in this round. */
    private void tryDecide() {
        long[] accepted = new long[followers.size() + 1];
        int count = 0;
        accepted[count++] = paxos.log.logLength();
        for (FollowerProgress<T> follower : followers.values()) {
            accepted[count++] = follower.accepting ? follower.acceptedIdx : 0;
        }
        Arrays.sort(accepted);
        long quorumAccepted = accepted[accepted.length - paxos.writeQuorumSize];
        if (quorumAccepted > paxos.log.decidedIdx()) {
            paxos.log.setDecidedIdx(quorumAccepted);
            announceDecided();
        }
    }

    /** Tells every accepting follower the new decided index, folded into a queued message if possible. */
    private void announceDecided() {
        long decidedIdx = paxos.log.decidedIdx();
        for (FollowerProgress<T> follower : followers.values()) {
            if (!follower.accepting) {
                continue;
            }
            Message<T> last = paxos.outbox.lastTo(follower.pid);
            if (last instanceof AcceptDecide<T> queued && queued.ballot().equals(ballot)) {
                paxos.outbox.replaceLast(new AcceptDecide<>(queued.from(), queued.to(), queued.configurationId(),
                        ballot, queued.sequenceNumber(), decidedIdx, queued.entries()));
            } else if (last instanceof Decide<T> queued && queued.ballot().equals(ballot)) {
                paxos.outbox.replaceLast(new Decide<>(queued.from(), queued.to(), queued.configurationId(),
                        ballot, queued.sequenceNumber(), decidedIdx));
            } else {
                sendDecide(follower);
            }
        }
    }

    private void sendDecide(FollowerProgress<T> follower) {
        follower.lastSequenceNumber = follower.lastSequenceNumber.next();
        paxos.outbox.add(new Decide<>(paxos.pid, follower.pid, paxos.configurationId, ballot,
                follower.lastSequenceNumber, paxos.log.decidedIdx()));
    }

    /**
     * Resend timer: Prepare again to peers that have not promised; a follower that stopped
     * acknowledging what was sent is prepared again (a message was lost); the others get the decided
     * index again, so a lost Decide is repaired and a lost earlier message shows up as a gap.
     */
    void onResendTimeout() {
        for (FollowerProgress<T> follower : followers.values()) {
            if (follower.promise == null) {
                sendPrepare(follower.pid);
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
        long minAcceptedIdx = paxos.log.logLength();
        for (FollowerProgress<T> follower : followers.values()) {
            minAcceptedIdx = Math.min(minAcceptedIdx, follower.accepting ? follower.acceptedIdx : 0);
        }
        minAcceptedIdx = Math.min(minAcceptedIdx, paxos.log.entriesEnd());
        long compactedIdx = paxos.log.compactedIdx();
        long idx = requested.orElse(Math.max(compactedIdx, Math.min(minAcceptedIdx, paxos.compactableIdx())));
        paxos.requireCompactable("trim", requested, idx);
        if (idx > minAcceptedIdx) {
            throw paxos.compactionRefused("trim", CompactionException.Reason.NOT_ALL_ACCEPTED, requested, minAcceptedIdx,
                    "index " + idx + " is beyond " + minAcceptedIdx + ", the smallest index every server accepted");
        }
        if (idx == compactedIdx) {
            return;
        }
        paxos.log.trim(idx);
        for (long peer : paxos.peers) {
            paxos.outbox.add(new Trim<>(paxos.pid, peer, paxos.configurationId, ballot, idx));
        }
    }

    /** A follower lost its session (crash, gap, reconnection) and asks to be prepared again. */
    void onPrepareReq(PrepareReq<T> request) {
        FollowerProgress<T> follower = followers.get(request.from());
        // While a Prepare is outstanding (no promise yet) the resend timer repeats it; answering every
        // request as well would cross Prepares with AcceptSyncs and restart the follower's session.
        if (paxos.role == Role.LEADER && follower != null && follower.promise != null) {
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
        if (paxos.role == Role.LEADER && notAccepted.ballot().isGreaterThan(ballot)) {
            paxos.becomeFollower(notAccepted.ballot());
        }
    }

    private void sendPrepare(long peer) {
        paxos.outbox.add(new Prepare<>(paxos.pid, peer, paxos.configurationId, ballot,
                paxos.log.decidedIdx(), paxos.log.acceptedRound(), paxos.log.logLength()));
    }

    private int promisedCount() {
        int count = 0;
        for (FollowerProgress<T> follower : followers.values()) {
            if (follower.promise != null) {
                count++;
            }
        }
        return count;
    }

    /** Hands out the unreplicated batch (when stepping down). */
    List<T> takeBatch() {
        List<T> entries = batch;
        batch = new ArrayList<>();
        batchBytes = 0;
        return entries;
    }

    String describe() {
        StringBuilder out = new StringBuilder("batch=" + batch.size());
        for (FollowerProgress<T> f : followers.values()) {
            out.append(" [").append(f.pid).append(f.promise == null ? " unpromised" : f.accepting ? " accepting" : " promised")
                    .append(" sent=").append(f.sentIdx).append(" acc=").append(f.acceptedIdx).append(']');
        }
        return out.toString();
    }

    void checkInvariants() {
        Invariants.atMost("batch", batch.size(), "batch_size", paxos.batchSize);
        Invariants.check(paxos.log.promise().equals(ballot), "a leader has promised its own ballot");
        for (FollowerProgress<T> follower : followers.values()) {
            if (follower.accepting) {
                Invariants.atMost("acceptedIdx", follower.acceptedIdx, "sentIdx", follower.sentIdx, follower.pid);
                Invariants.atMost("sentIdx", follower.sentIdx, "log length", paxos.log.logLength(), follower.pid);
            }
        }
    }
}
