package io.omnipaxos;

import io.omnipaxos.messages.SnapshotPart;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The parts of a leader's snapshot a follower received so far (see {@link
 * io.omnipaxos.messages.SnapshotPart}), kept aside in order until the AcceptSync that names them
 * replaces the log's prefix. Part 0 starts a new snapshot; a part out of order or of another ballot
 * or snapshot index is ignored. Memory: at most the snapshot's encoded size, which the application
 * holds as its state anyway. Plain data owned by {@link FollowerRole}.
 */
final class SnapshotStaging {

    /** Beyond this many bytes no array could hold the snapshot: the staging is dropped. */
    static final int MAX_BYTES = Integer.MAX_VALUE - 64;

    private Ballot ballot;
    private long snapshotIdx = -1;
    private List<byte[]> parts;
    private long size;

    /**
     * Takes a part if it is the next one (or part 0 of a new snapshot).
     *
     * @return whether the follower now holds the parts up to {@code part.partNo()}: the leader may send the next
     */
    boolean add(SnapshotPart<?> part) {
        if (part.partNo() == 0) {
            ballot = part.ballot();
            snapshotIdx = part.snapshotIdx();
            parts = new ArrayList<>();
            size = 0;
        } else if (!isOf(part.ballot(), part.snapshotIdx())) {
            return false;
        } else if (part.partNo() < parts.size()) {
            return part.partNo() == parts.size() - 1; // a duplicate of the last: acknowledge it again
        } else if (part.partNo() > parts.size()) {
            return false;
        }
        if (size + part.bytes().length > MAX_BYTES) {
            clear();
            return false;
        }
        parts.add(part.bytes());
        size += part.bytes().length;
        return true;
    }

    /**
     * The encoded snapshot if exactly {@code partCount} parts of it arrived for this ballot and
     * index; clears the staging either way.
     */
    byte[] take(Ballot ballot, long snapshotIdx, int partCount) {
        byte[] result = isOf(ballot, snapshotIdx) && parts.size() == partCount ? joined() : null;
        clear();
        return result;
    }

    private byte[] joined() {
        byte[] all = new byte[(int) size];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    void clear() {
        ballot = null;
        snapshotIdx = -1;
        parts = null;
        size = 0;
    }

    private boolean isOf(Ballot ballot, long snapshotIdx) {
        return parts != null && Objects.equals(this.ballot, ballot) && this.snapshotIdx == snapshotIdx;
    }
}
