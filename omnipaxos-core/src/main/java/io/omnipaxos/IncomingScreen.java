package io.omnipaxos;

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
import io.omnipaxos.messages.ProposalAck;
import io.omnipaxos.messages.ProposalForward;
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
import java.util.Set;

/**
 * Checks a message from a peer against what the protocol lets its sender say, before any handler
 * sees it. Its fields are already in range (the message records and the codec check that); this
 * checks what depends on the configuration and on what this server knows:
 *
 * <ul>
 *   <li>every ballot names a member of the configuration, and a leader's ballot (in Prepare, the
 *       accept-phase messages and compaction requests) and a candidacy (in a heartbeat reply) name
 *       the sender;</li>
 *   <li>no ballot's round lies more than {@link Ballot#MAX_N_STEP} above the highest round this
 *       server knows, so one forged message cannot push every round to {@link Ballot#MAX_N};</li>
 *   <li>a promise's log is consistent: its suffix, and stop-sign if any, end at its accepted index,
 *       and its decided index is within its log;</li>
 *   <li>a forwarded stop-sign names a configuration other than this one.</li>
 * </ul>
 *
 * Whether a message fits the current round (a Trim only of the round this server promised, say) is
 * the handlers' business. Deterministic and stateless beyond the configuration.
 */
final class IncomingScreen {

    private final int configurationId;
    private final Set<Long> members;

    IncomingScreen(ClusterConfig cluster) {
        this.configurationId = cluster.configurationId();
        this.members = Set.copyOf(cluster.nodes());
    }

    /**
     * Why {@code message} must be refused, or null if it may be handled.
     *
     * @param highestKnownN the highest ballot round this server has promised, accepted, led or seen
     *     elected
     */
    String refusal(Message<?> message, long highestKnownN) {
        String why = checkBallots(message, highestKnownN);
        if (why != null) {
            return why;
        }
        if (message instanceof Promise<?> promise) {
            return checkPromise(promise);
        }
        if (message instanceof StopSignForward<?> forward
                && forward.stopSign().nextConfig().configurationId() == configurationId) {
            return "it forwards a stop-sign to this configuration (" + configurationId + ") itself";
        }
        return null;
    }

    /** Checks the message's ballot and, in a Prepare or Promise, its accepted round. */
    private String checkBallots(Message<?> message, long highestKnownN) {
        Ballot own = ownBallotOf(message);
        Ballot ballot = own != null ? own : ballotOf(message);
        String why = ballot == null ? null : checkBallot(ballot, highestKnownN);
        if (why == null && own != null && own.pid() != message.from()) {
            why = "its ballot " + own + " is not the sender's (pid " + message.from() + ")";
        }
        Ballot acceptedRound = acceptedRoundOf(message);
        if (why == null && acceptedRound != null) {
            why = checkBallot(acceptedRound, highestKnownN);
        }
        return why;
    }

    private String checkBallot(Ballot ballot, long highestKnownN) {
        if (ballot.equals(Ballot.NONE)) {
            return null;
        }
        if (!members.contains(ballot.pid())) {
            return "ballot " + ballot + " names pid " + ballot.pid() + ", not a member of configuration "
                    + configurationId;
        }
        if (ballot.n() - highestKnownN > Ballot.MAX_N_STEP) {
            return "ballot " + ballot + " is more than " + Ballot.MAX_N_STEP + " rounds above the highest known ("
                    + highestKnownN + ")";
        }
        return null;
    }

    /**
     * A promise's suffix (and stop-sign) ends at its accepted index, which bounds its decided index;
     * or, when the suffix is longer than one message, it carries entries and ends before it.
     */
    private static String checkPromise(Promise<?> promise) {
        long end = promise.suffixIdx() + promise.suffix().size() + (promise.stopSign() == null ? 0 : 1);
        boolean part = end < promise.acceptedIdx() && !promise.suffix().isEmpty() && promise.stopSign() == null;
        if (end != promise.acceptedIdx() && !part) {
            return "its suffix from " + promise.suffixIdx() + " ends at " + end + ", not at its accepted index "
                    + promise.acceptedIdx();
        }
        if (promise.decidedIdx() > promise.acceptedIdx()) {
            return "its decided index " + promise.decidedIdx() + " exceeds its accepted index " + promise.acceptedIdx();
        }
        return null;
    }

    /** The ballot that must be the sender's own: a leader's round, or a candidacy. */
    private static Ballot ownBallotOf(Message<?> message) {
        if (message instanceof Prepare<?> m) {
            return m.ballot();
        } else if (message instanceof AcceptSync<?> m) {
            return m.ballot();
        } else if (message instanceof AcceptDecide<?> m) {
            return m.ballot();
        } else if (message instanceof Decide<?> m) {
            return m.ballot();
        } else if (message instanceof AcceptStopSign<?> m) {
            return m.ballot();
        } else if (message instanceof HeartbeatReply<?> m) {
            return m.ballot();
        } else if (message instanceof Trim<?> m) {
            return m.ballot();
        } else if (message instanceof TakeSnapshot<?> m) {
            return m.ballot();
        } else if (message instanceof ProposalAck<?> m) {
            return m.ballot();
        } else if (message instanceof SyncChunk<?> m) {
            return m.ballot();
        } else if (message instanceof SnapshotPart<?> m) {
            return m.ballot();
        } else if (message instanceof ReadIndexCheck<?> m) {
            return m.ballot();
        } else if (message instanceof ReadIndexReply<?> m) {
            return m.ballot();
        }
        return null;
    }

    /**
     * The ballot of a message that carries one but not as its sender's own (a promise, an
     * acknowledgement, a refusal), or null for the types that carry none; exhaustive over the types
     * that have no own ballot.
     */
    private static Ballot ballotOf(Message<?> message) {
        if (message instanceof Promise<?> m) {
            return m.ballot();
        } else if (message instanceof Accepted<?> m) {
            return m.ballot();
        } else if (message instanceof NotAccepted<?> m) {
            return m.ballot();
        } else if (message instanceof ProposalForward<?> m) {
            return m.ballot();
        } else if (message instanceof SnapshotPartAck<?> m) {
            return m.ballot();
        } else if (message instanceof ReadIndexAck<?> m) {
            return m.ballot();
        } else if (message instanceof ReadIndexRequest<?> m) {
            return m.ballot();
        } else if (message instanceof PrepareReq<?> || message instanceof StopSignForward<?>
                || message instanceof HeartbeatRequest<?>) {
            return null;
        }
        throw new IllegalArgumentException("unknown message type " + message.getClass().getName());
    }

    /** The accepted round a Prepare or Promise reports, else null. */
    private static Ballot acceptedRoundOf(Message<?> message) {
        if (message instanceof Prepare<?> m) {
            return m.acceptedRound();
        } else if (message instanceof Promise<?> m) {
            return m.acceptedRound();
        }
        return null;
    }
}
