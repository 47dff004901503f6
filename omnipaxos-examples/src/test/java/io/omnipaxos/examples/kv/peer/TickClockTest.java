package io.omnipaxos.examples.kv.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link TickClock}: timer jitter neither drops nor adds ticks; a stall is forgiven, not replayed. */
class TickClockTest {

    private static final long MS = 1_000_000;

    @Test
    void aPunctualTimerTicksOncePerInterval() {
        TickClock clock = new TickClock(MS, 0);
        assertEquals(0, clock.ticksDue(MS / 2));
        for (int i = 1; i <= 100; i++) {
            assertEquals(1, clock.ticksDue(i * MS));
        }
    }

    @Test
    void aJitteryTimerKeepsTheWallClockRate() {
        TickClock clock = new TickClock(MS, 0);
        Random random = new Random(7);
        long ticks = 0;
        for (int i = 1; i <= 10_000; i++) {
            long late = (long) (random.nextDouble() * 3 * MS); // up to 3 intervals late, then caught up
            ticks += clock.ticksDue(i * MS + late);
        }
        ticks += clock.ticksDue(10_000 * MS + 4 * MS);
        assertEquals(10_004, ticks, "every interval of 10 s gets its tick");
    }

    @Test
    void aStallRunsOneTickAndTheRoundGoesOnFromThere() {
        TickClock clock = new TickClock(MS, 0);
        assertEquals(1, clock.ticksDue(MS));
        assertEquals(1, clock.ticksDue(200 * MS), "200 ms stalled: one tick, not 199");
        assertEquals(0, clock.ticksDue(200 * MS + MS / 2));
        assertEquals(1, clock.ticksDue(201 * MS));
        assertEquals(3, clock.ticksDue(204 * MS), "a short delay after the stall is caught up");
    }

    @Test
    void catchUpStopsAtTheStallThreshold() {
        TickClock clock = new TickClock(MS, 0);
        assertEquals((int) TickClock.MAX_CATCH_UP, clock.ticksDue(TickClock.MAX_CATCH_UP * MS));
        assertEquals(1, clock.ticksDue((2 * TickClock.MAX_CATCH_UP + 1) * MS));
    }

    @Test
    void aNonPositiveIntervalIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TickClock(0, 0));
    }
}
