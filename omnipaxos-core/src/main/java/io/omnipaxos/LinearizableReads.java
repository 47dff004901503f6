package io.omnipaxos;

import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.ReadIndexAck;
import io.omnipaxos.messages.ReadIndexCheck;
import io.omnipaxos.messages.ReadIndexReply;
import io.omnipaxos.messages.ReadIndexRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Linearizable reads without a log write (the read-index method). A read asked for on the leader,
 * or forwarded to it by a follower, joins the leader's next read round: the leader asks every
 * follower whether it still promised no higher ballot ({@link ReadIndexCheck}), and once a write
 * quorum (the leader itself included) says so ({@link ReadIndexAck}), every read of the round gets
 * the read index: the leader's decided index, at least the end of the log it adopted (which holds
 * every entry chosen before its round). A write quorum meets every read quorum, so no newer leader
 * can have decided anything before those answers; the many reads of one round share it.
 *
 * <p>A follower's reads go to the leader it follows in one {@link ReadIndexRequest} per run of
 * consecutive numbers (extended while it waits in the outbox) and come back in one {@link
 * ReadIndexReply}. Reads fail (no index) when no leader is known, when the leader or the server's
 * leadership changes, or after two resend timeouts without an answer; the application asks again.
 *
 * <p>With a leader lease ({@link LeaderLease}) a follower's confirmation also grants the leader the
 * lease, the leader keeps confirming rounds while it leads (one each half lease, also without
 * reads), and while it holds the lease it answers reads at once, its own and forwarded ones.
 * Plain data driven by {@link SequencePaxos}: no clocks (ticks only), no threads.
 */
final class LinearizableReads<T> {

    /** Reads from one requester (this server or a follower), numbered {@code firstReadId} on. */
    private record Waiting(long requester, long firstReadId, int count) {}

    /** A follower's forwarded read: the leader's ballot it went to, and the timeouts it has waited. */
    private static final class Forwarded {
        final Ballot leader;
        int timeouts;

        Forwarded(Ballot leader) {
            this.leader = leader;
        }
    }

    /** Resend timeouts a forwarded read waits for its answer before it fails. */
    static final int FORWARDED_TIMEOUTS = 2;

    private final ProtocolState<T> state;
    /** The leader's adopted log length (every entry chosen before its round lies below it). */
    private final LongSupplier adoptedIdx;
    private long nextReadId = 1;
    private final List<ReadIndex> ready = new ArrayList<>();

    // The leader's side, for its ballot roundBallot.
    private Ballot roundBallot = Ballot.NONE;
    private final List<Waiting> waiting = new ArrayList<>();
    private final List<Waiting> inRound = new ArrayList<>();
    private long nextRound = 1;
    /** The read round waiting for its quorum, 0 when none. */
    private long roundInFlight;
    /** The tick at which the round in flight was sent (the lease counts from there). */
    private long roundSentAt;
    private final Set<Long> ackedBy = new HashSet<>();
    /** Resend timeouts our own reads have waited without a confirmed round (a leader cut off, or preparing). */
    private int unconfirmedTimeouts;

    // The follower's side: reads sent to a leader, by number.
    private final TreeMap<Long, Forwarded> forwarded = new TreeMap<>();

    LinearizableReads(ProtocolState<T> state, LongSupplier adoptedIdx) {
        this.state = state;
        this.adoptedIdx = adoptedIdx;
    }

    /** A new read: confirmed through the leader (this server or the one it follows), or failed at once. */
    long request() {
        long readId = nextReadId++;
        settleLeadership();
        if (holdsLease()) {
            ready.add(new ReadIndex(readId, readIdx()));
        } else if (state.role == Role.LEADER) {
            waiting.add(new Waiting(state.pid, readId, 1));
            roundBallot = state.leader;
            startRoundIfDue();
        } else if (state.leader.pid() != 0 && state.leader.pid() != state.pid) {
            forward(readId);
        } else {
            ready.add(new ReadIndex(readId, -1));
        }
        return readId;
    }

    /** The reads answered since the last call. */
    List<ReadIndex> takeReady() {
        if (ready.isEmpty()) {
            return List.of();
        }
        List<ReadIndex> out = new ArrayList<>(ready);
        ready.clear();
        return out;
    }

    private void forward(long readId) {
        Ballot leader = state.leader;
        forwarded.put(readId, new Forwarded(leader));
        Message<T> last = state.outbox.lastTo(leader.pid());
        if (last instanceof ReadIndexRequest<T> queued && queued.ballot().equals(leader)
                && queued.firstReadId() + queued.count() == readId && queued.count() < Integer.MAX_VALUE / 2) {
            state.outbox.replaceLast(new ReadIndexRequest<>(state.pid, leader.pid(), state.configurationId, leader,
                    queued.firstReadId(), queued.count() + 1));
        } else {
            state.outbox.add(new ReadIndexRequest<>(state.pid, leader.pid(), state.configurationId, leader, readId, 1));
        }
    }

    /** Leader: a follower's reads join the next round; ignored unless we lead in the ballot it names. */
    void onRequest(ReadIndexRequest<T> request) {
        settleLeadership();
        if (state.role != Role.LEADER || !request.ballot().equals(state.leader)) {
            return; // the follower's reads time out and fail
        }
        if (holdsLease()) {
            state.outbox.add(new ReadIndexReply<>(state.pid, request.from(), state.configurationId, state.leader,
                    request.firstReadId(), request.count(), readIdx()));
            return;
        }
        roundBallot = state.leader;
        waiting.add(new Waiting(request.from(), request.firstReadId(), request.count()));
        startRoundIfDue();
    }

    /** Follower: confirm the leader's check if we promised no higher ballot. */
    void onCheck(ReadIndexCheck<T> check) {
        if (check.ballot().equals(state.log.promise())) {
            state.lease.grant(check.ballot());
            state.outbox.add(new ReadIndexAck<>(state.pid, check.from(), state.configurationId, check.ballot(),
                    check.round()));
        }
    }

    /** Leader: one more confirmation of the round in flight. */
    void onAck(ReadIndexAck<T> ack) {
        settleLeadership();
        if (roundInFlight != 0 && ack.round() == roundInFlight && ack.ballot().equals(roundBallot)
                && state.peers.contains(ack.from()) && ackedBy.add(ack.from())) {
            confirmIfQuorum();
        }
    }

    /** Follower: the leader answered a run of our reads. */
    void onReply(ReadIndexReply<T> reply) {
        for (long id = reply.firstReadId(); id < reply.firstReadId() + reply.count(); id++) {
            Forwarded sent = forwarded.get(id);
            if (sent != null && sent.leader.equals(reply.ballot()) && reply.from() == sent.leader.pid()) {
                forwarded.remove(id);
                ready.add(new ReadIndex(id, reply.readIdx()));
            }
        }
    }

    /** After every input: reads of a leadership or a leader that is gone fail; a due round starts. */
    void afterInput() {
        settleLeadership();
        startRoundIfDue();
    }

    /** Tick: a leader that keeps a lease confirms a round when half of it is gone. */
    void onTick() {
        settleLeadership();
        if (roundInFlight == 0 && state.role == Role.LEADER && state.phase == Phase.ACCEPT
                && state.lease.renewalDue(state.leader)) {
            roundBallot = state.leader;
            startRound();
        }
    }

    /** Whether this server leads in the accept phase and holds the lease: reads need no round. */
    private boolean holdsLease() {
        return state.role == Role.LEADER && state.phase == Phase.ACCEPT && state.lease.holds(state.leader);
    }

    /** The read index: the decided index, at least the end of the log adopted at the election. */
    private long readIdx() {
        return Math.max(state.log.decidedIdx(), adoptedIdx.getAsLong());
    }

    /** Resend timer: repeat the round's checks to followers that did not answer; forwarded reads age. */
    void onResendTimeout() {
        settleLeadership();
        if (waiting.isEmpty() && inRound.isEmpty()) {
            unconfirmedTimeouts = 0;
            if (roundInFlight != 0) {
                sendChecks(); // a lease round without reads
            }
        } else if (++unconfirmedTimeouts >= FORWARDED_TIMEOUTS) {
            state.logger.info("server {}: {} reads not confirmed (role {}, phase {}, ballot {}, round {}, acks {}):"
                    + " failed", state.pid, pending(), state.role, state.phase, roundBallot, roundInFlight, ackedBy);
            giveUpLeaderReads(); // no quorum answers: we may be cut off, or deposed without knowing it
        } else if (roundInFlight != 0) {
            sendChecks();
        }
        failForwarded(sent -> ++sent.timeouts >= FORWARDED_TIMEOUTS);
    }

    /** Number of reads waiting for a round or in one (leader) or for an answer (follower). */
    int pending() {
        int count = forwarded.size();
        for (Waiting w : waiting) {
            count += w.count();
        }
        for (Waiting w : inRound) {
            count += w.count();
        }
        return count;
    }

    private void settleLeadership() {
        if ((!waiting.isEmpty() || !inRound.isEmpty() || roundInFlight != 0)
                && !(state.role == Role.LEADER && state.leader.equals(roundBallot))) {
            giveUpLeaderReads();
        }
        if (!forwarded.isEmpty()) {
            failForwarded(sent -> state.role == Role.LEADER || !sent.leader.equals(state.leader));
        }
    }

    /** Forwarded reads for which {@code failed} holds are answered without an index. */
    private void failForwarded(Predicate<Forwarded> failed) {
        Iterator<Map.Entry<Long, Forwarded>> it = forwarded.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Forwarded> entry = it.next();
            if (failed.test(entry.getValue())) {
                ready.add(new ReadIndex(entry.getKey(), -1));
                it.remove();
            }
        }
    }

    private void giveUpLeaderReads() {
        failOwn(waiting);
        failOwn(inRound);
        waiting.clear();
        inRound.clear();
        roundInFlight = 0;
        ackedBy.clear();
        unconfirmedTimeouts = 0;
    }

    private void failOwn(List<Waiting> reads) {
        for (Waiting w : reads) {
            if (w.requester() == state.pid) {
                ready.add(new ReadIndex(w.firstReadId(), -1));
            }
        }
    }

    private void startRoundIfDue() {
        if (roundInFlight != 0 || waiting.isEmpty() || state.role != Role.LEADER || state.phase != Phase.ACCEPT
                || !state.leader.equals(roundBallot)) {
            return;
        }
        inRound.addAll(waiting);
        waiting.clear();
        startRound();
    }

    private void startRound() {
        roundInFlight = nextRound++;
        roundSentAt = state.lease.now();
        ackedBy.clear();
        sendChecks();
        confirmIfQuorum();
    }

    private void sendChecks() {
        for (long peer : state.peers) {
            if (!ackedBy.contains(peer)) {
                state.outbox.add(new ReadIndexCheck<>(state.pid, peer, state.configurationId, roundBallot,
                        roundInFlight));
            }
        }
    }

    /** With a write quorum (ourselves counted while our promise of the round is durable), answer the round. */
    private void confirmIfQuorum() {
        int self = state.log.durablePromise().equals(roundBallot) ? 1 : 0;
        if (ackedBy.size() + self < state.writeQuorumSize) {
            return;
        }
        long readIdx = readIdx();
        state.lease.confirmed(roundBallot, roundSentAt);
        for (Waiting w : inRound) {
            if (w.requester() == state.pid) {
                ready.add(new ReadIndex(w.firstReadId(), readIdx));
            } else {
                state.outbox.add(new ReadIndexReply<>(state.pid, w.requester(), state.configurationId, roundBallot,
                        w.firstReadId(), w.count(), readIdx));
            }
        }
        inRound.clear();
        roundInFlight = 0;
        ackedBy.clear();
        unconfirmedTimeouts = 0;
        startRoundIfDue();
    }
}
