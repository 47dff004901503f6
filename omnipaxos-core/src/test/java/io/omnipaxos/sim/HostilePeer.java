package io.omnipaxos.sim;

import io.omnipaxos.Ballot;
import io.omnipaxos.ClusterConfig;
import io.omnipaxos.LeaderInfo;
import io.omnipaxos.StopSign;
import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.AcceptStopSign;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Accepted;
import io.omnipaxos.messages.Decide;
import io.omnipaxos.messages.HeartbeatReply;
import io.omnipaxos.messages.HeartbeatRequest;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.NotAccepted;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.messages.PrepareReq;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.ProposalForward;
import io.omnipaxos.messages.SequenceNumber;
import io.omnipaxos.messages.ReadIndexCheck;
import io.omnipaxos.messages.ReadIndexReply;
import io.omnipaxos.messages.SnapshotPart;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.messages.StopSignForward;
import io.omnipaxos.messages.TakeSnapshot;
import io.omnipaxos.messages.Trim;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A member of the configuration that does not run the protocol: it sends random well-formed
 * messages (random ballots, indices, rounds, sequence numbers, compaction requests, stop-signs) to
 * the honest servers.
 *
 * <p>Paxos tolerates servers that crash, not servers that lie: a member that promises or accepts
 * with the exact ballot of the current round and then misreports its log can make two servers
 * decide differently, and only authenticating peers (TLS) keeps such a member out. So this peer
 * sends everything else: every message that claims a round carries a ballot the protocol lets no
 * server use here (a round far above any known one, up to {@link Ballot#MAX_N}; a pid outside the
 * configuration; a leader's or candidate's ballot naming another server), or, for a promise, the
 * current leader's ballot with an inconsistent log; compaction requests, which a server that never
 * leads may not send; a stop-sign to the configuration itself; and what any member may send
 * (proposals, heartbeats, requests to be prepared). The honest servers must refuse what they must,
 * never halt, and stay safe; once it stops, they must make progress again.
 */
final class HostilePeer {

    private static final long OUTSIDER = 99;
    /** Further above the highest leader's round than honest candidacies ever get in a run. */
    private static final long FAR_ABOVE = 1_000_000;

    private final SimulatedCluster cluster;
    private final Random random;
    private final long pid;
    private final List<Long> honest = new ArrayList<>();
    private long proposals;

    HostilePeer(SimulatedCluster cluster, long pid) {
        this.cluster = cluster;
        this.random = cluster.random();
        this.pid = pid;
        cluster.pids().stream().filter(p -> p != pid).forEach(honest::add);
    }

    /** Sends one random message to a random honest server. */
    void sendOne() {
        long to = honest.get(random.nextInt(honest.size()));
        cluster.inject(randomMessage(to));
    }

    private Message<String> randomMessage(long to) {
        switch (random.nextInt(17)) {
            case 0: return new Prepare<>(pid, to, 1, refusedBallot(true), index(), anyBallot(), index());
            case 1: return new Promise<>(pid, to, 1, refusedBallot(false), anyBallot(), index(), index(), index(),
                    entries(), null, null);
            case 2: return inconsistentPromise(to);
            case 3: return new AcceptSync<>(pid, to, 1, refusedBallot(true), sequenceNumber(), index(), entries(),
                    index(), null, random.nextInt(3), null);
            case 4: return new AcceptDecide<>(pid, to, 1, refusedBallot(true), sequenceNumber(), index(), entries());
            case 5: return new Accepted<>(pid, to, 1, refusedBallot(false), index());
            case 6: return new Decide<>(pid, to, 1, refusedBallot(true), sequenceNumber(), index());
            case 7: return new NotAccepted<>(pid, to, 1, refusedBallot(false));
            case 8: return new AcceptStopSign<>(pid, to, 1, refusedBallot(true), sequenceNumber(), index(),
                    new StopSign(new ClusterConfig(2, List.copyOf(cluster.pids()))));
            case 9: return random.nextBoolean() ? new Trim<>(pid, to, 1, refusedBallot(true), index())
                    : new TakeSnapshot<>(pid, to, 1, refusedBallot(true), index());
            case 10: return new StopSignForward<>(pid, to, 1, new StopSign(new ClusterConfig(1, List.copyOf(cluster.pids()))));
            case 11: return new HeartbeatReply<>(pid, to, 1, index(), random.nextBoolean() ? refusedBallot(true)
                    : new Ballot(1 + random.nextInt(3), random.nextInt(3), pid), random.nextBoolean());
            case 12: return new HeartbeatRequest<>(pid, to, 1, index());
            case 13: return new PrepareReq<>(pid, to, 1);
            case 15: return random.nextBoolean()
                    ? new ReadIndexCheck<>(pid, to, 1, refusedBallot(true), index())
                    : new ReadIndexReply<>(pid, to, 1, refusedBallot(true), index(), 1 + random.nextInt(5), index());
            case 14: return random.nextBoolean()
                    ? new SnapshotPart<>(pid, to, 1, refusedBallot(true), index(), random.nextInt(3), new byte[8])
                    : new SnapshotPartAck<>(pid, to, 1, refusedBallot(false), index(), random.nextInt(3));
            default: return proposal(to);
        }
    }

    /**
     * A ballot no honest server may accept from this peer: far above every known round, naming a
     * server outside the configuration, or (for a leader's or candidate's ballot) another member.
     */
    private Ballot refusedBallot(boolean mustBeSenders) {
        int kind = random.nextInt(mustBeSenders ? 4 : 3);
        int priority = random.nextInt(3);
        return switch (kind) {
            case 0 -> new Ballot(Ballot.MAX_N, priority, pid);
            case 1 -> new Ballot(Math.min(Ballot.MAX_N, highestKnownRound() + Ballot.MAX_N_STEP + FAR_ABOVE
                    + random.nextInt(1000)), priority, pid);
            case 2 -> new Ballot(random.nextInt(5), priority, OUTSIDER);
            default -> new Ballot(random.nextInt(5), priority, honest.get(random.nextInt(honest.size())));
        };
    }

    /**
     * The current leader's ballot with a log whose parts do not add up: a suffix that ends before the
     * accepted index yet carries no entry (a part of a long log carries at least one), or ends in a
     * stop-sign (a part never does).
     */
    private Message<String> inconsistentPromise(long to) {
        Ballot leader = cluster.isAlive(to) ? cluster.server(to).getCurrentLeaderInfo().map(LeaderInfo::ballot)
                .orElse(new Ballot(1, 0, to)) : new Ballot(1, 0, to);
        long suffixIdx = random.nextInt(10);
        boolean withStopSign = random.nextBoolean();
        List<String> suffix = withStopSign ? entries() : List.of();
        StopSign stopSign = withStopSign ? new StopSign(new ClusterConfig(2, List.copyOf(cluster.pids()))) : null;
        long acceptedIdx = suffixIdx + suffix.size() + 2 + random.nextInt(5);
        return new Promise<>(pid, to, 1, leader, anyBallot(), index(), acceptedIdx, suffixIdx, suffix, null, stopSign);
    }

    /** A proposal, which any member may forward: its values count as appended. */
    private Message<String> proposal(long to) {
        List<String> values = new ArrayList<>();
        for (int i = random.nextInt(3); i >= 0; i--) {
            String value = "hostile-" + pid + "-" + (++proposals);
            cluster.markAppended(value);
            values.add(value);
        }
        return new ProposalForward<>(pid, to, 1, Ballot.NONE, 0, 1, values);
    }

    private Ballot anyBallot() {
        return random.nextBoolean() ? Ballot.NONE : refusedBallot(false);
    }

    private long highestKnownRound() {
        long highest = 0;
        for (long p : honest) {
            if (cluster.isAlive(p)) {
                highest = Math.max(highest, cluster.server(p).getCurrentLeaderInfo().map(l -> l.ballot().n()).orElse(0L));
            }
        }
        return highest;
    }

    private long index() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> Message.MAX_INDEX;
            case 2 -> random.nextInt(50);
            default -> random.nextLong() & (Message.MAX_INDEX - 1);
        };
    }

    private SequenceNumber sequenceNumber() {
        long max = SequenceNumber.MAX_PART;
        return new SequenceNumber(1 + random.nextInt(3), random.nextBoolean() ? max : 1 + random.nextInt(20));
    }

    private List<String> entries() {
        List<String> out = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            out.add("forged-" + random.nextInt(1000));
        }
        return out;
    }
}
