package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * A follower tells the leader it holds the parts {@code 0..partNo} of the snapshot for {@code
 * snapshotIdx} (see {@link SnapshotPart}); the leader then sends the next part, or the AcceptSync
 * after the last.
 *
 * @param ballot the leader's ballot the parts came in
 * @param snapshotIdx the compacted index the snapshot stands for
 * @param partNo the number of the last part the follower holds
 */
public record SnapshotPartAck<T>(long from, long to, int configurationId, Ballot ballot, long snapshotIdx,
        int partNo) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public SnapshotPartAck {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("snapshotIdx", snapshotIdx);
        Fields.partNo(partNo);
    }
}
