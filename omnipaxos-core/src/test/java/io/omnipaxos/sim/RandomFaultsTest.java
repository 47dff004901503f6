package io.omnipaxos.sim;

import java.util.stream.LongStream;
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
        String single = System.getProperty("sim.seed");
        LongStream seeds = single != null
                ? LongStream.of(Long.parseLong(single))
                : LongStream.range(1000, 1000 + Long.getLong("sim.seeds", 220));
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed,
                () -> RandomFaultMix.run(seed, StorageFactory.inMemory())));
    }
}
