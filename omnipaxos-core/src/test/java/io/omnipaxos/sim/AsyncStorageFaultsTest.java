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
}
