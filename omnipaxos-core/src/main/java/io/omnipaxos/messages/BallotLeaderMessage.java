package io.omnipaxos.messages;

/**
 * The messages of Ballot Leader Election: one heartbeat round trip per election timeout.
 *
 * @param <T> the user's entry type (unused by these messages; present so they are {@link Message}s)
 */
public sealed interface BallotLeaderMessage<T> extends Message<T>
        permits HeartbeatRequest, HeartbeatReply {}
