package io.omnipaxos.messages;

/**
 * Orders the accept-phase messages a leader sends to one follower, so that the follower detects a
 * lost or reordered message and asks to be synchronised again.
 *
 * @param session incremented by the leader for every {@link AcceptSync} it sends to the follower
 * @param counter 1 for the {@link AcceptSync}, then +1 for each following message of the session
 */
public record SequenceNumber(long session, long counter) {

    /** Validates that both parts are positive. */
    public SequenceNumber {
        if (session <= 0 || counter <= 0) {
            throw new IllegalArgumentException(
                    "sequence number parts must be > 0, got session=" + session + " counter=" + counter);
        }
    }

    /** The number of the message that follows this one in the same session. */
    public SequenceNumber next() {
        return new SequenceNumber(session, counter + 1);
    }
}
