package io.omnipaxos.messages;

/**
 * A follower that lost track of the leader's session (after a crash, a gap in sequence numbers or a
 * reconnection) asks the leader to run the prepare phase with it again.
 */
public record PrepareReq<T>(long from, long to, int configurationId) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public PrepareReq {
        Fields.route(from, to, configurationId);
    }
}
