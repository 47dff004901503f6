package io.omnipaxos;

import io.omnipaxos.messages.ProposalAck;
import io.omnipaxos.messages.ProposalForward;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's side of exactly-once forwarding: for each follower, the epoch it forwards in, the
 * next number expected (earlier numbers are duplicates, later ones wait for the gap to be sent
 * again), and where its recent entries went, to acknowledge a duplicate whose acknowledgement was
 * lost. After each batch is written it tells every forwarder where its entries went ({@link
 * ProposalAck}) and remembers where the leader's own entries went ({@link ProposalTracker}).
 * Bounded: at most {@code buffer_size} placements per follower (a follower has at most that many
 * entries in flight). Cleared with every new round.
 */
final class ForwardedSessions<T> {

    /** The entries of a forward to take, numbered from {@code firstSeq}. */
    record Admitted<T>(long firstSeq, List<T> entries) {}

    private static final class Session {
        final long number;
        long nextSeq = 1;
        /** (seq, log index) of the latest placements, oldest first. */
        final ArrayDeque<long[]> placed = new ArrayDeque<>();

        Session(long number) {
            this.number = number;
        }
    }

    private final ProtocolState<T> state;
    private final Map<Long, Session> byPid = new HashMap<>();

    ForwardedSessions(ProtocolState<T> state) {
        this.state = state;
    }

    /** A new round: every follower starts new sessions. */
    void clear() {
        byPid.clear();
    }

    /**
     * The new entries of {@code message}, in order; duplicates whose place is known are acknowledged
     * again. Nothing from an epoch older than the follower's latest (a restarted follower starts a
     * new one, with a higher accept session), and nothing past a gap.
     */
    Admitted<T> admit(ProposalForward<T> message) {
        Session s = byPid.get(message.from());
        if (s != null && message.session() < s.number) {
            return new Admitted<>(0, List.of());
        }
        s = session(message.from(), message.session());
        List<Long> known = new ArrayList<>();
        long knownFrom = -1;
        long firstNew = s.nextSeq;
        int taken = 0;
        for (int k = 0; k < message.entries().size(); k++) {
            long seq = message.firstSeq() + k;
            if (seq > s.nextSeq) {
                break;
            } else if (seq == s.nextSeq) {
                s.nextSeq++;
                taken++;
            } else {
                long idx = placedIdx(s, seq);
                if (idx >= 0 && (knownFrom < 0 || seq == knownFrom + known.size())) {
                    knownFrom = knownFrom < 0 ? seq : knownFrom;
                    known.add(idx);
                }
            }
        }
        if (!known.isEmpty()) {
            state.outbox.add(new ProposalAck<>(state.pid, message.from(), state.configurationId, state.leader,
                    message.session(), knownFrom, known));
        }
        int from = (int) (firstNew - message.firstSeq());
        return new Admitted<>(firstNew, taken == 0 ? List.of() : message.entries().subList(from, from + taken));
    }

    /**
     * The batch {@code taken} was written at {@code fromIdx} in {@code round}: tells each forwarder
     * where its entries went, and the tracker where our own went.
     */
    void notePlacements(EntryBatch.Taken<T> taken, long fromIdx, Ballot round) {
        int size = taken.entries().size();
        if (taken.forwarders() == null) {
            state.tracker.placedLocally(fromIdx, taken.ids(), size, round);
            return;
        }
        Map<List<Long>, List<Long>> indicesByRun = new LinkedHashMap<>(); // [pid, epoch, firstSeq] -> indices
        Map<Long, List<Long>> runByForwarder = new HashMap<>();
        for (int i = 0; i < size; i++) {
            long forwarder = taken.forwarders()[i];
            long idx = fromIdx + i;
            if (forwarder == 0) {
                state.tracker.placedLocally(idx, taken.ids()[i], round);
                continue;
            }
            long epoch = taken.sessions()[i];
            long seq = taken.seqs()[i];
            remember(session(forwarder, epoch), seq, idx);
            List<Long> run = runByForwarder.get(forwarder);
            if (run == null || run.get(1) != epoch || run.get(2) + indicesByRun.get(run).size() != seq) {
                run = List.of(forwarder, epoch, seq);
                runByForwarder.put(forwarder, run);
                indicesByRun.put(run, new ArrayList<>());
            }
            indicesByRun.get(run).add(idx);
        }
        for (Map.Entry<List<Long>, List<Long>> e : indicesByRun.entrySet()) {
            List<Long> run = e.getKey();
            state.outbox.add(new ProposalAck<>(state.pid, run.get(0), state.configurationId, round, run.get(1),
                    run.get(2), e.getValue()));
        }
    }

    private Session session(long pid, long number) {
        Session s = byPid.get(pid);
        if (s == null || s.number < number) {
            s = new Session(number);
            byPid.put(pid, s);
        }
        return s;
    }

    private void remember(Session s, long seq, long idx) {
        if (s.placed.size() >= state.bufferSize) {
            s.placed.removeFirst();
        }
        s.placed.addLast(new long[] {seq, idx});
    }

    private static long placedIdx(Session s, long seq) {
        for (long[] p : s.placed) {
            if (p[0] == seq) {
                return p[1];
            }
        }
        return -1;
    }
}
