package io.omnipaxos.messages;

import io.omnipaxos.Ballot;
import java.util.List;

/**
 * A server that is not the leader forwards entries appended on it to the leader it follows. The
 * entries are numbered in the forwarder's epoch with that leader (the accept session of the first
 * {@link AcceptSync} it got from that leader since it started), so the leader takes each one once
 * however often it is sent: the forwarder sends again what the leader has not acknowledged ({@link
 * ProposalAck}).
 *
 * @param ballot the ballot of the leader the forwarder follows
 * @param session the forwarder's epoch with that leader
 * @param firstSeq the number of the first entry in the epoch, from 1; the others follow it
 * @param entries the proposed entries, in the order they were appended
 */
public record ProposalForward<T>(long from, long to, int configurationId, Ballot ballot, long session, long firstSeq,
        List<T> entries) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public ProposalForward {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("session", session);
        Fields.index("firstSeq", firstSeq);
        Fields.entries("entries", entries);
    }
}
