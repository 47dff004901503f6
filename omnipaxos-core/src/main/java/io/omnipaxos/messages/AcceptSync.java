package io.omnipaxos.messages;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import java.util.List;

/**
 * The leader overwrites a follower's log from {@code syncIdx} on with its own suffix and starts a new
 * accept session with it.
 *
 * @param ballot the leader's ballot
 * @param sequenceNumber the first number of a new session
 * @param syncIdx the index from which the follower's log is replaced by {@code suffix}
 * @param suffix the leader's entries from {@code syncIdx} on
 * @param decidedIdx the leader's decided index
 * @param snapshot null, or the leader's snapshot of the decided prefix {@code [0, syncIdx)}: the
 *     follower lacks entries the leader compacted, and replaces its prefix by this snapshot
 * @param snapshotParts 0, or the number of {@link SnapshotPart}s of this ballot for {@code syncIdx}
 *     that came before and together make the snapshot (then {@code snapshot} is null): the follower
 *     replaces its prefix by the snapshot they make
 * @param stopSign null, or the stop-sign that follows the suffix
 */
public record AcceptSync<T>(long from, long to, int configurationId, Ballot ballot, SequenceNumber sequenceNumber,
        long syncIdx, List<T> suffix, long decidedIdx, T snapshot, int snapshotParts, StopSign stopSign)
        implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public AcceptSync {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        java.util.Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Fields.index("syncIdx", syncIdx);
        Fields.entries("suffix", suffix);
        Fields.index("decidedIdx", decidedIdx);
        Fields.partNo(snapshotParts);
        if (snapshotParts > 0 && snapshot != null) {
            throw new IllegalArgumentException("an AcceptSync carries a snapshot or names " + snapshotParts
                    + " parts of one sent before, not both");
        }
    }

    /** Whether the follower's prefix is replaced by a snapshot, carried here or sent before in parts. */
    public boolean replacesPrefix() {
        return snapshot != null || snapshotParts > 0;
    }

    /** An AcceptSync without snapshot and stop-sign. */
    public AcceptSync(long from, long to, int configurationId, Ballot ballot, SequenceNumber sequenceNumber,
            long syncIdx, List<T> suffix, long decidedIdx) {
        this(from, to, configurationId, ballot, sequenceNumber, syncIdx, suffix, decidedIdx, null, 0, null);
    }
}
