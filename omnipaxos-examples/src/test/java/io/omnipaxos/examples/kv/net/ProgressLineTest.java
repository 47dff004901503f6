package io.omnipaxos.examples.kv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ProgressLineTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void reportsAtMostOncePerSecondWithPercentageAndRate() {
        ProgressLine fetch = ProgressLine.bytes(LoggerFactory.getLogger(ProgressLineTest.class), "node 2: fetching the state",
                0);
        assertNull(fetch.update(10L << 20, 400L << 20, SECOND / 2), "nothing within the first second");
        assertEquals("node 2: fetching the state: 96 of 400 MiB (24 %), 96 MiB/s", fetch.update(96L << 20, 400L << 20,
                SECOND));
        assertNull(fetch.update(120L << 20, 400L << 20, SECOND + SECOND / 2), "nothing within the next second");
        assertEquals("node 2: fetching the state: 200 of 400 MiB (50 %), 100 MiB/s",
                fetch.update(200L << 20, 400L << 20, 2 * SECOND));
    }

    @Test
    void entriesCountFromWhereTheCatchUpStarted() {
        ProgressLine catchUp = ProgressLine.entries(LoggerFactory.getLogger(ProgressLineTest.class),
                "catching up: applied", 1_000, 5 * SECOND);
        assertEquals("catching up: applied: 41,000 of 81,000 entries (50 %), 20,000 entries/s",
                catchUp.update(41_000, 81_000, 7 * SECOND));
    }
}
