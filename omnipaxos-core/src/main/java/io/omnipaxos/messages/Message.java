package io.omnipaxos.messages;

/**
 * A message between two OmniPaxos servers of one configuration.
 *
 * <p>The core produces messages in {@code OmniPaxos.outgoingMessages()}; the user sends each one to
 * the server {@link #to()} over any network and hands it to that server's
 * {@code OmniPaxos.handleIncoming}. Messages may be lost, duplicated, delayed or reordered by the
 * network: the protocol tolerates all of that. Lists inside messages are owned by the message and
 * must not be modified after construction.
 *
 * @param <T> the user's entry type
 */
public sealed interface Message<T> permits SequencePaxosMessage, BallotLeaderMessage {

    /**
     * The largest log index, decided index or round number a message may carry (2^62): no log gets
     * there, and adding an entry count to it never overflows. Larger values are refused when the
     * message is built or decoded.
     */
    long MAX_INDEX = 1L << 62;

    /** The pid of the sending server. */
    long from();

    /** The pid of the receiving server. */
    long to();

    /** The configuration id of the cluster the message belongs to; other ids are dropped. */
    int configurationId();
}
