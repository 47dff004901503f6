package io.omnipaxos.storage.persistent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.TestStringCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Seeded damage to the last records of the newest log file: garbage after the data, flipped bytes,
 * a file cut short. Whatever the damage, opening either succeeds with every entry it must keep, all
 * readable and appendable after, or refuses with a {@link StorageException} that names the file;
 * never anything else (an OutOfMemoryError, an exception from Chronicle, an open that fails later).
 *
 * <p>What must be kept: every entry the state file covers (its commit was acknowledged and nothing
 * else records it), and every entry whose record ends before the first damaged byte. Plain records
 * after the last commit are recovered as their intact prefix, so an entry at or after the damage may
 * be dropped with everything after it: damage there cannot be told from a torn write.
 *
 * <p>A failure prints the case's seed; {@link #SEED} replays the whole run. {@code
 * -Ddamage.cases=300} runs more cases per kind than the default 12 (each kind ran 300 clean).
 */
class PersistentStorageDamageTest {

    private static final long SEED = 0x5EED_D15CL;
    private static final int CASES_PER_KIND = Integer.getInteger("damage.cases", 12);
    /** At most this many records at the end of the log are damaged. */
    private static final int DAMAGED_RECORDS_MAX = 6;
    /** At most this many garbage bytes are written after the data. */
    private static final int GARBAGE_BYTES_MAX = 4096;
    /** Chronicle's 4-byte header in front of each record body. */
    private static final int CHRONICLE_HEADER = 4;

    @TempDir
    Path base;

    private enum Damage { GARBAGE_AFTER_DATA, FLIPPED_BYTES, TRUNCATED }

    @Test
    void garbageAfterTheDataNeverBreaksOpen() throws IOException {
        runCases(Damage.GARBAGE_AFTER_DATA);
    }

    @Test
    void flippedBytesInTheLastRecordsNeverBreakOpen() throws IOException {
        runCases(Damage.FLIPPED_BYTES);
    }

    @Test
    void aFileCutInsideTheLastRecordsNeverBreaksOpen() throws IOException {
        runCases(Damage.TRUNCATED);
    }

    @Test
    void aHeaderClaimingAGigabyteInTheNewestFileIsRefusedWithoutAllocatingIt() throws IOException {
        refusesAGigabyteHeader(false);
    }

    @Test
    void aHeaderClaimingAGigabyteInAnOlderFileIsRefusedWithoutAllocatingIt() throws IOException {
        refusesAGigabyteHeader(true);
    }

    /**
     * Plain records in two cycle files, none committed (so opening replays them all); the header of
     * one in the older or the newer file then claims almost a gigabyte. Opening must refuse naming
     * that file and the byte offset, and must not allocate anything near that size (measured for
     * this thread, so the test does not depend on the heap being small enough to run out).
     */
    private void refusesAGigabyteHeader(boolean inOlderFile) throws IOException {
        SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T12:00:00Z"));
        PersistentStorageConfig<String> config = PersistentStorageConfig.at(base).codec(new TestStringCodec());
        PersistentStorage<String> s = PersistentStorage.open(config, clock);
        s.appendEntries(List.of("g-0000-older", "g-0001-older", "g-0002-older"));
        clock.advanceMillis(Duration.ofMinutes(5).toMillis());
        s.appendEntries(List.of("g-0003-newer", "g-0004-newer", "g-0005-newer"));
        s.crashForTests();
        LogFiles.Found found = LogFiles.locate(base, inOlderFile ? "g-0001-older" : "g-0004-newer");
        long header = found.at() - LogRecord.HEADER - CHRONICLE_HEADER;
        LogFiles.write(found.file(), header, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0, IncompleteTailRepair.LENGTH_MASK - 15).array());
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        Throwable thrown = null;
        try {
            PersistentStorage.open(config, clock).close();
        } catch (Throwable t) { // an OutOfMemoryError too
            thrown = t;
        }
        long allocatedMiB = (threads.getCurrentThreadAllocatedBytes() - allocatedBefore) >> 20;
        assertTrue(thrown instanceof StorageException, "open should refuse, threw " + thrown);
        String m = thrown.getMessage();
        assertTrue(m.contains(found.file().getFileName().toString()) && m.contains("byte " + header),
                "should name " + found.file() + " and byte " + header + ": " + m);
        assertTrue(allocatedMiB < 256, "opening allocated " + allocatedMiB + " MiB");
    }

    /** Runs every case of {@code kind}, then fails with all the cases that failed. */
    private void runCases(Damage kind) throws IOException {
        Random seeds = new Random(SEED + kind.ordinal());
        List<String> failures = new ArrayList<>();
        for (int c = 0; c < CASES_PER_KIND; c++) {
            long caseSeed = seeds.nextLong();
            try {
                new Case(base.resolve(kind + "-" + c), kind, caseSeed).run();
            } catch (AssertionFailedError e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + CASES_PER_KIND + " cases failed:\n" + String.join("\n", failures));
        }
    }

    /** One store, written, closed or crashed, damaged, reopened and checked. */
    private static final class Case {
        private final Path dir;
        private final Damage kind;
        private final long seed;
        private final Random random;
        private final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T12:00:00Z"));
        private final List<String> written = new ArrayList<>();
        /** Entries the state file covers when the store is damaged. */
        private int committed;
        private String damage;

        Case(Path dir, Damage kind, long seed) {
            this.dir = dir;
            this.kind = kind;
            this.seed = seed;
            this.random = new Random(seed);
        }

        private PersistentStorage<String> open() {
            return PersistentStorage.open(PersistentStorageConfig.at(dir).codec(new TestStringCodec()), clock);
        }

        void run() throws IOException {
            write();
            Path file = LogFiles.newest(dir);
            byte[] head = LogFiles.head(file);
            long damagedFrom = damage(file, head);
            int mustKeep = Math.max(committed, recordsEndingBefore(head, damagedFrom));
            PersistentStorage<String> s;
            try {
                s = open();
            } catch (StorageException e) {
                String m = e.getMessage();
                assertTrue(m.contains(file.getFileName().toString()) && (m.contains("byte ") || m.contains("queue index")),
                        describe() + ": the refusal should name " + file + " and where in it: " + m);
                return;
            } catch (Throwable t) { // an OutOfMemoryError or Chronicle's own AssertionError too
                throw new AssertionFailedError(describe() + ": open threw " + t, t);
            }
            try {
                checkOpened(s, mustKeep);
            } catch (AssertionFailedError e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionFailedError(describe() + ": open succeeded but then " + t, t);
            }
        }

        /**
         * Plain appends (a third of the time hundreds, so that opening starts its check at one of
         * Chronicle's index points rather than at the start of the file), a committed batch, more
         * plain appends; then a close or a crash.
         */
        private void write() {
            PersistentStorage<String> s = open();
            s.appendEntries(entries(random.nextInt(3) == 0 ? 300 + random.nextInt(400) : 3 + random.nextInt(6)));
            s.appendOnPrefix(written.size(), entries(2 + random.nextInt(5)));
            committed = written.size();
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                s.appendEntry(entries(1).get(0));
            }
            s.appendEntries(entries(2 + random.nextInt(4)));
            if (random.nextBoolean()) {
                s.close();
                committed = written.size();
            } else {
                s.crashForTests();
            }
        }

        /** {@code n} new entries: a unique marker, then 0 to 200 letters. */
        private List<String> entries(int n) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                char[] padding = new char[random.nextInt(201)];
                Arrays.fill(padding, (char) ('a' + random.nextInt(26)));
                String e = marker(written.size()) + new String(padding);
                written.add(e);
                out.add(e);
            }
            return out;
        }

        private static String marker(int idx) {
            return String.format("e-%04d-", idx);
        }

        /** Where record {@code idx} starts (its Chronicle header) and ends (after its checksum). */
        private long[] recordBounds(byte[] head, int idx) {
            int at = LogFiles.indexOf(head, marker(idx).getBytes(StandardCharsets.UTF_8), 0);
            assertTrue(at > 0, "record " + idx + " not found");
            int length = written.get(idx).getBytes(StandardCharsets.UTF_8).length;
            return new long[] {at - LogRecord.HEADER - CHRONICLE_HEADER, at + length + LogRecord.TRAILER};
        }

        /** Damages the last records of {@code file}; returns the first damaged offset. */
        private long damage(Path file, byte[] head) throws IOException {
            int last = written.size() - 1;
            long dataEnd = recordBounds(head, last)[1];
            long regionStart = recordBounds(head, last + 1 - (1 + random.nextInt(DAMAGED_RECORDS_MAX)))[0];
            return switch (kind) {
                case GARBAGE_AFTER_DATA -> appendGarbage(file, dataEnd);
                case FLIPPED_BYTES -> flipBytes(file, head, regionStart, dataEnd);
                case TRUNCATED -> {
                    long at = regionStart + random.nextInt((int) (dataEnd - regionStart + 1));
                    LogFiles.truncate(file, at);
                    damage = "cut at byte " + at;
                    yield at;
                }
            };
        }

        /** Random bytes after the data; half the time they start with a plausible record header. */
        private long appendGarbage(Path file, long dataEnd) throws IOException {
            long at = dataEnd + random.nextInt(8);
            byte[] garbage = new byte[1 + random.nextInt(GARBAGE_BYTES_MAX)];
            random.nextBytes(garbage);
            if (random.nextBoolean() && garbage.length >= 4) {
                int length = 1 + random.nextInt(IncompleteTailRepair.LENGTH_MASK);
                ByteBuffer.wrap(garbage).order(ByteOrder.LITTLE_ENDIAN).putInt(0, length);
            }
            LogFiles.write(file, at, garbage);
            damage = garbage.length + " garbage bytes at byte " + at + " (data ends at " + dataEnd + ")";
            return at;
        }

        /** Flips one to three bytes in {@code [from, to)}. */
        private long flipBytes(Path file, byte[] head, long from, long to) throws IOException {
            long first = Long.MAX_VALUE;
            StringBuilder what = new StringBuilder("flipped bytes at");
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                int at = (int) (from + random.nextInt((int) (to - from)));
                byte flipped = (byte) (head[at] ^ (1 + random.nextInt(255)));
                LogFiles.write(file, at, new byte[] {flipped});
                first = Math.min(first, at);
                what.append(' ').append(at);
            }
            damage = what.toString();
            return first;
        }

        /** How many records of the undamaged file {@code head} lie wholly before {@code offset}. */
        private int recordsEndingBefore(byte[] head, long offset) {
            int n = 0;
            while (n < written.size() && recordBounds(head, n)[1] <= offset) {
                n++;
            }
            return n;
        }

        private void checkOpened(PersistentStorage<String> s, int mustKeep) {
            long length = s.getLogLength();
            assertTrue(length >= mustKeep && length <= written.size(), describe() + ": opened with "
                    + length + " entries, must keep " + mustKeep + " of " + written.size());
            List<String> kept = new ArrayList<>(written.subList(0, (int) length));
            assertEquals(kept, s.getEntries(0, length), describe());
            s.appendEntry("after-damage");
            s.close();
            kept.add("after-damage");
            PersistentStorage<String> again = open();
            assertEquals(kept, again.getEntries(0, again.getLogLength()), describe() + ", reopened after an append");
            again.close();
        }

        private String describe() {
            return "seed " + seed + " (" + kind + ", " + written.size() + " entries, " + committed + " committed, "
                    + damage + ")";
        }
    }
}
