package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * The leader tells a follower to compact its log below {@code trimIdx}. With {@code snapshot}
 * false the prefix is trimmed away (every server has accepted it and it is decided, so no server
 * needs it again); with {@code snapshot} true it is replaced by the application's snapshot. A
 * follower takes it only from the leader whose round it has promised ({@code ballot}), and
 * compacts only what it knows is decided.
 *
 * @param ballot the leader's ballot
 * @param trimIdx the first log index that is kept
 * @param snapshot whether to snapshot rather than trim
 */
public record Trim<T>(long from, long to, int configurationId, Ballot ballot, long trimIdx, boolean snapshot)
        implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public Trim {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("trimIdx", trimIdx);
    }

    /** A trim (not a snapshot). */
    public Trim(long from, long to, int configurationId, Ballot ballot, long trimIdx) {
        this(from, to, configurationId, ballot, trimIdx, false);
    }
}
