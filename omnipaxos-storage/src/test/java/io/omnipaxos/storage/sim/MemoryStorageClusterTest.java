package io.omnipaxos.storage.sim;

import io.omnipaxos.sim.RandomFaultMix;
import io.omnipaxos.sim.SeededRuns;
import io.omnipaxos.sim.StorageFactory;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The seeded simulator's random fault mix on {@link MemoryStorage}, kept across crashes (it plays
 * the disk), so both shipped storages go through the same checkers: the same 220 seeds as the
 * core's run on its test storage (about 3 s). {@code -Dsim.seeds=N} runs more seeds,
 * {@code -Dsim.seed=N} replays one.
 */
class MemoryStorageClusterTest {

    private static final int DEFAULT_SEEDS = 220;

    @TestFactory
    Stream<DynamicTest> randomFaultMixes() {
        return SeededRuns.of(1000, DEFAULT_SEEDS, seed -> RandomFaultMix.run(seed, memoryStorage()));
    }

    private static StorageFactory memoryStorage() {
        return new StorageFactory() {
            @Override
            public Storage<String> create(long pid) {
                return new MemoryStorage<>();
            }

            @Override
            public Storage<String> reopen(long pid, Storage<String> crashed) {
                return crashed;
            }
        };
    }
}
