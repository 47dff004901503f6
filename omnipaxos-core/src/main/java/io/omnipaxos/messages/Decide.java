package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * The leader tells a follower that the log is decided up to {@code decidedIdx}.
 *
 * @param ballot the leader's ballot
 * @param sequenceNumber the next number of the current session
 * @param decidedIdx the leader's decided index
 */
public record Decide<T>(long from, long to, int configurationId, Ballot ballot, SequenceNumber sequenceNumber, long decidedIdx) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public Decide {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        java.util.Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Fields.index("decidedIdx", decidedIdx);
    }
}
