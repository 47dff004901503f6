package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * A follower reports that it has durably accepted its log up to {@code acceptedIdx} in {@code ballot}.
 *
 * @param ballot the ballot in which the entries were accepted
 * @param acceptedIdx the length of the follower's log
 */
public record Accepted<T>(long from, long to, int configurationId, Ballot ballot, long acceptedIdx) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public Accepted {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("acceptedIdx", acceptedIdx);
    }
}
