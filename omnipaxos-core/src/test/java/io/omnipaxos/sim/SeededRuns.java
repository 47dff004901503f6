package io.omnipaxos.sim;

import java.util.function.LongConsumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The seeds of a seeded simulator test, one dynamic test each: {@code count} seeds from {@code
 * first}, or {@code -Dsim.seeds=N} of them, or the one seed {@code -Dsim.seed=S} replays.
 */
public final class SeededRuns {

    private SeededRuns() {}

    /** One dynamic test per seed, named "seed S", running {@code run} on it. */
    public static Stream<DynamicTest> of(long first, long count, LongConsumer run) {
        String single = System.getProperty("sim.seed");
        LongStream seeds = single != null
                ? LongStream.of(Long.parseLong(single))
                : LongStream.range(first, first + Long.getLong("sim.seeds", count));
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> run.accept(seed)));
    }
}
