package io.omnipaxos;

/**
 * The leader as one server sees it.
 *
 * @param pid the leader's pid
 * @param ballot the leader's ballot
 * @param accepting whether the leader is known to have finished its prepare phase with this server:
 *     true on the leader once it accepts entries, and on a follower once it is in the leader's accept phase
 */
public record LeaderInfo(long pid, Ballot ballot, boolean accepting) {}
