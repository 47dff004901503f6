package io.omnipaxos;

import io.omnipaxos.codec.EntryCodec;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The entries appended on this server that left it (forwarded to a leader, or written to the log
 * while it led) and are not known decided yet, so that each is decided exactly once while this
 * server stays up. An entry is
 * <ul>
 *   <li><em>sent</em>: forwarded with a number of our epoch with the leader, not acknowledged; sent
 *       again on every resend timeout (the leader takes each number once);</li>
 *   <li><em>placed</em>: at a known log index (the leader's acknowledgement, the entry arriving in
 *       our own log, or this server's own batch while it led). Once the decided index passes that
 *       index it is done if the decided entry there is ours, and known lost (proposed again) if it
 *       is another: a decided slot never changes, so that copy can never come back.</li>
 * </ul>
 * A sent entry whose place we never learned is looked for in a new leader's adopted log; not
 * there, it is proposed again (it was most likely still in the old leader's batch; if that leader
 * did write it and both its acknowledgement and its replication to us were lost, the entry may be
 * decided twice: the one case this cannot rule out without an identity in the log). Entries
 * compare with {@code equals}, or byte for byte through the entry codec when there is one.
 *
 * <p>While this server leads, its own batches are remembered as index ranges only, and turned
 * into entries (read back from the log) when it stops leading.
 */
final class ProposalTracker<T> {

    /** One entry in flight. */
    static final class Tracked<T> {
        final T entry;
        /** What {@link OmniPaxos#append} returned for it. */
        final long id;
        /** The decided index when it was first sent: it cannot be placed below. */
        final long lowerBound;
        /** Its number in the current accept session, 0 when not sent in it. */
        long seq;
        /** Its log index, -1 while unknown. */
        long placedIdx = -1;
        Ballot placedRound = Ballot.NONE;
        /**
         * Sent, never placed, and not in the log a new leader adopted: lost once that log is
         * decided (see {@link #settle}), unless it turns up first.
         */
        boolean awaitingVerdict;

        Tracked(T entry, long id, long lowerBound) {
            this.entry = entry;
            this.id = id;
            this.lowerBound = lowerBound;
        }
    }

    /** Entries read from the log at a time while looking for lost ones. */
    private static final int SCAN_PAGE = 256;

    private final EntryCodec<T> codec;
    private final ArrayList<Tracked<T>> tracked = new ArrayList<>();
    /**
     * While leading: runs {@code {from, to, firstId}} of the log holding our own entries, in {@link
     * #localRound}, slot {@code from + k} holding proposal {@code firstId + k}.
     */
    private final ArrayDeque<long[]> localRanges = new ArrayDeque<>();
    /** Where our proposals were decided, for {@link OmniPaxos#takeDecided} to label them. */
    private final DecidedProposals decided;
    private Ballot localRound = Ballot.NONE;
    /**
     * Our numbering: the ballot of the leader we forward to, and its epoch, the accept session of our
     * first synchronisation with that leader since this server started. Numbers run on across later
     * synchronisations with the same leader (it takes each once); a restarted server starts a new
     * epoch, and a new leader new numbering.
     */
    private Ballot sessionBallot = Ballot.NONE;
    private long session = -1;
    private long nextSeq = 1;
    /**
     * The round of the latest log that replaced ours, and that log's length: once a write quorum
     * took that round ({@link #established}), the entries only logs of earlier rounds held are lost.
     */
    private Ballot verdictRound = Ballot.NONE;
    private long verdictIdx;
    /** The latest round we know a write quorum took. */
    private Ballot establishedRound = Ballot.NONE;

    ProposalTracker(EntryCodec<T> codec, int maxDecidedRuns) {
        this.codec = codec;
        this.decided = new DecidedProposals(maxDecidedRuns);
    }

    /** Where our proposals were decided, until the application takes those slots. */
    DecidedProposals decided() {
        return decided;
    }

    /** Entries in flight (sent or placed), the leader's unread own ranges not counted. */
    int size() {
        return tracked.size();
    }

    // ---- forwarding ----------------------------------------------------------------------

    /** Whether we number our forwards for the leader of {@code ballot}. */
    boolean followsLeader(Ballot ballot) {
        return ballot.equals(sessionBallot);
    }

    /** Starts numbering for the leader of {@code ballot}, in epoch {@code firstSession}. */
    void followLeader(Ballot ballot, long firstSession) {
        sessionBallot = ballot;
        session = firstSession;
        nextSeq = 1;
        for (Tracked<T> t : tracked) {
            t.seq = 0;
        }
    }

    boolean hasSession(Ballot ballot, long sessionNumber) {
        return ballot.equals(sessionBallot) && sessionNumber == session;
    }

    long session() {
        return session;
    }

    /** Numbers {@code proposals} in the current session; they are sent from now on. Returns the first number. */
    long send(List<Proposal<T>> proposals, long decidedIdx) {
        long first = nextSeq;
        for (Proposal<T> proposal : proposals) {
            Tracked<T> t = new Tracked<>(proposal.entry(), proposal.id(), decidedIdx);
            t.seq = nextSeq++;
            tracked.add(t);
        }
        return first;
    }

    /** Entries sent in this session and not placed yet, in number order (to send again). */
    List<Tracked<T>> unacknowledged() {
        List<Tracked<T>> out = new ArrayList<>();
        for (Tracked<T> t : tracked) {
            if (t.seq > 0 && t.placedIdx < 0) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * We appended {@code entries} at {@code fromIdx} in {@code round} (the leader's log, which holds
     * what it took from us): an unplaced entry of ours among them is placed there, so a lost
     * acknowledgement costs nothing.
     */
    void noticeAppended(List<T> entries, long fromIdx, Ballot round) {
        if (!hasUnplaced()) {
            return;
        }
        Map<Object, ArrayDeque<Tracked<T>>> unplaced = unplacedByKey();
        for (int i = 0; i < entries.size() && !unplaced.isEmpty(); i++) {
            place(unplaced, key(entries.get(i)), fromIdx + i, round);
        }
    }

    private boolean hasUnplaced() {
        for (Tracked<T> t : tracked) {
            if (t.placedIdx < 0) {
                return true;
            }
        }
        return false;
    }

    private Map<Object, ArrayDeque<Tracked<T>>> unplacedByKey() {
        Map<Object, ArrayDeque<Tracked<T>>> unplaced = new HashMap<>();
        for (Tracked<T> t : tracked) {
            if (t.placedIdx < 0) {
                unplaced.computeIfAbsent(key(t.entry), k -> new ArrayDeque<>()).addLast(t);
            }
        }
        return unplaced;
    }

    /** Places the first unplaced entry with {@code key} that may be at {@code idx}. */
    private void place(Map<Object, ArrayDeque<Tracked<T>>> unplaced, Object key, long idx, Ballot round) {
        ArrayDeque<Tracked<T>> candidates = unplaced.get(key);
        if (candidates != null && candidates.peekFirst().lowerBound <= idx) {
            Tracked<T> t = candidates.removeFirst();
            t.placedIdx = idx;
            t.placedRound = round;
            if (candidates.isEmpty()) {
                unplaced.remove(key);
            }
        }
    }

    /** The leader put entries {@code firstSeq, firstSeq + 1, ...} of this session at {@code indices}. */
    void acknowledged(long firstSeq, List<Long> indices, Ballot round) {
        for (Tracked<T> t : tracked) {
            long k = t.seq - firstSeq;
            if (t.seq > 0 && k >= 0 && k < indices.size()) {
                t.placedIdx = indices.get((int) k);
                t.placedRound = round;
            }
        }
    }

    // ---- leading -------------------------------------------------------------------------

    /**
     * Our proposals {@code ids[0..count)} were written from {@code fromIdx} on while we lead {@code
     * round}: one run when the ids follow on (the usual case), else one call per entry.
     */
    void placedLocally(long fromIdx, long[] ids, int count, Ballot round) {
        if (count > 0 && ascending(ids, count)) {
            placedLocally(fromIdx, ids[0], round);
            localRanges.peekLast()[1] = fromIdx + count;
            return;
        }
        for (int i = 0; i < count; i++) {
            placedLocally(fromIdx + i, ids[i], round);
        }
    }

    private static boolean ascending(long[] ids, int count) {
        for (int i = 1; i < count; i++) {
            if (ids[i] != ids[i - 1] + 1) {
                return false;
            }
        }
        return true;
    }

    /** Our proposal {@code id} was written at {@code idx} of the log while we lead {@code round}. */
    void placedLocally(long idx, long id, Ballot round) {
        if (!round.equals(localRound)) {
            localRanges.clear();
            localRound = round;
        }
        long[] last = localRanges.peekLast();
        if (last != null && last[1] == idx && last[2] + (idx - last[0]) == id) {
            last[1] = idx + 1;
        } else {
            localRanges.addLast(new long[] {idx, idx + 1, id});
        }
    }

    /**
     * We stop leading: our own entries written in our round and not decided are read back from the
     * log and tracked as placed, to be looked for after the next synchronisation. At most
     * {@code room} are kept; returns how many did not fit (they are dropped).
     */
    int leaveLeadership(LogStore<T> log, int room) {
        int dropped = 0;
        long decidedIdx = log.decidedIdx();
        settleOwnRuns(decidedIdx); // what is decided is ours there; the rest of each run is read back
        for (long[] range : localRanges) {
            long from = Math.max(Math.max(range[0], decidedIdx), log.compactedIdx());
            long to = Math.min(range[1], log.entriesEnd());
            for (long pageStart = from; pageStart < to; pageStart += SCAN_PAGE) {
                long pageEnd = Math.min(to, pageStart + SCAN_PAGE);
                if (tracked.size() >= room) {
                    dropped += (int) (pageEnd - pageStart);
                    continue;
                }
                List<T> page = log.entries(pageStart, pageEnd);
                for (int i = 0; i < page.size(); i++) {
                    if (tracked.size() >= room) {
                        dropped++;
                        continue;
                    }
                    long idx = pageStart + i;
                    Tracked<T> t = new Tracked<>(page.get(i), range[2] + (idx - range[0]), decidedIdx);
                    t.placedIdx = idx;
                    t.placedRound = localRound;
                    tracked.add(t);
                }
            }
        }
        localRanges.clear();
        localRound = Ballot.NONE;
        return dropped;
    }

    // ---- settling ------------------------------------------------------------------------

    /**
     * Settles what the decided index passed: an entry placed at an index now decided is done if the
     * log holds it there, and known lost if it holds another entry (the slot is decided, so the copy
     * there can never come back); the lost ones are returned, in order, to be proposed again. The
     * decided ones are remembered in {@link #decided()}.
     */
    List<Proposal<T>> settle(LogStore<T> log) {
        long decidedIdx = log.decidedIdx();
        settleOwnRuns(decidedIdx);
        if (tracked.isEmpty()) {
            return List.of();
        }
        boolean verdict = !verdictRound.equals(Ballot.NONE) && verdictRound.equals(establishedRound);
        List<Proposal<T>> lost = new ArrayList<>(0);
        Iterator<Tracked<T>> it = tracked.iterator();
        while (it.hasNext()) {
            Tracked<T> t = it.next();
            if (t.placedIdx >= 0 && t.placedIdx < decidedIdx) {
                it.remove();
                if (holdsDecided(log, t)) {
                    decided.add(t.placedIdx, t.placedIdx + 1, t.id);
                } else {
                    lost.add(new Proposal<>(t.id, t.entry));
                }
            } else if (verdict && (t.placedIdx < 0 ? t.awaitingVerdict
                    : t.placedIdx >= verdictIdx && t.placedRound.isLessThan(verdictRound))) {
                // Only logs of earlier rounds held it, and none of them can be adopted any more.
                it.remove();
                lost.add(new Proposal<>(t.id, t.entry));
            }
        }
        return lost;
    }

    /**
     * Our own runs (we lead) are decided up to {@code decidedIdx}: what they hold there is ours,
     * decided. Also called by the leader as it decides, since a leader alone decides without
     * receiving a message.
     */
    void settleOwnRuns(long decidedIdx) {
        long[] range = localRanges.peekFirst();
        while (range != null && range[0] < decidedIdx) {
            long end = Math.min(range[1], decidedIdx);
            decided.add(range[0], end, range[2]);
            range[2] += end - range[0];
            range[0] = end;
            if (range[0] == range[1]) {
                localRanges.removeFirst();
            }
            range = localRanges.peekFirst();
            if (end == decidedIdx) {
                break;
            }
        }
    }

    /**
     * Whether the decided log holds {@code t} at its index: certainly if it was placed in the round
     * our log is of (that round's leader put it there), else if the entry there is equal (a
     * compacted slot cannot be read, and counts as holding it).
     */
    private boolean holdsDecided(LogStore<T> log, Tracked<T> t) {
        if (t.placedRound.equals(log.acceptedRound()) || t.placedIdx < log.compactedIdx()) {
            return true;
        }
        return t.placedIdx < log.entriesEnd()
                && key(log.entries(t.placedIdx, t.placedIdx + 1).get(0)).equals(key(t.entry));
    }

    /** A write quorum took {@code round}: no log of an earlier round can be adopted any more. */
    void established(Ballot round) {
        if (round.isGreaterThan(establishedRound)) {
            establishedRound = round;
        }
    }

    /** The entries in flight, for failure messages: value, number, place, round, and awaiting a verdict. */
    String describe() {
        StringBuilder out = new StringBuilder(tracked.size() + " [");
        for (Tracked<T> t : tracked.subList(0, Math.min(tracked.size(), 5))) {
            out.append(' ').append(t.entry).append("#").append(t.seq).append('@').append(t.placedIdx)
                    .append('/').append(t.placedRound.n()).append(t.awaitingVerdict ? "?" : "");
        }
        if (tracked.size() > 5) {
            out.append(" ...");
        }
        return out.append(" ] epoch ").append(session).append(" of ").append(sessionBallot.n()).append(" next ")
                .append(nextSeq).append(" verdict ").append(verdictIdx).append('/').append(verdictRound.n()).toString();
    }

    /** Forgets everything (the configuration ended with a decided stop-sign); returns how many were dropped. */
    int clear() {
        int count = tracked.size();
        tracked.clear();
        localRanges.clear();
        return count;
    }

    /**
     * Our log was replaced by the log a new leader of {@code round} adopted, {@code adoptedLength}
     * slots long: each sent entry whose place we never learned is looked for in it, after the
     * decided index it was sent at, and placed where found. One not found awaits a verdict: once a
     * write quorum has taken {@code round} ({@link #established}), no log of an earlier round can be
     * adopted again, so it is lost and proposed again ({@link #settle}); until then a late
     * acknowledgement may still place it. For the same reason an entry placed in an earlier round
     * beyond the adopted log is lost then; one placed within it is settled by the decided index.
     */
    void findAfterSync(LogStore<T> log, Ballot round, long adoptedLength) {
        verdictRound = round;
        verdictIdx = adoptedLength;
        Map<Object, ArrayDeque<Tracked<T>>> unplaced = unplacedByKey();
        if (unplaced.isEmpty()) {
            return;
        }
        long scanFrom = Long.MAX_VALUE;
        for (ArrayDeque<Tracked<T>> candidates : unplaced.values()) {
            for (Tracked<T> t : candidates) {
                scanFrom = Math.min(scanFrom, t.lowerBound);
            }
        }
        scan(log, Math.max(scanFrom, log.compactedIdx()), unplaced, round);
        for (ArrayDeque<Tracked<T>> left : unplaced.values()) {
            for (Tracked<T> t : left) {
                if (t.lowerBound >= log.compactedIdx()) {
                    t.awaitingVerdict = true;
                } else {
                    // It may be in the compacted prefix, which cannot be read: counted as decided
                    // there rather than risk deciding it twice.
                    t.placedIdx = t.lowerBound;
                    t.placedRound = round;
                }
            }
        }
    }

    /** Matches log entries from {@code from} to the unplaced ones, each at or after its lower bound. */
    private void scan(LogStore<T> log, long from, Map<Object, ArrayDeque<Tracked<T>>> unplaced, Ballot round) {
        long end = log.entriesEnd();
        for (long idx = from; idx < end && !unplaced.isEmpty(); idx += SCAN_PAGE) {
            List<T> page = log.entries(idx, Math.min(end, idx + SCAN_PAGE));
            for (int i = 0; i < page.size(); i++) {
                place(unplaced, key(page.get(i)), idx + i, round);
            }
        }
    }

    /** What entries are compared by: their encoding with a codec, else the entry itself. */
    private Object key(T entry) {
        if (codec == null) {
            return entry;
        }
        ByteBuffer out = ByteBuffer.allocate(codec.encodedSize(entry));
        codec.encode(entry, out);
        out.flip();
        return out;
    }
}
