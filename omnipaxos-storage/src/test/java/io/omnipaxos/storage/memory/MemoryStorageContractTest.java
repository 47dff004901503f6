package io.omnipaxos.storage.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageContractTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The storage contract for {@link MemoryStorage}, plus its memory bound after trim. */
class MemoryStorageContractTest extends StorageContractTest {

    @Override
    protected Storage<String> newStorage() {
        return new MemoryStorage<>();
    }

    @Override
    protected Storage<String> reopen(Storage<String> storage) {
        return storage; // the object is the "disk": keeping it across a crash keeps the state
    }

    @Test
    void trimReleasesTheTrimmedEntries() {
        MemoryStorage<String> m = new MemoryStorage<>();
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            batch.add("e" + i);
        }
        for (int round = 0; round < 1000; round++) {
            m.appendEntries(batch);
            m.trim(m.getLogLength() - 10);
        }
        assertEquals(1_000_000, m.getLogLength());
        assertTrue(m.capacityForTests() <= 4096, "capacity after trims: " + m.capacityForTests());
        assertEquals(List.of("e990", "e991"), m.getEntries(m.getLogLength() - 10, m.getLogLength() - 8));
        m.trim(m.getLogLength());
        assertTrue(m.capacityForTests() <= 32, "capacity after a full trim: " + m.capacityForTests());
    }
}
