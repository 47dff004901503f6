package io.omnipaxos.messages;

/**
 * The messages of Sequence Paxos: log synchronisation, replication and decisions.
 *
 * @param <T> the user's entry type
 */
public sealed interface SequencePaxosMessage<T> extends Message<T>
        permits PrepareReq, Prepare, Promise, AcceptSync, AcceptDecide, Accepted, Decide,
                NotAccepted, ProposalForward, ProposalAck, Trim, TakeSnapshot, AcceptStopSign, StopSignForward,
                SyncChunk, SnapshotPart, SnapshotPartAck, ReadIndexCheck, ReadIndexAck,
                ReadIndexRequest, ReadIndexReply {}
