package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;

/**
 * What one MapDB commit records: the protocol state and the log bookkeeping.
 *
 * @param promise the promised ballot
 * @param acceptedRound the accepted round
 * @param decidedIdx the decided index (may lag the in-memory one)
 * @param compactedIdx the compacted index
 * @param logLength the logical log length
 * @param coveredQueueIdx the last queue index this state accounts for (-1: none); records after it
 *     are the tail that opening replays
 * @param runs the run table ({@link RunMap#toBytes})
 */
record DurableState(Ballot promise, Ballot acceptedRound, long decidedIdx, long compactedIdx, long logLength,
        long coveredQueueIdx, byte[] runs) {

    /** The state of a new, empty store. */
    static DurableState empty() {
        return new DurableState(Ballot.NONE, Ballot.NONE, 0, 0, 0, -1, new RunMap().toBytes());
    }
}
