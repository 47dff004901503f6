package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;

/**
 * What one state commit records: the protocol state and the log bookkeeping ({@link StateStore}).
 *
 * @param promise the promised ballot
 * @param acceptedRound the accepted round
 * @param decidedIdx the decided index (may lag the in-memory one; may be {@code logLength + 1}
 *     when a stop-sign is decided)
 * @param compactedIdx the compacted index
 * @param logLength the logical log length
 * @param coveredQueueIdx the last queue index this state accounts for (-1: none); records after it
 *     are the tail that opening replays
 * @param runs the run table ({@link RunMap#toBytes})
 * @param snapshot the entry codec's bytes of the snapshot of the prefix below {@code compactedIdx},
 *     or null if there is none. {@link StateStore#commit} writes it only when this is another array
 *     than the one committed last, so the holder must not change the array in place.
 * @param stopSign the stored stop-sign, or null if there is none
 */
record DurableState(Ballot promise, Ballot acceptedRound, long decidedIdx, long compactedIdx, long logLength,
        long coveredQueueIdx, byte[] runs, byte[] snapshot, StopSign stopSign) {

    /** The state of a new, empty store. */
    static DurableState empty() {
        return new DurableState(Ballot.NONE, Ballot.NONE, 0, 0, 0, -1, new RunMap().toBytes(), null, null);
    }
}
