package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * The leader tells a follower that the log is decided up to {@code decidedIdx}.
 *
 * @param ballot the leader's ballot
 * @param sequenceNumber the next number of the current session
 * @param decidedIdx the leader's decided index
 * @param established whether a write quorum has taken the leader's round (acknowledged its
 *     AcceptSync): from then on no log of an earlier round can be adopted again, so an entry that
 *     only such logs held is lost for good (see how forwarded entries are settled)
 */
public record Decide<T>(long from, long to, int configurationId, Ballot ballot, SequenceNumber sequenceNumber,
        long decidedIdx, boolean established) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public Decide {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        java.util.Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Fields.index("decidedIdx", decidedIdx);
    }

    /** A Decide of a round not known to be established. */
    public Decide(long from, long to, int configurationId, Ballot ballot, SequenceNumber sequenceNumber,
            long decidedIdx) {
        this(from, to, configurationId, ballot, sequenceNumber, decidedIdx, false);
    }
}
