package io.omnipaxos;

import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.SequenceNumber;

/** What the leader knows about one follower in the current round. Plain data owned by {@link LeaderRole}. */
final class FollowerProgress<T> {

    final long pid;
    /** Whether the follower votes (one of the nodes); a learner counts in no quorum. */
    final boolean voter;
    /** The follower's promise in this round, or null while it has not (re)promised. */
    Promise<T> promise;
    /** Whether an AcceptSync was sent for {@link #promise}: the follower is in the accept phase. */
    boolean accepting;
    /**
     * Whether the follower is being sent the adopted log in {@code SyncChunk}s ahead of its
     * AcceptSync; {@link #sentIdx} and {@link #acceptedIdx} then track the transfer, and nothing it
     * acknowledges counts towards a decision.
     */
    boolean syncing;
    /** The number of the last accept-phase message sent to the follower. */
    SequenceNumber lastSequenceNumber;
    /** The log index up to which entries have been sent to the follower (exclusive). */
    long sentIdx;
    /** The follower's log length accepted in this round, from its Accepted messages. */
    long acceptedIdx;
    /** Whether the follower acknowledged its AcceptSync: it took this round. */
    boolean tookRound;
    /** The snapshot being sent to the follower in parts ahead of its AcceptSync, or null. */
    OutgoingSnapshot snapshotInParts;
    /** {@link #acceptedIdx} at the previous resend timeout, to notice a follower that stopped acknowledging. */
    long acceptedIdxAtLastTimeout = -1;

    FollowerProgress(long pid, boolean voter) {
        this.pid = pid;
        this.voter = voter;
    }

    /** Forget the promise: the follower must promise again before it receives entries. */
    void resetPromise() {
        promise = null;
        accepting = false;
        tookRound = false;
        syncing = false;
        snapshotInParts = null;
        acceptedIdxAtLastTimeout = -1;
    }
}
