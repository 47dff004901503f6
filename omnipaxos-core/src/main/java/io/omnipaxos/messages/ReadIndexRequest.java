package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * A follower asks the leader it follows for the read index of {@code count} linearizable reads
 * requested on it, numbered {@code firstReadId} on; the leader answers with one {@link
 * ReadIndexReply} once a quorum confirmed its leadership.
 *
 * @param ballot the ballot of the leader the follower follows
 * @param firstReadId the follower's number of the first read
 * @param count how many reads, numbered consecutively
 */
public record ReadIndexRequest<T>(long from, long to, int configurationId, Ballot ballot, long firstReadId,
        int count) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public ReadIndexRequest {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("firstReadId", firstReadId);
        Fields.readCount(count);
    }
}
