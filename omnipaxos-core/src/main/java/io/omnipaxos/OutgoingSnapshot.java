package io.omnipaxos;

import java.util.Arrays;

/**
 * A snapshot the leader sends one follower in {@link io.omnipaxos.messages.SnapshotPart}s: its
 * encoded bytes, cut into parts of at most one message's budget, and how far the follower
 * acknowledged. Plain data owned by {@link LeaderRole}; the bytes are shared, never changed.
 */
final class OutgoingSnapshot {

    /** The compacted index the snapshot stands for. */
    final long snapshotIdx;
    private final byte[] bytes;
    private final int partBytes;
    /** The number of the part last sent. */
    int sentPart = -1;
    /** The number of the part last acknowledged, -1 before the first. */
    int ackedPart = -1;
    /** {@link #ackedPart} at the previous resend timeout, to notice a transfer that stalled. */
    int ackedPartAtLastTimeout = -2;

    OutgoingSnapshot(long snapshotIdx, byte[] bytes, long partBytes) {
        if (partBytes <= 0) {
            throw new IllegalArgumentException("part size must be > 0, got " + partBytes);
        }
        this.snapshotIdx = snapshotIdx;
        this.bytes = bytes;
        this.partBytes = (int) Math.min(partBytes, Integer.MAX_VALUE);
    }

    /** The same snapshot's bytes, to send from its first part (to another follower). */
    OutgoingSnapshot restart() {
        return new OutgoingSnapshot(snapshotIdx, bytes, partBytes);
    }

    /** The snapshot's encoded size. */
    int size() {
        return bytes.length;
    }

    /** How many parts the snapshot takes (one at least, also for an empty encoding). */
    int partCount() {
        return Math.max(1, (int) ((bytes.length + (long) partBytes - 1) / partBytes));
    }

    /** The bytes of part {@code partNo}. */
    byte[] part(int partNo) {
        int from = (int) Math.min(bytes.length, (long) partNo * partBytes);
        return Arrays.copyOfRange(bytes, from, (int) Math.min(bytes.length, (long) from + partBytes));
    }

    /** Whether every part was acknowledged. */
    boolean complete() {
        return ackedPart == partCount() - 1;
    }
}
