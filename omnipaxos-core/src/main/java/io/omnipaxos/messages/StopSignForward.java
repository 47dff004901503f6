package io.omnipaxos.messages;

import io.omnipaxos.StopSign;
import java.util.Objects;

/**
 * A server asks the leader to propose {@code stopSign} (the user called {@code reconfigure} there).
 * Repeated until a stop-sign is decided, so a lost forward or a leader change does not lose it.
 *
 * @param stopSign the proposed stop-sign
 */
public record StopSignForward<T>(long from, long to, int configurationId, StopSign stopSign) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public StopSignForward {
        Fields.route(from, to, configurationId);
        Objects.requireNonNull(stopSign, "stopSign");
    }
}
