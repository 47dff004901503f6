package io.omnipaxos.messages;

/**
 * Orders the accept-phase messages a leader sends to one follower, so that the follower detects a
 * lost or reordered message and asks to be synchronised again.
 *
 * @param session incremented by the leader for every {@link AcceptSync} it sends to the follower
 * @param counter 1 for the {@link AcceptSync}, then +1 for each following message of the session
 */
public record SequenceNumber(long session, long counter) {

    /**
     * The largest session and counter (2^62): a leader counts one up per message, so honest numbers
     * never come near it, and {@link #next()} never overflows.
     */
    public static final long MAX_PART = 1L << 62;

    /** Validates that both parts are in {@code [1, MAX_PART]}. */
    public SequenceNumber {
        if (session <= 0 || counter <= 0 || session > MAX_PART || counter > MAX_PART) {
            throw new IllegalArgumentException("sequence number parts must be in [1, " + MAX_PART
                    + "], got session=" + session + " counter=" + counter);
        }
    }

    /**
     * The number of the message that follows this one in the same session.
     *
     * @throws IllegalArgumentException if the counter is already {@link #MAX_PART}
     */
    public SequenceNumber next() {
        return new SequenceNumber(session, counter + 1);
    }
}
