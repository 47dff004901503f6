package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * The leader's answer to a {@link ReadIndexRequest}: the reads it names may be served once the
 * follower has applied the log up to {@code readIdx}.
 *
 * @param ballot the leader's ballot
 * @param firstReadId the follower's number of the first read, as in the request
 * @param count how many reads, as in the request
 * @param readIdx the index the follower must have applied before it serves them
 */
public record ReadIndexReply<T>(long from, long to, int configurationId, Ballot ballot, long firstReadId,
        int count, long readIdx) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public ReadIndexReply {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("firstReadId", firstReadId);
        Fields.readCount(count);
        Fields.index("readIdx", readIdx);
    }
}
