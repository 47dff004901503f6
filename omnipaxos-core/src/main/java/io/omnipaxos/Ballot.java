package io.omnipaxos;

/**
 * A round number of Sequence Paxos and the candidacy of a server in Ballot Leader Election.
 *
 * <p>Ballots are totally ordered by {@code n}, then {@code priority}, then {@code pid}; two servers
 * never produce the same ballot because the pid is part of it. {@link #NONE} is smaller than every
 * ballot a server produces and means "no ballot yet".
 *
 * @param n the round number, incremented to take over leadership; non-negative
 * @param priority the leader priority of the server that owns the ballot; non-negative
 * @param pid the server that owns the ballot; 0 only in {@link #NONE}
 */
public record Ballot(long n, int priority, long pid) implements Comparable<Ballot> {

    /** The ballot below every real ballot: nothing promised or accepted yet. */
    public static final Ballot NONE = new Ballot(0, 0, 0);

    /** Validates the components. */
    public Ballot {
        if (n < 0) {
            throw new IllegalArgumentException("ballot n must be >= 0, got " + n);
        }
        if (priority < 0) {
            throw new IllegalArgumentException("ballot priority must be >= 0, got " + priority);
        }
        if (pid < 0) {
            throw new IllegalArgumentException("ballot pid must be >= 0, got " + pid);
        }
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

    /** Returns the larger of two ballots. */
    public static Ballot max(Ballot a, Ballot b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
