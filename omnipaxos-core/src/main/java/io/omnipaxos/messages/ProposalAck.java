package io.omnipaxos.messages;

import io.omnipaxos.Ballot;
import java.util.List;

/**
 * The leader tells a forwarder where it put forwarded entries in its log: entry {@code firstSeq + k}
 * of the forwarder's epoch ({@link ProposalForward}) is at log index {@code indices.get(k)}. The forwarder then knows the
 * entry is decided once its decided index passes that index in this round, and after a leader
 * change it looks for the entry there before it forwards it again.
 *
 * @param ballot the leader's ballot
 * @param session the forwarder's epoch with the leader
 * @param firstSeq the number of the first entry acknowledged
 * @param indices the log index of each entry from {@code firstSeq} on
 */
public record ProposalAck<T>(long from, long to, int configurationId, Ballot ballot, long session, long firstSeq,
        List<Long> indices) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public ProposalAck {
        Fields.route(from, to, configurationId);
        Fields.ballot("ballot", ballot);
        Fields.index("session", session);
        Fields.index("firstSeq", firstSeq);
        Fields.entries("indices", indices);
        for (Long idx : indices) {
            Fields.index("indices[]", idx);
        }
        indices = List.copyOf(indices);
    }
}
