package io.omnipaxos.messages;

import io.omnipaxos.Ballot;
import java.util.List;

/**
 * Part of the log a new leader adopted, sent ahead of the {@link AcceptSync} to a follower whose log
 * is a prefix of it and whose missing part is larger than one message may carry. The follower, still
 * in the prepare phase of the leader's round, appends the entries at {@code fromIdx} (its log's end)
 * without changing its accepted round: its log stays a prefix of the adopted log under the round it
 * had, and only the closing AcceptSync makes it the log of the new round. It acknowledges with an
 * {@link Accepted} of its new log length, which the leader takes as progress of the transfer, not as
 * acceptance in its round.
 *
 * @param ballot the leader's ballot
 * @param fromIdx the log index of the first entry: the end of the follower's log
 * @param decidedIdx the leader's decided index (the follower decides what it holds of it)
 * @param entries the adopted log's entries from {@code fromIdx} on
 */
public record SyncChunk<T>(long from, long to, int configurationId, Ballot ballot, long fromIdx, long decidedIdx,
        List<T> entries)
        implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public SyncChunk {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("fromIdx", fromIdx);
        Fields.index("decidedIdx", decidedIdx);
        Fields.entries("entries", entries);
    }
}
