package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import io.omnipaxos.ClusterConfig;
import io.omnipaxos.StopSign;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded sequence of storage writes of every kind, for the asynchronous mode's crash tests: the
 * same seed on storages in the same state makes the same writes, so a test can replay on a {@code
 * MemoryStorage} model what a {@link PersistentStorage} was given and compare.
 *
 * <p>Every choice depends only on the random source and on what the storage's getters return. The
 * writes keep the core's invariants (the decided index never falls, compacted index &lt;= decided
 * index &lt;= log length, suffixes are replaced only above the decided index) and the retained log
 * short (at most {@link #MAX_RETAINED} entries), so comparing two storages is cheap. Mostly plain
 * appends and appends with a decided index, as a follower writes; the rest changes the small state
 * or compacts.
 */
final class AsyncWorkload {

    /** Entries kept in the log at most: a longer log is trimmed. */
    static final int MAX_RETAINED = 300;

    private final Random random;
    private final String tag;
    private long made;

    /** Writes for life {@code tag} of a test seeded with {@code seed}; values carry the tag. */
    AsyncWorkload(long seed, String tag) {
        this.random = new Random(seed * 1_000_003L + tag.hashCode());
        this.tag = tag;
    }

    /** Writes made so far. */
    long made() {
        return made;
    }

    /** Makes the next write on {@code s}. */
    void next(Storage<String> s) {
        made++;
        long length = s.getLogLength();
        long compacted = s.getCompactedIdx();
        long decided = s.getDecidedIdx();
        if (length - compacted > MAX_RETAINED) {
            s.trim(Math.min(decided, length - MAX_RETAINED / 2));
            return;
        }
        int dice = random.nextInt(100);
        if (dice < 30) {
            s.appendEntries(values(random.nextInt(20)));
        } else if (dice < 38) {
            s.appendEntry(value(0));
        } else if (dice < 65) { // the follower's accept: entries and a new decided index at once
            List<String> values = values(1 + random.nextInt(20));
            long newDecided = between(decided, length + values.size());
            s.writeAtomically(List.of(new StorageOp.AppendEntries<>(values), new StorageOp.SetDecidedIdx<>(newDecided)));
        } else if (dice < 72) {
            s.setDecidedIdx(between(decided, length));
        } else if (dice < 77) {
            s.setPromise(nextBallot(s.getPromise()));
        } else if (dice < 80) {
            s.setAcceptedRound(nextBallot(s.getAcceptedRound()));
        } else if (dice < 86) { // a new leader's synchronisation of our suffix
            long from = between(Math.max(decided, compacted), length);
            s.writeAtomically(List.of(new StorageOp.AppendOnPrefix<>(from, values(random.nextInt(10))),
                    new StorageOp.SetAcceptedRound<>(nextBallot(s.getAcceptedRound())),
                    new StorageOp.SetDecidedIdx<>(decided)));
        } else if (dice < 89) {
            s.appendOnPrefix(between(Math.max(decided, compacted), length), values(random.nextInt(5)));
        } else {
            compactOrStop(s, compacted, decided);
        }
    }

    private void compactOrStop(Storage<String> s, long compacted, long decided) {
        int dice = random.nextInt(10);
        if (dice < 3) {
            s.trim(between(compacted, decided));
        } else if (dice < 5) {
            s.setSnapshot(between(compacted, decided), "snap-" + tag + "-" + made);
        } else if (dice < 7) {
            s.setStopSign(random.nextBoolean() ? null : new StopSign(new ClusterConfig(2 + random.nextInt(5),
                    List.of(1L, 2L, 3L)), (tag + "-" + made).getBytes(StandardCharsets.UTF_8)));
        } else if (dice < 8) {
            s.setCompactedIdx(between(compacted, decided));
        } else if (dice < 9) {
            s.writeAtomically(List.of());
        } else {
            s.appendEntries(List.of());
        }
    }

    private Ballot nextBallot(Ballot b) {
        return new Ballot(b.n() + 1, 0, 1 + random.nextInt(3));
    }

    /** A uniformly chosen value in {@code [from, to]}. */
    private long between(long from, long to) {
        return to <= from ? from : from + (long) random.nextInt((int) (to - from + 1));
    }

    private List<String> values(int count) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(value(i));
        }
        return out;
    }

    private String value(int i) {
        return tag + "-" + made + "-" + i;
    }
}
