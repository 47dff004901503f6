package io.omnipaxos;

import io.omnipaxos.messages.TakeSnapshot;
import java.util.OptionalLong;

/**
 * The application's request to replace the decided prefix by a snapshot: here only, or from the
 * leader on every server (trimming without a snapshot is the leader's, see {@link LeaderRole#trim}).
 */
final class Compaction<T> {

    private final ProtocolState<T> state;

    Compaction(ProtocolState<T> state) {
        this.state = state;
    }

    /**
     * Replaces the decided prefix below {@code requested} (default: the decided index) by a snapshot,
     * here only or, from the leader, on every server.
     */
    void snapshot(OptionalLong requested, boolean localOnly) {
        Snapshot<T> snapshots = requireSnapshots(requested);
        if (!localOnly) {
            state.requireLeader(requested, "snapshot");
        }
        LogStore<T> log = state.log;
        long compactedIdx = log.compactedIdx();
        long idx = requested.orElse(state.compactableIdx());
        state.requireCompactable("snapshot", requested, idx);
        if (idx > compactedIdx && !log.snapshotPrefix(idx, snapshots)) {
            throw state.compactionRefused("snapshot", CompactionException.Reason.TRIMMED_WITHOUT_SNAPSHOT, requested,
                    compactedIdx, "the log below " + compactedIdx + " was trimmed without a snapshot, and a snapshot"
                            + " must cover the log from index 0");
        }
        if (!localOnly) {
            for (long peer : state.peers) {
                state.outbox.add(new TakeSnapshot<>(state.pid, peer, state.configurationId, state.leader, idx));
            }
        }
    }

    /** Replaces this server's decided prefix below {@code idx} by the application's own {@code snapshot}. */
    void install(long idx, T snapshot) {
        OptionalLong requested = OptionalLong.of(idx);
        requireSnapshots(requested);
        state.requireCompactable("snapshot", requested, idx);
        LogStore<T> log = state.log;
        if (idx > log.compactedIdx() && !log.installOwnSnapshot(idx, snapshot)) {
            throw state.compactionRefused("snapshot", CompactionException.Reason.TRIMMED_WITHOUT_SNAPSHOT, requested,
                    log.compactedIdx(), "the log below " + log.compactedIdx() + " was trimmed without a snapshot, and"
                            + " a snapshot must cover the log from index 0");
        }
    }

    private Snapshot<T> requireSnapshots(OptionalLong requested) {
        Snapshot<T> snapshots = state.snapshots;
        if (snapshots == null || !snapshots.useSnapshots()) {
            throw new CompactionException(CompactionException.Reason.SNAPSHOTS_DISABLED, requested.orElse(-1), -1,
                    OptionalLong.empty(), "snapshot refused: server " + state.pid + " was built without a Snapshot"
                    + " implementation" + (snapshots == null ? "" : " that uses snapshots"));
        }
        return snapshots;
    }
}
