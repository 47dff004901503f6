package io.omnipaxos.sim;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The {@link RandomFaultMix} on asynchronous storage ({@link DelayedStorage}): every write becomes
 * durable only when the simulator says so, late and at different times on different servers, and a
 * crash loses the writes not yet durable. Safety is checked after every step, as on synchronous
 * storage. Replay a failure with {@code -Dsim.seed=N}; {@code -Dsim.seeds=N} runs more seeds.
 */
class AsyncStorageFaultsTest {

    @TestFactory
    Stream<DynamicTest> randomFaultMixesOnAsynchronousStorage() {
        return SeededRuns.of(5000, 150, seed -> RandomFaultMix.run(seed, StorageFactory.delayed()));
    }

    /** The same with learners (one or two) and clocks that drift by up to 20 %, leases on half the seeds. */
    @TestFactory
    Stream<DynamicTest> learnersLeasesAndDriftingClocksOnAsynchronousStorage() {
        return SeededRuns.of(20000, 60, seed -> RandomFaultMix.run(seed, StorageFactory.delayed(),
                b -> seed % 2 == 0 ? b.leaderLeaseTicks(8 + (int) (seed % 25)).maxClockDriftPercent(20) : b,
                0.2, 1 + (int) (seed % 2)));
    }
}
