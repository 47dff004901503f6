package io.omnipaxos.storage.persistent;

import static io.omnipaxos.storage.persistent.NumberedEntries.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.Ballot;
import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.StorageOp;
import io.omnipaxos.storage.TestStringCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import net.openhft.chronicle.core.time.SetTimeProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash recovery and corruption handling of {@link PersistentStorage}. */
class PersistentStorageRecoveryTest {

    @TempDir
    Path dir;

    private PersistentStorageConfig<String> config() {
        return PersistentStorageConfig.at(dir).codec(new TestStringCodec());
    }

    private PersistentStorage<String> open() {
        return PersistentStorage.open(config());
    }

    @Test
    void plainAppendsSurviveACrashWithoutAnyCommit() {
        PersistentStorage<String> s = open();
        for (int i = 0; i < 100; i++) {
            s.appendEntry(String.format("e-%06d", i));
        }
        s.crashForTests();
        s = open();
        assertEquals(entries("e", 0, 100), s.getSuffix(0));
        s.appendEntries(entries("e", 100, 110));
        s.crashForTests();
        s = open();
        assertEquals(entries("e", 0, 110), s.getSuffix(0));
        s.close();
    }

    @Test
    void checkpointsBoundTheTailAndKeepEverything() {
        PersistentStorage<String> s = PersistentStorage.open(config().checkpointEvery(7));
        for (int i = 0; i < 50; i += 5) {
            s.appendEntries(entries("c", i, i + 5));
        }
        s.crashForTests();
        s = open();
        assertEquals(entries("c", 0, 50), s.getSuffix(0));
        s.close();
    }

    @Test
    void aBatchWhoseCommitNeverHappenedIsIgnoredWhole() {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("a", 0, 10));
        s.setAcceptedRound(new Ballot(1, 0, 1));
        s.appendEntries(entries("a", 10, 12));
        s.crashBeforeNextCommit = true;
        assertThrows(StorageException.class, () -> s.writeAtomically(List.of(
                new StorageOp.AppendOnPrefix<>(5, entries("b", 5, 20)),
                new StorageOp.SetAcceptedRound<>(new Ballot(2, 0, 2)))));
        assertThrows(StorageException.class, s::getLogLength, "a failed storage refuses further calls");
        s.crashForTests();

        PersistentStorage<String> r = open();
        assertEquals(entries("a", 0, 12), r.getSuffix(0));
        assertEquals(new Ballot(1, 0, 1), r.getAcceptedRound());
        // Appends after the ignored batch must not be confused with it on the next open.
        r.appendEntries(entries("a", 12, 15));
        r.crashForTests();
        r = open();
        assertEquals(entries("a", 0, 15), r.getSuffix(0));
        r.close();
    }

    @Test
    void aLaggingDecidedIndexIsCommittedByCloseOrByTheInterval() {
        PersistentStorage<String> s = PersistentStorage.open(config().decidedIdxFlushInterval(Duration.ofHours(1)));
        s.appendEntries(entries("d", 0, 5));
        s.setDecidedIdx(1); // the interval since open has not passed: stays in memory
        s.setDecidedIdx(3);
        s.close();
        s = PersistentStorage.open(config().decidedIdxFlushInterval(Duration.ZERO));
        assertEquals(3, s.getDecidedIdx());
        s.setDecidedIdx(4);
        s.crashForTests();
        s = open();
        assertEquals(4, s.getDecidedIdx());
        s.close();
    }

    @Test
    void aTornLastRecordIsDroppedOnOpen() throws IOException {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("t", 0, 20));
        s.crashForTests();
        zeroSecondHalfOf("t-000019");
        s = open();
        assertEquals(19, s.getLogLength());
        assertEquals(entries("t", 0, 19), s.getSuffix(0));
        s.appendEntry("t-new");
        s.crashForTests();
        s = open();
        assertEquals("t-new", s.getEntries(19, 20).get(0));
        s.close();
    }

    @Test
    void aCorruptRecordInTheMiddleOfTheTailRefusesToOpen() throws IOException {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("m", 0, 20));
        s.crashForTests();
        Path file = flipByteIn("m-000010");
        StorageException e = assertThrows(StorageException.class, this::open);
        assertNames(e, file, "log index 10");
    }

    @Test
    void aCorruptCommittedRecordIsReportedWhenRead() throws IOException {
        PersistentStorage<String> s = open();
        s.appendOnPrefix(0, entries("k", 0, 1000));
        s.close();
        Path file = flipByteIn("k-000500");
        PersistentStorage<String> r = open(); // opening checks the ends, not all 1000 records
        assertEquals(entries("k", 0, 500), r.getEntries(0, 500));
        StorageException e = assertThrows(StorageException.class, () -> r.getEntries(400, 600));
        assertNames(e, file, "log index 500");
        r.close();
        StorageException atOpen = assertThrows(StorageException.class,
                () -> PersistentStorage.open(config().verifyWholeLogOnOpen(true)));
        assertNames(atOpen, file, "log index 500");
    }

    @Test
    void aCorruptLastCommittedRecordRefusesToOpen() throws IOException {
        PersistentStorage<String> s = open();
        s.appendOnPrefix(0, entries("z", 0, 30));
        s.close();
        Path file = flipByteIn("z-000029");
        StorageException e = assertThrows(StorageException.class, this::open);
        assertNames(e, file, "log index 29");
    }

    @Test
    void deletedStateFilesRefuseToOpen() throws IOException {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("x", 0, 3));
        s.close();
        for (Path file : StateFiles.both(dir)) {
            Files.deleteIfExists(file);
        }
        StorageException e = assertThrows(StorageException.class, this::open);
        assertTrue(e.getMessage().contains(StateStore.FILE_A + " is missing") && e.getMessage().contains("log records"),
                e.getMessage());
    }

    @Test
    void aGarbledStateFileRefusesToOpen() throws IOException {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("x", 0, 3));
        s.close();
        Path state = StateFiles.of(dir);
        byte[] junk = new byte[(int) Files.size(state)];
        java.util.Arrays.fill(junk, (byte) 0x5a);
        Files.write(state, junk);
        StorageException e = assertThrows(StorageException.class, this::open);
        assertTrue(e.getMessage().contains(state.toString()), e.getMessage());
    }

    @Test
    void missingLogFilesRefuseToOpen() throws IOException {
        PersistentStorage<String> s = open();
        s.appendOnPrefix(0, entries("y", 0, 3));
        s.close();
        for (Path p : logFiles()) {
            Files.delete(p);
        }
        StorageException e = assertThrows(StorageException.class, this::open);
        assertTrue(e.getMessage().contains("queue index"), e.getMessage());
    }

    @Test
    void aFileCutInsideTheLastRecordDropsThatRecord() throws IOException {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("u", 0, 20));
        s.crashForTests();
        LogFiles.Found last = locate("u-000019");
        LogFiles.truncate(last.file(), last.at() + 4); // the file now ends in the middle of the last entry
        s = open();
        assertEquals(entries("u", 0, 19), s.getSuffix(0));
        s.appendEntry("u-new");
        s.close();
        s = open();
        assertEquals("u-new", s.getEntries(19, 20).get(0));
        s.close();
    }

    @Test
    void aHeaderLeftIncompleteByAKillDropsThatRecord() throws IOException {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("h", 0, 20));
        s.crashForTests();
        // A Chronicle header is a 4-byte little-endian int in front of the body (kind, logical index,
        // entry); a writer killed inside writingDocument() leaves its NOT_COMPLETE bit (0x80000000) set.
        patch("h-000019", (bytes, at) -> {
            int header = at - LogRecord.HEADER - 4;
            bytes[header] = 0;
            bytes[header + 1] = 0;
            bytes[header + 2] = 0;
            bytes[header + 3] = (byte) 0x80;
        });
        long t0 = System.nanoTime();
        s = open();
        long openMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(entries("h", 0, 19), s.getSuffix(0));
        s.appendEntry("h-new");
        s.close();
        s = open();
        assertEquals(entries("h", 0, 19), s.getEntries(0, 19));
        assertEquals("h-new", s.getEntries(19, 20).get(0));
        s.close();
        assertTrue(openMillis < 5_000, "open took " + openMillis + " ms");
    }

    @Test
    void aLogFileWhoseCreationAKillInterruptedIsDiscardedAtOnce() throws IOException {
        SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T12:00:00Z"));
        PersistentStorage<String> s = PersistentStorage.open(config(), clock);
        s.appendEntries(entries("d", 0, 20));
        clock.advanceMillis(Duration.ofDays(1).toMillis());
        s.appendEntry("d-000020"); // the first record of the next day's file
        s.crashForTests();
        // Chronicle starts a new file with a header marked "not complete" and completes it once the
        // file's metadata is written; a kill in between leaves a file with no complete header, which
        // Chronicle's readers wait on (about a minute here) before they give up.
        Path newest = logFiles().get(1);
        try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.WRITE)) {
            ByteBuffer torn = ByteBuffer.allocate(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
            torn.putInt(0, IncompleteTailRepair.NOT_COMPLETE | IncompleteTailRepair.META_DATA);
            ch.write(torn, 0);
        }
        long t0 = System.nanoTime();
        s = PersistentStorage.open(config(), clock);
        long openMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(entries("d", 0, 20), s.getSuffix(0));
        assertEquals(List.of(logFiles().get(0)), logFiles(), "the torn file is gone");
        s.appendEntry("d-new");
        s.close();
        s = PersistentStorage.open(config(), clock);
        assertEquals("d-new", s.getEntries(20, 21).get(0));
        s.close();
        assertTrue(openMillis < 5_000, "open took " + openMillis + " ms");
    }

    @Test
    void deleteStoreRemovesTheLogAndStateButNothingElse() throws IOException {
        PersistentStorage<String> s = open();
        s.appendEntries(entries("x", 0, 10));
        s.setDecidedIdx(10);
        s.close();
        Path other = Files.writeString(dir.resolve("notes.txt"), "mine");
        PersistentStorage.deleteStore(dir);
        assertEquals(List.of(other), Files.list(dir).toList());
        PersistentStorage.deleteStore(dir); // again: nothing left to delete
        s = open();
        assertEquals(0, s.getLogLength());
        assertEquals(0, s.getDecidedIdx());
        s.close();
    }

    private List<Path> logFiles() throws IOException {
        return LogFiles.of(dir);
    }

    @Test
    void flippedBytesInTheMiddleOfACommittedLogAreReportedWithFileAndIndex() throws IOException {
        PersistentStorage<String> s = open();
        s.appendOnPrefix(0, entries("f", 0, 2000));
        s.close();
        Path file = flipByteIn("f-001000");
        patch("f-001500", (bytes, at) -> bytes[at + 2] ^= (byte) 0xff); // two records, one byte each
        PersistentStorage<String> r = open();
        assertEquals(entries("f", 1001, 1500), r.getEntries(1001, 1500));
        assertNames(assertThrows(StorageException.class, () -> r.getEntries(0, 2000)), file, "log index 1000");
        assertNames(assertThrows(StorageException.class, () -> r.getEntries(1001, 2000)), file, "log index 1500");
        r.close();
    }

    // ---- helpers ----

    private static void assertNames(StorageException e, Path file, String index) {
        assertTrue(e.getMessage().contains(file.getFileName().toString()), "should name " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(index), "should name " + index + ": " + e.getMessage());
    }

    /** Flips one bit in the middle of the only record holding {@code marker}; returns the file. */
    private Path flipByteIn(String marker) throws IOException {
        return patch(marker, (bytes, at) -> bytes[at + marker.length() / 2] ^= 0x01);
    }

    /**
     * Zeroes the second half of the entry {@code marker} and the checksum after it: what a record
     * looks like when the crash came before its last page reached the disk (a queue file is
     * preallocated, so a torn record reads as zeros inside its frame, not as a shorter file).
     */
    private Path zeroSecondHalfOf(String marker) throws IOException {
        return patch(marker, (bytes, at) -> java.util.Arrays.fill(bytes, at + marker.length() / 2,
                at + marker.length() + LogRecord.TRAILER, (byte) 0));
    }

    /** Bytes on each side of a marker that a {@link Patch} may change. */
    private static final int PATCH_WINDOW = 64;

    private interface Patch {
        void apply(byte[] bytes, int at);
    }

    private Path patch(String marker, Patch patch) throws IOException {
        LogFiles.Found found = locate(marker);
        byte[] bytes = LogFiles.head(found.file());
        patch.apply(bytes, found.at());
        // Write back only the bytes around the marker that a patch may touch: rewriting the whole
        // preallocated (sparse) queue file would turn tens of MB of holes into real zeros.
        int from = Math.max(0, found.at() - PATCH_WINDOW);
        int to = Math.min(bytes.length, found.at() + marker.length() + PATCH_WINDOW);
        LogFiles.write(found.file(), from, java.util.Arrays.copyOfRange(bytes, from, to));
        return found.file();
    }

    private LogFiles.Found locate(String marker) throws IOException {
        return LogFiles.locate(dir, marker);
    }
}
