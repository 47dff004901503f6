package io.omnipaxos.messages;

import io.omnipaxos.Ballot;
import java.util.Arrays;
import java.util.Objects;

/**
 * One part of the leader's snapshot, in the bytes the application's entry codec gives it, sent
 * ahead of the {@link AcceptSync} to a follower that lacks entries the leader compacted, when the
 * snapshot is larger than one message may carry. The follower, still in the prepare phase of the
 * leader's round, keeps the parts in order aside (they change nothing it holds) and acknowledges
 * each with a {@link SnapshotPartAck}; the leader sends the next part only then, so one part is in
 * flight at a time. The closing AcceptSync names how many parts make the snapshot, and only it
 * replaces the follower's prefix.
 *
 * @param ballot the leader's ballot
 * @param snapshotIdx the compacted index the snapshot stands for: the log prefix {@code [0, snapshotIdx)}
 * @param partNo the part's number, from 0
 * @param bytes the part: bytes {@code [partNo * partSize, ...)} of the encoded snapshot
 */
public record SnapshotPart<T>(long from, long to, int configurationId, Ballot ballot, long snapshotIdx, int partNo,
        byte[] bytes) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public SnapshotPart {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("snapshotIdx", snapshotIdx);
        Fields.partNo(partNo);
        Objects.requireNonNull(bytes, "bytes");
    }

    /** Equal when every field is, the bytes compared by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SnapshotPart<?> o && from == o.from && to == o.to
                && configurationId == o.configurationId && ballot.equals(o.ballot) && snapshotIdx == o.snapshotIdx
                && partNo == o.partNo && Arrays.equals(bytes, o.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(from, to, configurationId, ballot, snapshotIdx, partNo, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
        return "SnapshotPart[from=" + from + ", to=" + to + ", configurationId=" + configurationId + ", ballot="
                + ballot + ", snapshotIdx=" + snapshotIdx + ", partNo=" + partNo + ", bytes=" + bytes.length + "]";
    }
}
