package io.omnipaxos.messages;

import io.omnipaxos.Ballot;

/**
 * A server refuses a message of a leader whose ballot is lower than its promise.
 *
 * @param ballot the higher ballot the server has promised
 */
public record NotAccepted<T>(long from, long to, int configurationId, Ballot ballot) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public NotAccepted {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
    }
}
