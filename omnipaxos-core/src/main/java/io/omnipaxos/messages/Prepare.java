package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * The leader of {@code ballot} asks a follower to promise it and to report its log state.
 *
 * @param ballot the leader's ballot
 * @param decidedIdx the leader's decided index
 * @param acceptedRound the round in which the leader last accepted entries
 * @param acceptedIdx the length of the leader's log
 */
public record Prepare<T>(long from, long to, int configurationId, Ballot ballot, long decidedIdx, Ballot acceptedRound, long acceptedIdx) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public Prepare {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.ballot("acceptedRound", acceptedRound);
        Fields.index("decidedIdx", decidedIdx);
        Fields.index("acceptedIdx", acceptedIdx);
    }
}
