package io.omnipaxos;

/** Whether a server leads the current round of Sequence Paxos or follows it. */
enum Role {
    LEADER,
    FOLLOWER
}
