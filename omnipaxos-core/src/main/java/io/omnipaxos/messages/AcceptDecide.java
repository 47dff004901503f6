package io.omnipaxos.messages;

import io.omnipaxos.Ballot;
import java.util.List;

/**
 * The leader replicates a batch of new entries and piggybacks its decided index.
 *
 * @param ballot the leader's ballot
 * @param sequenceNumber the next number of the current session
 * @param decidedIdx the leader's decided index
 * @param entries the entries to append to the follower's log
 */
public record AcceptDecide<T>(long from, long to, int configurationId, Ballot ballot, SequenceNumber sequenceNumber, long decidedIdx, List<T> entries) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public AcceptDecide {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        java.util.Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Fields.index("decidedIdx", decidedIdx);
        Fields.entries("entries", entries);
    }
}
