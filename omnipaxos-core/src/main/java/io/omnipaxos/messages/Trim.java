package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * The leader tells a follower to trim its log below {@code trimIdx}: every server has accepted that
 * prefix and it is decided, so no server needs it again. A follower takes it only from the leader
 * whose round it has promised ({@code ballot}), and trims only what it has decided and its
 * application has read. To replace the prefix by a snapshot instead, the leader sends {@link
 * TakeSnapshot}.
 *
 * @param ballot the leader's ballot
 * @param trimIdx the first log index that is kept
 */
public record Trim<T>(long from, long to, int configurationId, Ballot ballot, long trimIdx)
        implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public Trim {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("trimIdx", trimIdx);
    }
}
