package io.omnipaxos.storage.persistent;

import static io.omnipaxos.storage.persistent.NumberedEntries.entries;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.Ballot;
import io.omnipaxos.ClusterConfig;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.StorageOp;
import io.omnipaxos.storage.TestStringCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the contract test cannot see of {@link PersistentStorage}'s snapshots and stop-signs: a
 * corrupt stored value refuses loudly, a crash keeps snapshot and compacted index together, old
 * log files are deleted once nothing refers to them, and a store written before snapshots opens.
 */
class PersistentStorageSnapshotTest {

    private static final long DAY_MILLIS = 86_400_000L;

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T12:00:00Z"));

    private PersistentStorageConfig<String> config() {
        return PersistentStorageConfig.at(dir).codec(new TestStringCodec());
    }

    /** Opens with the test clock, which decides the daily log file new records go to. */
    private PersistentStorage<String> open() {
        return PersistentStorage.open(config(), clock);
    }

    private static StopSign stopSign(String metadata) {
        return new StopSign(new ClusterConfig(2, List.of(1L, 2L, 3L)), metadata.getBytes(StandardCharsets.UTF_8));
    }

    // ---- the snapshot's bytes, for a leader that sends them as they are ----

    @Test
    void theSnapshotIsOfferedInItsStoredBytesToItsOwnCodecOnly() {
        TestStringCodec codec = new TestStringCodec();
        PersistentStorageConfig<String> withCodec = PersistentStorageConfig.at(dir).codec(codec);
        PersistentStorage<String> s = PersistentStorage.open(withCodec, clock);
        assertEquals(Optional.empty(), s.getSnapshotBytes(codec), "no snapshot yet");
        s.appendEntries(entries("e", 0, 10));
        String snapshot = "snapshot-" + "z".repeat(300);
        s.setSnapshot(5, snapshot);
        ByteBuffer expected = ByteBuffer.allocate(codec.encodedSize(snapshot));
        codec.encode(snapshot, expected);
        assertArrayEquals(expected.array(), s.getSnapshotBytes(codec).orElseThrow());
        assertEquals(Optional.empty(), s.getSnapshotBytes(new TestStringCodec()), "another codec instance gets none");
        s.close();
        PersistentStorage<String> reopened = PersistentStorage.open(withCodec, clock);
        assertArrayEquals(expected.array(), reopened.getSnapshotBytes(codec).orElseThrow(), "after a reopen");
        reopened.trim(8);
        assertEquals(Optional.empty(), reopened.getSnapshotBytes(codec), "a trim past it drops the snapshot");
        reopened.close();
    }

    // ---- corrupt values in the state file ----

    @Test
    void aCorruptStoredSnapshotRefusesToOpenNamingTheFile() throws IOException {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("e", 0, 10));
        s.setSnapshot(5, "SNAPSHOT-MARKER-" + "x".repeat(200));
        s.close();
        Path file = flipByteAfter("SNAPSHOT-MARKER-");
        assertTrue(SnapshotFile.isSnapshotFile(file.getFileName().toString()), "the snapshot has a file of its own: " + file);
        StorageException e = assertThrows(StorageException.class, this::open);
        assertMentions(e, file.getFileName().toString(), "corrupt", "checksum");
    }

    @Test
    void aCorruptStoredStopSignRefusesToOpenNamingTheFile() throws IOException {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("e", 0, 3));
        s.setStopSign(stopSign("STOPSIGN-MARKER-" + "y".repeat(100)));
        s.close();
        Path file = flipByteAfter("STOPSIGN-MARKER-");
        StorageException e = assertThrows(StorageException.class, this::open);
        assertMentions(e, file.getFileName().toString(), "'stopSign'", "corrupt", "checksum");
    }

    @Test
    void aSnapshotTheCodecCannotDecodeIsReportedWithTheFile() {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("e", 0, 3));
        s.setSnapshot(2, "two entries");
        s.close();
        String newest = StateFiles.of(dir).getFileName().toString();
        PersistentStorage<String> r = PersistentStorage.open(config().codec(new RefusingCodec()), clock);
        assertEquals(entries("e", 2, 3), r.getSuffix(2), "entries still read: only the snapshot is refused");
        StorageException e = assertThrows(StorageException.class, r::getSnapshot);
        assertMentions(e, newest, "snapshot below log index 2", "refused");
        r.close();
    }

    // ---- crashes ----

    @Test
    void aSnapshotWhoseCommitNeverHappenedLeavesTheOldStateWhole() {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("c", 0, 10));
        s.setSnapshot(2, "first");
        s.crashBeforeNextCommit = true;
        assertThrows(StorageException.class, () -> s.writeAtomically(List.of(
                new StorageOp.SetSnapshot<>(20, "second"),
                new StorageOp.AppendOnPrefix<>(20, entries("n", 20, 25)),
                new StorageOp.SetStopSign<>(stopSign("ss")))));
        s.crashForTests();
        PersistentStorage<String> r = open();
        assertEquals(2, r.getCompactedIdx());
        assertEquals(10, r.getLogLength());
        assertEquals(entries("c", 2, 10), r.getSuffix(2));
        assertEquals(Optional.of("first"), r.getSnapshot());
        assertEquals(Optional.empty(), r.getStopSign());
        r.appendEntry("c-000010"); // the ignored batch records must not be mistaken for this one
        r.crashForTests();
        r = open();
        assertEquals(entries("c", 2, 11), r.getSuffix(2));
        r.close();
    }

    // ---- deleting old log files ----

    /** Appends 100 entries on each of {@code days} days; day d holds log indices [100d, 100d + 100). */
    private List<String> appendOnDays(PersistentStorage<String> s, int firstDay, int days) {
        List<String> all = new ArrayList<>();
        for (int day = firstDay; day < firstDay + days; day++) {
            List<String> batch = entries("day" + day, day * 100, day * 100 + 100);
            s.appendEntries(batch);
            all.addAll(batch);
            clock.advanceMillis(DAY_MILLIS);
        }
        return all;
    }

    @Test
    void newStoresRollEveryFiveMinutesAndStoresWithDailyFilesKeepThem() throws IOException {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("m", 0, 10));
        clock.advanceMillis(5 * 60_000);
        s.appendEntries(entries("m", 10, 20));
        assertEquals(2, logFiles().size(), "a new file after five minutes");
        assertTrue(logFiles().get(0).getFileName().toString().endsWith("V.cq4"), logFiles().toString());
        s.trim(15);
        assertEquals(1, logFiles().size(), "the first five minutes are deleted once trimmed");
        s.close();

        // A store created with one file per day (earlier versions) keeps its cycle.
        Path old = dir.resolve("old");
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(old.resolve(StoreFolder.LOG_DIR))
                .rollCycle(LargeRollCycles.LARGE_DAILY).build()) {
            queue.createAppender().close(); // writes the queue's metadata, as a store that was opened once
        }
        PersistentStorageConfig<String> daily = PersistentStorageConfig.at(old).codec(new TestStringCodec());
        s = PersistentStorage.open(daily, clock);
        s.appendEntries(entries("d", 0, 10));
        clock.advanceMillis(5 * 60_000);
        s.appendEntries(entries("d", 10, 20));
        s.close();
        s = PersistentStorage.open(daily, clock);
        assertEquals(entries("d", 0, 20), s.getSuffix(0));
        s.close();
        assertEquals(List.of(old.resolve(StoreFolder.LOG_DIR).resolve("20260301L.cq4")), LogFiles.of(old));
    }

    @Test
    void logFilesBelowTheFirstRetainedEntryAreDeleted() throws IOException {
        PersistentStorage<String> s = open();
        List<String> all = appendOnDays(s, 0, 5);
        assertEquals(5, logFiles().size(), "one file per roll cycle written");
        assertEquals(all.subList(0, 10), s.getEntries(0, 10)); // the reader now sits in day 0's file

        s.trim(250); // day 2 holds the first retained entry: days 0 and 1 go
        assertEquals(3, logFiles().size());
        assertEquals(all.subList(250, 500), s.getSuffix(250));
        s.trim(260); // same day: nothing more to delete
        assertEquals(3, logFiles().size());
        s.close();

        s = open();
        assertEquals(all.subList(260, 500), s.getSuffix(260));
        all.addAll(appendOnDays(s, 5, 1));
        s.writeAtomically(List.of(new StorageOp.Trim<>(450), new StorageOp.SetDecidedIdx<>(600)));
        assertEquals(2, logFiles().size(), "days 4 and 5 remain");
        s.crashForTests();

        s = open();
        assertEquals(all.subList(450, 600), s.getSuffix(450));
        assertEquals(600, s.getDecidedIdx());
        s.close();
    }

    @Test
    void aSnapshotBeyondTheLogKeepsOnlyTheFileOfTheLastRecordAndTheJumpSurvivesACrash() throws IOException {
        PersistentStorage<String> s = open();
        appendOnDays(s, 0, 3);
        s.appendOnPrefix(150, entries("over", 150, 160)); // overwritten on day 3: days 0-2 hold no retained entry
        s.setSnapshot(1000, "state of 0..999");
        assertEquals(1, logFiles().size(), "only the covered record's file is kept (opening replays from it)");
        s.appendEntry("e-1000"); // a plain append, not committed: replay must adopt it at the new index
        s.crashForTests();

        s = open();
        assertEquals(1001, s.getLogLength());
        assertEquals(List.of("e-1000"), s.getSuffix(1000));
        assertEquals(Optional.of("state of 0..999"), s.getSnapshot());
        s.close();
    }

    @Test
    void filesLeftByACrashAfterTheTrimCommitAreDeletedOnOpen() throws IOException {
        PersistentStorage<String> s = open();
        List<String> all = appendOnDays(s, 0, 4);
        List<Path> before = logFiles();
        Path saved = Files.createDirectory(dir.resolve("saved"));
        for (Path p : before) {
            Files.copy(p, saved.resolve(p.getFileName()));
        }
        s.trim(320);
        assertEquals(1, logFiles().size());
        s.crashForTests();
        // The files come back, as if the crash came between the commit and the deletion.
        for (Path p : before) {
            if (!Files.exists(p)) {
                Files.copy(saved.resolve(p.getFileName()), p);
            }
        }
        assertEquals(4, logFiles().size());

        s = open();
        assertEquals(1, logFiles().size(), "opening deletes what no committed state refers to");
        assertEquals(all.subList(320, 400), s.getSuffix(320));
        s.appendEntry("after");
        s.close();
        s = open();
        assertEquals("after", s.getEntries(400, 401).get(0));
        s.close();
    }

    @Test
    void aTrimWhoseCommitNeverHappenedDeletesNothing() throws IOException {
        PersistentStorage<String> s = open();
        List<String> all = appendOnDays(s, 0, 3);
        s.crashBeforeNextCommit = true;
        assertThrows(StorageException.class, () -> s.trim(250));
        assertEquals(3, logFiles().size());
        s.crashForTests();
        PersistentStorage<String> r = open();
        assertEquals(all, r.getSuffix(0));
        r.close();
    }

    // ---- format ----

    @Test
    void aStoreWrittenBeforeSnapshotsOpensAndIsUpgraded() throws IOException {
        PersistentStorage<String> s = open();
        s.appendOnPrefix(0, entries("old", 0, 5));
        s.close();
        StateFiles.downgrade(dir, StateSlot.FORMAT_WITHOUT_SNAPSHOTS);
        s = open();
        assertEquals(entries("old", 0, 5), s.getSuffix(0));
        assertEquals(Optional.empty(), s.getSnapshot());
        s.setSnapshot(2, "upgraded");
        s.close();
        assertEquals(StateSlot.FORMAT, StateFiles.format(StateFiles.of(dir)));
    }

    @Test
    void aStoreWrittenBeforeValueChecksumsOpensAndIsUpgraded() throws IOException {
        PersistentStorage<String> s = open();
        s.appendOnPrefix(0, entries("two", 0, 5));
        s.setSnapshot(2, "snap-before");
        s.setPromise(new Ballot(4, 0, 2));
        s.close();
        StateFiles.downgrade(dir, StateSlot.FORMAT_WITHOUT_CHECKSUMS);
        s = open();
        assertEquals(entries("two", 2, 5), s.getSuffix(2));
        assertEquals(Optional.of("snap-before"), s.getSnapshot());
        assertEquals(new Ballot(4, 0, 2), s.getPromise());
        s.setPromise(new Ballot(5, 0, 2));
        s.close();
        assertEquals(StateSlot.FORMAT, StateFiles.format(StateFiles.of(dir)));
        s = open();
        assertEquals(new Ballot(5, 0, 2), s.getPromise());
        assertEquals(Optional.of("snap-before"), s.getSnapshot());
        s.close();
    }

    @Test
    void aStoreWithItsSnapshotInsideTheStateFileOpensAndMovesItToAFileOfItsOwn() throws IOException {
        PersistentStorage<String> s = open();
        s.appendOnPrefix(0, entries("three", 0, 5));
        s.setSnapshot(3, "snap-inside");
        s.close();
        StateFiles.downgrade(dir, StateSlot.FORMAT_WITH_SNAPSHOT_INSIDE);
        assertEquals(List.of(), snapshotFiles(), "format 3 keeps the snapshot in the state file");
        s = open();
        assertEquals(Optional.of("snap-inside"), s.getSnapshot());
        s.setPromise(new Ballot(6, 0, 1));
        s.close();
        assertEquals(StateSlot.FORMAT, StateFiles.format(StateFiles.of(dir)));
        assertEquals(1, snapshotFiles().size(), "the first commit writes the snapshot's file");
        s = open();
        assertEquals(Optional.of("snap-inside"), s.getSnapshot());
        assertEquals(entries("three", 3, 5), s.getSuffix(3));
        s.close();
    }

    @Test
    void onlyTheSnapshotFilesTheTwoStateFilesNameAreKept() throws IOException {
        PersistentStorage<String> s = open();
        s.appendOnPrefix(0, entries("k", 0, 10));
        for (int i = 1; i <= 5; i++) {
            s.setSnapshot(i, "snap-" + i);
            assertTrue(snapshotFiles().size() <= 2, "after snapshot " + i + ": " + snapshotFiles());
        }
        s.setPromise(new Ballot(2, 0, 1)); // a commit that keeps the snapshot: no new file
        assertTrue(snapshotFiles().size() <= 2, snapshotFiles().toString());
        s.close();
        Path stray = dir.resolve("snapshot-999.bin"); // what a crash between a snapshot file and its commit leaves
        Files.write(stray, new byte[] {1, 2, 3});
        s = open();
        assertFalse(Files.exists(stray), "opening deletes snapshot files no state names");
        assertEquals(Optional.of("snap-5"), s.getSnapshot());
        s.close();
    }

    // ---- helpers ----

    private List<Path> snapshotFiles() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> SnapshotFile.isSnapshotFile(f.getFileName().toString())).sorted().toList();
        }
    }

    private List<Path> logFiles() throws IOException {
        return LogFiles.of(dir);
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "should mention " + part + ": " + e.getMessage());
        }
    }

    /**
     * Flips a byte just after every copy of {@code marker} in the state files (MapDB may hold the
     * value in its write-ahead log as well as in the store); returns a file it changed.
     */
    private Path flipByteAfter(String marker) throws IOException {
        byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        Path changed = null;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                boolean found = false;
                for (int at = LogFiles.indexOf(bytes, needle, 0); at >= 0; at = LogFiles.indexOf(bytes, needle, at + 1)) {
                    bytes[at + needle.length + 3] ^= 0x01;
                    found = true;
                }
                if (found) {
                    Files.write(p, bytes);
                    changed = p;
                }
            }
        }
        assertTrue(changed != null, "no state file holds " + marker);
        return changed;
    }

    /** Encodes as UTF-8 like {@link TestStringCodec} but refuses to decode anything. */
    private static final class RefusingCodec implements EntryCodec<String> {
        private final TestStringCodec inner = new TestStringCodec();

        @Override
        public void encode(String entry, ByteBuffer out) {
            inner.encode(entry, out);
        }

        @Override
        public int encodedSize(String entry) {
            return inner.encodedSize(entry);
        }

        @Override
        public String decode(ByteBuffer in) {
            String s = inner.decode(in);
            if (s.startsWith("e-")) {
                return s;
            }
            throw new DecodeException("refused: " + s);
        }
    }
}
