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

    /** The pid of the sending server. */
    long from();

    /** The pid of the receiving server. */
    long to();

    /** The configuration id of the cluster the message belongs to; other ids are dropped. */
    int configurationId();
}
