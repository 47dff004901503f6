package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * The leader asks a follower to confirm, for linearizable reads, that it has promised no higher
 * ballot than the leader's; the follower answers with a {@link ReadIndexAck} of the same round if so.
 *
 * @param ballot the leader's ballot
 * @param round the number of the leader's read round
 */
public record ReadIndexCheck<T>(long from, long to, int configurationId, Ballot ballot, long round)
        implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public ReadIndexCheck {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("round", round);
    }
}
