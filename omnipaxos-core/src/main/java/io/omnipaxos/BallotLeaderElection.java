package io.omnipaxos;

import io.omnipaxos.messages.HeartbeatReply;
import io.omnipaxos.messages.HeartbeatRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ballot Leader Election (OmniPaxos paper, section 4): every election timeout a server starts a
 * heartbeat round; each peer answers with its own ballot and whether it is quorum-connected (it
 * heard from a quorum in its last round). The leader is the highest ballot among the
 * quorum-connected servers heard. A server whose leader answered as not quorum-connected, or was
 * not heard in a round (a reply one round late still counts), follows
 * a higher quorum-connected ballot if it heard one; otherwise, if it is quorum-connected itself, it
 * raises its own ballot above the leader's and takes over, so that leadership moves to a server
 * that can actually reach a quorum (a server still catching up waits a few rounds first, leaving
 * the takeover to one that holds the log). A leader that is heard and quorum-connected is kept even if a
 * higher candidacy shows up. A round ends before its timeout when the application reported that
 * its link to the leader closed and a quorum answered without the leader. Servers never gossip who the leader is, which
 * is what lets the cluster make progress under partial connectivity (quorum-loss, constrained and
 * chained scenarios).
 */
final class BallotLeaderElection<T> {

    private final long pid;
    private final int configurationId;
    private final List<Long> peers;
    private final int quorumSize;
    /** This server's candidacy; only ever increases. */
    private Ballot currentBallot;
    /** The elected leader's ballot as this server sees it; {@link Ballot#NONE} while there is none. */
    private Ballot leader = Ballot.NONE;
    /** Whether this server heard from a quorum in its last round; optimistic at start. */
    private boolean quorumConnected = true;
    private long round;
    /** Consecutive rounds in which the leader was not heard as connected. */
    private int missedLeaderRounds;
    /**
     * Consecutive rounds in which the leader's server answered with a ballot below the leader's: once,
     * a reply sent just before it took over; twice in a row, a server that forgot the ballot in a crash
     * (an asynchronous storage had not made its promise durable), which no longer leads it.
     */
    private int olderBallotRounds;
    /** The leader's ballot that {@link #olderBallotRounds} counts for. */
    private Ballot olderBallotOf = Ballot.NONE;
    /**
     * Rounds a leader may go unheard before this server follows another or takes over: one, so a
     * crashed leader is replaced within two rounds (the paper's bound). A leader that is merely busy
     * keeps its office by answering heartbeats off its storage path (an asynchronous storage, see
     * {@code Storage.isAsynchronous}); a reply one round late still counts.
     */
    static final int MISSED_ROUNDS_BEFORE_CHANGE = 1;
    /**
     * Rounds a server that is catching up (recovering after a restart, or its log behind the decided
     * index it knows) waits with a takeover, so that a server that holds the log takes over first: a
     * leader behind its followers must first be sent their suffixes, part by part. After this many it takes over
     * all the same, so a cluster that restarts as a whole still elects one (this many rounds later).
     */
    static final int BEHIND_ROUNDS_BEFORE_TAKEOVER = 10;
    /** Consecutive rounds in which this server would have taken over but was behind. */
    private int behindRounds;
    /**
     * The leader's server if its link went down in this round ({@link #onDisconnected}), else 0: the
     * round then ends as soon as a quorum without it answered ({@link #mayEndRoundEarly}).
     */
    private long leaderLinkDown;
    /** Replies of the current round by pid. */
    private final Map<Long, HeartbeatReply<T>> replies = new HashMap<>();

    BallotLeaderElection(long pid, int configurationId, List<Long> peers, int quorumSize, int priority) {
        this.pid = pid;
        this.configurationId = configurationId;
        this.peers = peers;
        this.quorumSize = quorumSize;
        this.currentBallot = new Ballot(1, priority, pid);
    }

    /** The highest round of this server's candidacy and of the leader it knows. */
    long highestRound() {
        return Math.max(currentBallot.n(), leader.n());
    }

    String describe() {
        return "ballot " + currentBallot + " leader " + leader + (quorumConnected ? " qc" : " not-qc");
    }

    /** Sends the heartbeat requests of a new round. */
    void startRound(Outbox<T> outbox) {
        round++;
        replies.clear();
        leaderLinkDown = 0;
        for (long peer : peers) {
            outbox.add(new HeartbeatRequest<>(pid, peer, configurationId, round));
        }
    }

    /**
     * Answers a peer's heartbeat request with this server's ballot and connectivity: connected if
     * the last round was, or if this round already heard from a quorum (so a server whose links just
     * came up does not look cut off for a whole round).
     */
    void onHeartbeatRequest(HeartbeatRequest<T> request, Outbox<T> outbox) {
        boolean connectedNow = quorumConnected || replies.size() + 1 >= quorumSize;
        outbox.add(new HeartbeatReply<>(pid, request.from(), configurationId, request.round(),
                currentBallot, connectedNow));
    }

    /**
     * Records a reply of the current round, or of the previous one if it comes late: a server busy
     * with slow storage writes may answer after the round ended, and is alive all the same.
     */
    void onHeartbeatReply(HeartbeatReply<T> reply) {
        Invariants.check(peers.contains(reply.from()), "heartbeat replies come from peers", reply.from());
        if (reply.round() == round || reply.round() == round - 1) {
            replies.merge(reply.from(), reply, (older, newer) -> newer.round() >= older.round() ? newer : older);
            if (reply.from() == leaderLinkDown) {
                leaderLinkDown = 0; // it answers: it is alive after all, and the round runs its course
            }
        }
    }

    /**
     * The application reports that its link to {@code peer} went down. If {@code peer} is the leader
     * this server follows (elected here, or the ballot it promised), the leader's reply of this round
     * no longer counts, and the round may end early ({@link #mayEndRoundEarly}). Anything else is
     * ignored: the heartbeat rounds notice silent peers on their own.
     */
    void onDisconnected(long peer, Ballot promise) {
        Ballot followed = Ballot.max(leader, promise);
        if (peer != pid && !followed.equals(Ballot.NONE) && followed.pid() == peer) {
            leaderLinkDown = peer;
            replies.remove(peer);
        }
    }

    /**
     * Whether this round may end before its timeout: the link to the leader went down in it and a
     * quorum (counting this server) answered without the leader, so that the round's outcome is
     * already known.
     */
    boolean mayEndRoundEarly() {
        return leaderLinkDown != 0 && replies.size() + 1 >= quorumSize;
    }

    /**
     * Ends the current round: decides the leader from the replies, then starts the next round.
     *
     * @param promise the ballot Sequence Paxos has promised; a leader that this server follows in
     *     Sequence Paxos but never saw elected here still counts as its leader
     * @param behind whether this server's log ends before the decided index its leader announced
     * @return the new leader's ballot if the leader changed
     */
    Optional<Ballot> onElectionTimeout(Ballot promise, boolean behind, Outbox<T> outbox) {
        quorumConnected = replies.size() + 1 >= quorumSize;
        leader = Ballot.max(leader, promise);
        countOlderBallotRounds();
        Ballot top = highestQuorumConnectedBallot();
        missedLeaderRounds = isLeaderConnected() ? 0 : missedLeaderRounds + 1;
        boolean leaderLost = leader.equals(Ballot.NONE) || hasLeaderAnsweredAsLost()
                || missedLeaderRounds >= MISSED_ROUNDS_BEFORE_CHANGE;
        Optional<Ballot> elected = Optional.empty();
        if (top != null && top.isGreaterThan(leader) && leaderLost) {
            leader = top;
            elected = Optional.of(top);
        } else if (leaderLost && quorumConnected && mayTakeOver(behind) && takeOver()) {
            elected = Optional.of(leader);
        }
        if (elected.isPresent()) {
            missedLeaderRounds = 0;
            olderBallotRounds = 0;
            olderBallotOf = Ballot.NONE;
        }
        startRound(outbox);
        return elected;
    }

    /** Whether a takeover may happen now: at once, or after {@link #BEHIND_ROUNDS_BEFORE_TAKEOVER} while behind. */
    private boolean mayTakeOver(boolean behind) {
        behindRounds = behind ? behindRounds + 1 : 0;
        return !behind || behindRounds > BEHIND_ROUNDS_BEFORE_TAKEOVER;
    }

    /**
     * A manual takeover: a ballot above the leader's and anything promised, led at once. The other
     * servers follow when its Prepare reaches them; their election follows their promise.
     */
    Ballot forceTakeOver(Ballot promise) {
        leader = Ballot.max(leader, promise);
        takeOver();
        return leader;
    }

    /**
     * After a crash: no leader is known. A server that had promised another's ballot keeps its
     * candidacy: raising it above the promise would outrank the working leader at the first round
     * and take over, however far behind the restarted server's log is (and a leader behind its
     * followers must first be sent their suffixes). It follows the highest quorum-connected
     * candidacy it hears, and if it must take over, {@link #takeOver} raises its ballot above the
     * leader's and its promise. A server that had promised its own ballot (it led, or was about to)
     * raises its candidacy above it, so that it is elected anew and prepares again rather than stay
     * the leader of a round it no longer runs (if the promise is already at {@link Ballot#MAX_N} it
     * can never lead again in this configuration, and keeps following).
     */
    void recover(Ballot promise) {
        leader = Ballot.NONE;
        boolean ledBefore = promise.pid() == pid;
        if (ledBefore && !currentBallot.isGreaterThan(promise) && promise.canBeExceeded()) {
            currentBallot = new Ballot(promise.n() + 1, currentBallot.priority(), pid);
        }
    }

    /**
     * The leader was not heard as quorum-connected and we are: raise our ballot above it and lead
     * with it at once (as the Rust library does) rather than wait a round. If another server took
     * over in the same round, Sequence Paxos lets the higher ballot win. Returns false, changing
     * nothing, if no higher round exists.
     */
    private boolean takeOver() {
        long highestN = Math.max(leader.n(), currentBallot.n());
        if (highestN >= Ballot.MAX_N) {
            return false; // no higher round exists (only forged ballots get here; see Ballot.MAX_N_STEP)
        }
        currentBallot = new Ballot(highestN + 1, currentBallot.priority(), pid);
        leader = currentBallot;
        return true;
    }

    /**
     * Whether the leader's server answered this round, is quorum-connected, and still stands for the
     * leader's ballot. Its reply may carry an older ballot (sent just before that server took over),
     * which still counts for one round, not two in a row (then it forgot the ballot in a crash); a
     * newer one means the server has moved on (it restarted or took over again) and no longer leads
     * this ballot. A working leader is not preempted by a higher candidacy of another server (say,
     * one that tried to take over while it was cut off): that would only cost a needless election.
     */
    private boolean isLeaderConnected() {
        if (leader.equals(Ballot.NONE)) {
            return false;
        }
        if (leader.pid() == pid) {
            return quorumConnected && leader.equals(currentBallot);
        }
        HeartbeatReply<T> reply = replies.get(leader.pid());
        return reply != null && reply.quorumConnected() && !reply.ballot().isGreaterThan(leader)
                && olderBallotRounds < 2;
    }

    /** Counts the rounds in a row in which the server of the same leader's ballot answered with an older one. */
    private void countOlderBallotRounds() {
        if (hasLeaderAnsweredWithOlderBallot()) {
            olderBallotRounds = leader.equals(olderBallotOf) ? olderBallotRounds + 1 : 1;
            olderBallotOf = leader;
        } else {
            olderBallotRounds = 0;
            olderBallotOf = Ballot.NONE;
        }
    }

    private boolean hasLeaderAnsweredWithOlderBallot() {
        if (leader.equals(Ballot.NONE) || leader.pid() == pid) {
            return false;
        }
        HeartbeatReply<T> reply = replies.get(leader.pid());
        return reply != null && reply.ballot().isLessThan(leader);
    }

    /**
     * Whether the leader's server answered this round but is not quorum-connected or stands for a
     * newer ballot: unlike silence, which may only be a late reply, that is certain, so this server
     * acts at once.
     */
    private boolean hasLeaderAnsweredAsLost() {
        if (leader.pid() == pid) {
            return !quorumConnected || !leader.equals(currentBallot);
        }
        HeartbeatReply<T> reply = replies.get(leader.pid());
        return reply != null && (!reply.quorumConnected() || reply.ballot().isGreaterThan(leader));
    }

    /**
     * Checked after every input: the candidacy is this server's and within the ballot bounds, at
     * most one reply per peer is held (each checked to come from a peer and to be of this round or
     * the one before as it arrives), and the counters stay in range.
     */
    void checkInvariants() {
        Invariants.check(currentBallot.pid() == pid, "the candidacy is this server's own", currentBallot.pid());
        Invariants.atMost("candidacy round", currentBallot.n(), "Ballot.MAX_N", Ballot.MAX_N);
        Invariants.atMost("leader round", leader.n(), "Ballot.MAX_N", Ballot.MAX_N);
        Invariants.atMost("heartbeat replies", replies.size(), "peers", peers.size());
        Invariants.check(missedLeaderRounds >= 0 && behindRounds >= 0 && olderBallotRounds >= 0,
                "round counters are not negative");
    }

    private Ballot highestQuorumConnectedBallot() {
        Ballot top = quorumConnected ? currentBallot : null;
        for (HeartbeatReply<T> reply : replies.values()) {
            if (reply.quorumConnected() && (top == null || reply.ballot().isGreaterThan(top))) {
                top = reply.ballot();
            }
        }
        return top;
    }
}
