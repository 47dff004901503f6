package io.omnipaxos.messages;

/**
 * The leader tells a follower to trim its log below {@code trimIdx}: every server has accepted
 * those entries and they are decided, so no server will need them again. A follower trims only
 * what it knows is decided.
 *
 * @param trimIdx the first log index that is kept
 */
public record Trim<T>(long from, long to, int configurationId, long trimIdx) implements SequencePaxosMessage<T> {

    /** Validates the fields. */
    public Trim {
        Fields.route(from, to, configurationId);
        Fields.index("trimIdx", trimIdx);
    }
}
