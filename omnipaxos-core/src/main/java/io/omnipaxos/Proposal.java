package io.omnipaxos;

/**
 * An entry appended on this server with the id {@link OmniPaxos#append} returned for it; the id
 * stays with the entry while it waits for a leader, is forwarded, and is proposed again.
 */
record Proposal<T>(long id, T entry) {}
