package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * Ballot Leader Election: asks a peer for its ballot in heartbeat round {@code round}.
 *
 * @param round the sender's heartbeat round
 */
public record HeartbeatRequest<T>(long from, long to, int configurationId, long round) implements BallotLeaderMessage<T> {

    /** Validates the fields. */
    public HeartbeatRequest {
        Fields.route(from, to, configurationId);
        Fields.index("round", round);
    }
}
