package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * The leader tells a follower to replace its decided log below {@code snapshotIdx} by the
 * application's snapshot of it. A follower takes it only from the leader whose round it has promised
 * ({@code ballot}), and snapshots only as far as it has decided (the rest once it has).
 *
 * @param ballot the leader's ballot
 * @param snapshotIdx the first log index that stays an entry
 */
public record TakeSnapshot<T>(long from, long to, int configurationId, Ballot ballot, long snapshotIdx)
        implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public TakeSnapshot {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("snapshotIdx", snapshotIdx);
    }
}
