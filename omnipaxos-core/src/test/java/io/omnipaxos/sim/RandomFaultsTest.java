package io.omnipaxos.sim;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Many seeded runs of the {@link RandomFaultMix} on in-memory storage. A failure names its seed;
 * replay one with {@code -Dsim.seed=N}. {@code -Dsim.seeds=N} runs more seeds.
 */
class RandomFaultsTest {

    @TestFactory
    Stream<DynamicTest> randomFaultMixes() {
        return SeededRuns.of(1000, 220, seed -> RandomFaultMix.run(seed, StorageFactory.inMemory()));
    }
}
