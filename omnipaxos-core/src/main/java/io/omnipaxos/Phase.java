package io.omnipaxos;

/** Where a server stands in the current round of Sequence Paxos. */
enum Phase {
    /** No round joined yet: waiting for a Prepare. */
    NONE,
    /** A leader collecting promises, or a follower that promised and waits for AcceptSync. */
    PREPARE,
    /** Replicating: the leader appends, the follower accepts. */
    ACCEPT,
    /** A follower that lost its state or its session and asked to be prepared again. */
    RECOVER
}
