package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * Ballot Leader Election: a peer's ballot, and whether the peer is quorum-connected, for a round.
 *
 * @param round the round of the request this answers
 * @param ballot the replier's own ballot
 * @param quorumConnected whether the replier heard from a quorum in its last heartbeat round
 */
public record HeartbeatReply<T>(long from, long to, int configurationId, long round, Ballot ballot, boolean quorumConnected) implements BallotLeaderMessage<T> {

    /** Validates the fields. */
    public HeartbeatReply {
        Fields.route(from, to, configurationId);
        Fields.index("round", round);
        Fields.ballot("ballot", ballot);
    }
}
