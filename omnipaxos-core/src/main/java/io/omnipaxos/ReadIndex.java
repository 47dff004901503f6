package io.omnipaxos;

/**
 * The answer to a linearizable read asked for with {@link OmniPaxos#requestRead()}: once this
 * server has applied the decided log up to {@code readIdx} (its {@link OmniPaxos#getDecidedIdx()}
 * at least that, and the application has taken those entries), it may answer the read from its own
 * state, and the answer reflects every write decided before the read was requested. A read that
 * could not be confirmed (no leader known, the leader changed, or its confirmation timed out) has
 * no index: ask again.
 *
 * @param readId the number {@link OmniPaxos#requestRead()} returned
 * @param readIdx the index to have applied before serving the read, or -1 if it was not confirmed
 */
public record ReadIndex(long readId, long readIdx) {

    /** Whether the read was confirmed; if not, request it again. */
    public boolean confirmed() {
        return readIdx >= 0;
    }
}
