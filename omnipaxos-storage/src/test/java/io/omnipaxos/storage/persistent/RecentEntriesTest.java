package io.omnipaxos.storage.persistent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link RecentEntries} keeps the newest entries within its bounds and never returns a stale one. */
class RecentEntriesTest {

    @Test
    void keepsTheNewestEntriesWithinTheEntryBound() {
        RecentEntries<String> recent = new RecentEntries<>(4, 1_000);
        for (long idx = 0; idx < 10; idx++) {
            recent.appended(idx, "e" + idx, 1);
        }
        assertTrue(recent.covers(6, 10));
        assertFalse(recent.covers(5, 10), "index 5 left when index 9 came");
        assertEquals(List.of("e6", "e7", "e8", "e9"), copy(recent, 6, 10));
    }

    @Test
    void keepsTheNewestEntriesWithinTheByteBoundAndNeverOneLargerThanIt() {
        RecentEntries<String> recent = new RecentEntries<>(100, 10);
        recent.appended(0, "a", 4);
        recent.appended(1, "b", 4);
        recent.appended(2, "c", 4);
        assertEquals(2, recent.size());
        assertEquals(8, recent.bytes());
        assertTrue(recent.covers(1, 3));
        recent.appended(3, "huge", 11);
        assertEquals(0, recent.size());
        assertFalse(recent.covers(3, 4), "an entry over the byte bound is not kept");
        recent.appended(4, "d", 1);
        assertEquals(List.of("d"), copy(recent, 4, 5));
    }

    @Test
    void anOverwrittenSuffixAndACompactedPrefixLeaveTheWindow() {
        RecentEntries<String> recent = new RecentEntries<>(100, 1_000);
        for (long idx = 0; idx < 10; idx++) {
            recent.appended(idx, "old" + idx, 1);
        }
        recent.truncate(7);
        assertFalse(recent.covers(6, 8));
        recent.appended(7, "new7", 1);
        assertEquals(List.of("old6", "new7"), copy(recent, 6, 8));
        recent.dropBelow(5);
        assertFalse(recent.covers(4, 5));
        assertTrue(recent.covers(5, 8));
        recent.appended(20, "after a gap", 1);
        assertFalse(recent.covers(7, 8), "an append that does not continue the window starts a new one");
        assertEquals(List.of("after a gap"), copy(recent, 20, 21));
    }

    /**
     * Random appends, truncations, compactions and jumps against a plain list of the log: whatever
     * the window covers reads as the log holds it, and after appends it covers the newest entries.
     */
    @Test
    void agreesWithTheLogOverManyRandomOperations() {
        for (long seed = 0; seed < 50; seed++) {
            Random random = new Random(seed);
            RecentEntries<String> recent = new RecentEntries<>(1 + random.nextInt(64), 1 + random.nextInt(400));
            List<String> log = new ArrayList<>(); // index -> entry; null below the compacted index
            long compacted = 0;
            for (int step = 0; step < 3_000; step++) {
                int dice = random.nextInt(20);
                if (dice < 14) {
                    String entry = "s" + seed + "e" + step;
                    int size = 1 + random.nextInt(dice == 0 ? 500 : 20);
                    recent.appended(log.size(), entry, size);
                    log.add(entry);
                } else if (dice < 16 && log.size() > compacted) {
                    int from = (int) (compacted + random.nextInt((int) (log.size() - compacted) + 1));
                    recent.truncate(from);
                    log.subList(from, log.size()).clear();
                } else if (dice < 18) {
                    compacted = Math.min(log.size(), compacted + random.nextInt(30));
                    recent.dropBelow(compacted);
                } else if (dice == 18) { // a snapshot beyond the end: the log jumps ahead
                    int jump = 1 + random.nextInt(5);
                    compacted = log.size() + jump;
                    recent.dropBelow(compacted);
                    for (int i = 0; i < jump; i++) {
                        log.add(null);
                    }
                }
                checkAgainst(log, compacted, recent, random);
            }
        }
    }

    private static void checkAgainst(List<String> log, long compacted, RecentEntries<String> recent, Random random) {
        for (int probe = 0; probe < 4; probe++) {
            long from = random.nextInt(log.size() + 2);
            long to = from + random.nextInt(10);
            if (recent.covers(from, to)) {
                assertTrue(from >= compacted && to <= log.size(), "covers [" + from + ", " + to + ") outside the log");
                assertEquals(log.subList((int) from, (int) to), copy(recent, from, to));
            }
        }
        if (recent.size() > 0) {
            assertEquals(log.size(), recent.end(), "the window ends at the log's end");
        }
    }

    private static List<String> copy(RecentEntries<String> recent, long from, long to) {
        List<String> out = new ArrayList<>();
        recent.copy(from, to, out);
        return out;
    }
}
