package io.omnipaxos.messages;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import java.util.Objects;

/**
 * The leader replicates the stop-sign that ends the log, in the accept session like a batch of
 * entries; it occupies the slot after the follower's last entry.
 *
 * @param ballot the leader's ballot
 * @param sequenceNumber the next number of the current session
 * @param decidedIdx the leader's decided index
 * @param stopSign the stop-sign
 */
public record AcceptStopSign<T>(long from, long to, int configurationId, Ballot ballot, SequenceNumber sequenceNumber,
        long decidedIdx, StopSign stopSign) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public AcceptStopSign {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Fields.index("decidedIdx", decidedIdx);
        Objects.requireNonNull(stopSign, "stopSign");
    }
}
