package io.omnipaxos;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The leader's record of what each follower forwarded in its current accept session: the next
 * number it expects (earlier numbers are duplicates, later ones wait for the gap to be sent again)
 * and where the recent entries went, to acknowledge a duplicate whose acknowledgement was lost.
 * Bounded: at most {@code capacity} placements per follower (a follower has at most {@code
 * buffer_size} entries in flight).
 */
final class ForwardedSessions {

    private static final class Session {
        final long number;
        long nextSeq = 1;
        /** (seq, log index) of the latest placements, oldest first. */
        final ArrayDeque<long[]> placed = new ArrayDeque<>();

        Session(long number) {
            this.number = number;
        }
    }

    private final int capacity;
    private final Map<Long, Session> byPid = new HashMap<>();

    ForwardedSessions(int capacity) {
        this.capacity = capacity;
    }

    /** A new round: every follower starts new sessions. */
    void clear() {
        byPid.clear();
    }

    /**
     * Whether forwards of {@code pid}'s epoch {@code number} are taken: the latest epoch wins (a
     * restarted follower starts a new one, with a higher accept session), an older one is stale.
     */
    boolean isCurrent(long pid, long number) {
        Session s = byPid.get(pid);
        return s == null || number >= s.number;
    }

    private Session session(long pid, long number) {
        Session s = byPid.get(pid);
        if (s == null || s.number < number) {
            s = new Session(number);
            byPid.put(pid, s);
        }
        return s;
    }

    /** The next number expected from {@code pid} in session {@code number}. */
    long nextSeq(long pid, long number) {
        return session(pid, number).nextSeq;
    }

    /** Entry {@code seq} of {@code pid}'s session was taken (it is the next expected). */
    void taken(long pid, long number, long seq) {
        Session s = session(pid, number);
        Invariants.check(seq == s.nextSeq, "forwarded entries are taken in order", pid);
        s.nextSeq++;
    }

    /** Entry {@code seq} of {@code pid}'s session was written at {@code idx}. */
    void placed(long pid, long number, long seq, long idx) {
        Session s = session(pid, number);
        if (s.placed.size() >= capacity) {
            s.placed.removeFirst();
        }
        s.placed.addLast(new long[] {seq, idx});
    }

    /** Where entry {@code seq} of {@code pid}'s session was written, or -1 if not (yet, or any more) known. */
    long placedIdx(long pid, long number, long seq) {
        Session s = byPid.get(pid);
        if (s == null || s.number != number) {
            return -1;
        }
        for (long[] p : s.placed) {
            if (p[0] == seq) {
                return p[1];
            }
        }
        return -1;
    }
}
