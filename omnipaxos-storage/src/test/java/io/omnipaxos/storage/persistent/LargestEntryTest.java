package io.omnipaxos.storage.persistent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnipaxos.ServerConfig;
import io.omnipaxos.codec.BytesCodec;
import io.omnipaxos.storage.Storage;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The largest entry the core accepts at append (4 bytes of length prefix plus its encoding within
 * {@link ServerConfig#MAX_MESSAGE_BYTES}) fits one log record: it is stored, survives a reopen and
 * reads back intact.
 */
class LargestEntryTest {

    @TempDir
    Path dir;

    @Test
    void theLargestEntryAnyMessageBudgetAllowsIsStoredAndReadBack() {
        byte[] largest = new byte[ServerConfig.MAX_MESSAGE_BYTES - 4];
        new Random(7).nextBytes(largest);
        assertEquals(ServerConfig.MAX_MESSAGE_BYTES - 4, BytesCodec.INSTANCE.encodedSize(largest));
        PersistentStorageConfig<byte[]> config = PersistentStorageConfig.at(dir).codec(BytesCodec.INSTANCE);
        try (Storage<byte[]> storage = PersistentStorage.open(config)) {
            storage.appendEntries(List.of(new byte[] {1}, largest, new byte[] {2}));
        }
        try (Storage<byte[]> storage = PersistentStorage.open(config)) {
            assertEquals(3, storage.getLogLength());
            assertArrayEquals(largest, storage.getEntries(1, 2).get(0));
            assertArrayEquals(new byte[] {2}, storage.getEntries(2, 3).get(0));
        }
    }
}
