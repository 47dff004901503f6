package io.omnipaxos;

/**
 * A round number of Sequence Paxos and the candidacy of a server in Ballot Leader Election.
 *
 * <p>Ballots are totally ordered by {@code n}, then {@code priority}, then {@code pid}; two servers
 * never produce the same ballot because the pid is part of it. {@link #NONE} is smaller than every
 * ballot a server produces and means "no ballot yet".
 *
 * <p>Round numbers are bounded by {@link #MAX_N}. A server raises its round by one per takeover, so
 * honest servers never come near the bound; a message that claims a larger one is refused when it
 * is decoded, and one that jumps further ahead of what a server knows than {@link #MAX_N_STEP} is
 * refused by the server (see {@link OmniPaxos#rejectedIncomingCount()}). Both together keep a single
 * forged message from pushing every ballot to the top, where no server could take over again.
 *
 * @param n the round number, incremented to take over leadership; in {@code [0, MAX_N]}
 * @param priority the leader priority of the server that owns the ballot; non-negative
 * @param pid the server that owns the ballot; 0 only in {@link #NONE}
 */
public record Ballot(long n, int priority, long pid) implements Comparable<Ballot> {

    /**
     * The largest round number: 2^62, so that {@code n + 1} never overflows, and more takeovers than
     * any cluster performs.
     */
    public static final long MAX_N = 1L << 62;

    /**
     * The furthest a received round number may lie above the highest this server knows (2^32): more
     * takeovers than a cluster performs while one server is away, yet a forged message can move the
     * rounds only this far at a time.
     */
    public static final long MAX_N_STEP = 1L << 32;

    /** The ballot below every real ballot: nothing promised or accepted yet. */
    public static final Ballot NONE = new Ballot(0, 0, 0);

    /** Validates the components. */
    public Ballot {
        if (n < 0 || n > MAX_N) {
            throw new IllegalArgumentException("ballot n must be in [0, " + MAX_N + "], got " + n);
        }
        if (priority < 0) {
            throw new IllegalArgumentException("ballot priority must be >= 0, got " + priority);
        }
        if (pid < 0) {
            throw new IllegalArgumentException("ballot pid must be >= 0, got " + pid);
        }
    }

    /** Equal components; written out (not the record's generated method) because it runs on every input. */
    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof Ballot b && n == b.n && priority == b.priority && pid == b.pid;
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(n) * 31 + priority) * 31 + Long.hashCode(pid);
    }

    @Override
    public int compareTo(Ballot other) {
        int byN = Long.compare(n, other.n);
        if (byN != 0) {
            return byN;
        }
        int byPriority = Integer.compare(priority, other.priority);
        return byPriority != 0 ? byPriority : Long.compare(pid, other.pid);
    }

    /** Returns whether this ballot orders strictly after {@code other}. */
    public boolean isGreaterThan(Ballot other) {
        return compareTo(other) > 0;
    }

    /** Returns whether this ballot orders strictly before {@code other}. */
    public boolean isLessThan(Ballot other) {
        return compareTo(other) < 0;
    }

    /** Whether a server may still raise its round above this ballot's ({@code n < MAX_N}). */
    public boolean canBeExceeded() {
        return n < MAX_N;
    }

    /** Returns the larger of two ballots. */
    public static Ballot max(Ballot a, Ballot b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
