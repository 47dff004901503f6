package io.omnipaxos.messages;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import java.util.List;

/**
 * A follower promises {@code ballot} and sends the part of its log that the leader may lack.
 *
 * @param ballot the promised ballot
 * @param acceptedRound the round in which the follower last accepted entries
 * @param decidedIdx the follower's decided index
 * @param acceptedIdx the length of the follower's log, counting a stop-sign as one slot
 * @param suffixIdx the log index of the first entry in {@code suffix}
 * @param suffix entries from {@code suffixIdx} on; empty if the leader is as up to date. At most one
 *     message's bytes ({@code max_message_bytes}): a longer suffix is sent in parts, each ending
 *     before {@code acceptedIdx} with at least one entry and no stop-sign, and the leader prepares
 *     again from the end of each part it adopted
 * @param snapshot null, or the follower's snapshot of its compacted prefix {@code [0, suffixIdx)},
 *     sent when the leader may lack entries the follower compacted
 * @param stopSign null, or the stop-sign that follows the suffix in the follower's log
 */
public record Promise<T>(long from, long to, int configurationId, Ballot ballot, Ballot acceptedRound, long decidedIdx,
        long acceptedIdx, long suffixIdx, List<T> suffix, T snapshot, StopSign stopSign) implements SequencePaxosMessage<T> {

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

    /** A promise without snapshot and stop-sign. */
    public Promise(long from, long to, int configurationId, Ballot ballot, Ballot acceptedRound, long decidedIdx,
            long acceptedIdx, long suffixIdx, List<T> suffix) {
        this(from, to, configurationId, ballot, acceptedRound, decidedIdx, acceptedIdx, suffixIdx, suffix, null, null);
    }
}
