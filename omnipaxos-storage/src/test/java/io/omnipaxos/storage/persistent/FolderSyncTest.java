package io.omnipaxos.storage.persistent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnipaxos.storage.StorageOp;
import io.omnipaxos.storage.TestStringCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file's name is durable only once its folder is synced: {@link FolderSync} runs when the store
 * creates {@code state.db} and the queue folder, on open, and once per new cycle file, before the
 * first record in it is acknowledged. A test cannot pull the power, so this one counts the syncs.
 */
class FolderSyncTest {

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-01T12:00:00Z"));

    private PersistentStorage<String> open() {
        return PersistentStorage.open(PersistentStorageConfig.at(dir).codec(new TestStringCodec()), clock);
    }

    @Test
    void aFolderIsSyncedOncePerNewFileBeforeItsRecordsAreAcknowledged() throws IOException {
        long before = FolderSync.FORCED.get();
        PersistentStorage<String> s = open();
        // The store folder once state.db and log/ (where the first commit's mark goes) exist; log/ on open.
        assertEquals(2, FolderSync.FORCED.get() - before, "creating a store");

        before = FolderSync.FORCED.get();
        s.appendEntry("first"); // Chronicle creates the first cycle file for it
        assertEquals(1, FolderSync.FORCED.get() - before, "the first record");
        assertEquals(1, LogFiles.of(dir).size());

        before = FolderSync.FORCED.get();
        s.appendEntries(List.of("second", "third"));
        s.appendOnPrefix(3, List.of("fourth"));
        assertEquals(0, FolderSync.FORCED.get() - before, "more records in the same file");

        clock.advanceMillis(Duration.ofMinutes(5).toMillis());
        before = FolderSync.FORCED.get();
        s.appendEntry("fifth"); // the next cycle: a new file
        assertEquals(1, FolderSync.FORCED.get() - before, "a plain append into a new cycle file");

        clock.advanceMillis(Duration.ofMinutes(5).toMillis());
        before = FolderSync.FORCED.get();
        s.writeAtomically(List.of(new StorageOp.AppendEntries<>(List.of("sixth", "seventh"))));
        assertEquals(1, FolderSync.FORCED.get() - before, "a batch into a new cycle file");
        assertEquals(3, LogFiles.of(dir).size());
        s.close();

        before = FolderSync.FORCED.get();
        s = open();
        assertEquals(1, FolderSync.FORCED.get() - before, "reopening syncs the log folder once");
        assertEquals(List.of("first", "second", "third", "fourth", "fifth", "sixth", "seventh"), s.getSuffix(0));
        s.close();
    }
}
