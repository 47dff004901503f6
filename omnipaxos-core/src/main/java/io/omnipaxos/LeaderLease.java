package io.omnipaxos;

/**
 * The optional leader lease ({@code leader_lease_ticks} {@code L} > 0), in ticks: time enters only
 * through {@link #tick()}, so the core stays deterministic.
 *
 * <p><b>Follower side.</b> A server that confirms a leader's read round ({@code ReadIndexAck})
 * grants that leader a lease: for {@code L} of its own ticks after, it promises no other ballot
 * (it ignores other leaders' {@code Prepare}s, and its own election waits). A server that starts
 * or restarts may have granted a lease it no longer remembers, so it promises nothing else for its
 * first {@code L} ticks.
 *
 * <p><b>Leader side.</b> Once a write quorum (itself included) confirmed a round it sent at tick
 * {@code s}, the leader holds the lease until its tick {@code s + }{@link
 * ServerConfig#leaseTicksForLeader()}, and answers reads at once, without a round. A new leader
 * needs promises from a read quorum, which meets that write quorum in a server that refuses to
 * promise it until its lease ends, which with tick rates within {@code max_clock_drift_percent} of
 * real time is after the leader's ends: no other leader decides anything while the lease is held.
 * The price: a crashed leader's successor is elected up to {@code L} ticks later.
 */
final class LeaderLease {

    /** Ticks a follower's grant lasts ({@code L}); 0 without a lease. */
    private final int grantTicks;
    /** Ticks the leader uses a confirmed round for. */
    private final int holdTicks;
    private long now;
    /** Follower: no ballot but {@link #grantedTo} is promised before this tick. */
    private long grantedUntil;
    private Ballot grantedTo = Ballot.NONE;
    /** Leader: the ballot it holds the lease for, and until which tick. */
    private Ballot heldFor = Ballot.NONE;
    private long heldUntil;

    LeaderLease(ServerConfig server) {
        this.grantTicks = server.leaderLeaseTicks();
        this.holdTicks = server.leaseTicksForLeader();
        this.grantedUntil = grantTicks; // a lease granted before a restart is not remembered: wait it out
    }

    boolean enabled() {
        return grantTicks > 0;
    }

    void tick() {
        now++;
    }

    /** The current tick, counted since this instance was built. */
    long now() {
        return now;
    }

    /** Follower: we confirmed a read round of the leader of {@code leader}. */
    void grant(Ballot leader) {
        if (enabled()) {
            grantedUntil = Math.max(grantedUntil, now + grantTicks);
            grantedTo = leader;
        }
    }

    /** Whether promising {@code ballot} must wait: a lease granted to another ballot is running. */
    boolean blocksPromise(Ballot ballot) {
        return enabled() && now < grantedUntil && !ballot.equals(grantedTo);
    }

    /** Leader: a write quorum confirmed the round of {@code ballot} that left at tick {@code sentAt}. */
    void confirmed(Ballot ballot, long sentAt) {
        if (!enabled()) {
            return;
        }
        if (!ballot.equals(heldFor)) {
            heldFor = ballot;
            heldUntil = 0;
        }
        heldUntil = Math.max(heldUntil, sentAt + holdTicks);
    }

    /** Whether the leader of {@code ballot} holds the lease now. */
    boolean holds(Ballot ballot) {
        return enabled() && ballot.equals(heldFor) && now < heldUntil;
    }

    /** Whether the leader of {@code ballot} should confirm a round to keep its lease: half of it is gone. */
    boolean renewalDue(Ballot ballot) {
        return enabled() && (!ballot.equals(heldFor) || heldUntil - now <= holdTicks / 2);
    }

    @Override
    public String toString() {
        return enabled() ? "lease[now " + now + ", granted to " + grantedTo + " until " + grantedUntil + ", held for "
                + heldFor + " until " + heldUntil + "]" : "no lease";
    }
}
