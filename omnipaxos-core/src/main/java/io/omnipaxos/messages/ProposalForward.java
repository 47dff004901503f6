package io.omnipaxos.messages;

import java.util.List;

/**
 * A server that is not the leader forwards entries appended on it to the leader it knows.
 *
 * @param entries the proposed entries, in the order they were appended
 */
public record ProposalForward<T>(long from, long to, int configurationId, List<T> entries) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public ProposalForward {
        Fields.route(from, to, configurationId);
        Fields.entries("entries", entries);
    }
}
