package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * A follower confirms a {@link ReadIndexCheck}: when it answered, it had promised no ballot higher
 * than the leader's.
 *
 * @param ballot the leader's ballot, as in the check
 * @param round the read round of the check
 */
public record ReadIndexAck<T>(long from, long to, int configurationId, Ballot ballot, long round)
        implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public ReadIndexAck {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("round", round);
    }
}
