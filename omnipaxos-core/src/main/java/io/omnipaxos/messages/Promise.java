package io.omnipaxos.messages;

import io.omnipaxos.Ballot;
import java.util.List;

/**
 * A follower promises {@code ballot} and sends the part of its log that the leader may lack.
 *
 * @param ballot the promised ballot
 * @param acceptedRound the round in which the follower last accepted entries
 * @param decidedIdx the follower's decided index
 * @param acceptedIdx the length of the follower's log
 * @param suffixIdx the log index of the first entry in {@code suffix}
 * @param suffix entries from {@code suffixIdx} to {@code acceptedIdx}; empty if the leader is as up to date
 */
public record Promise<T>(long from, long to, int configurationId, Ballot ballot, Ballot acceptedRound, long decidedIdx, long acceptedIdx, long suffixIdx, List<T> suffix) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public Promise {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.ballot("acceptedRound", acceptedRound);
        Fields.index("decidedIdx", decidedIdx);
        Fields.index("acceptedIdx", acceptedIdx);
        Fields.index("suffixIdx", suffixIdx);
        Fields.entries("suffix", suffix);
    }
}
