package io.omnipaxos.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void withoutATerminalNothingIsShown() {
        // Tests run with their output going to files: no console.
        try (Progress progress = Progress.start("load", 10, () -> 1, "ops")) {
            assertFalse(progress.isShown());
        }
    }

    @Test
    void onATerminalTheLineIsRedrawnAndClearedAtTheEnd() throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AtomicLong count = new AtomicLong(12_345);
        try (Progress progress = Progress.start(out, "load", 10, count::get, "answered")) {
            assertTrue(progress.isShown());
            assertEquals("load: 0/10 s, 12,345 answered", progress.line());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!bytes.toString(StandardCharsets.UTF_8).contains("12,345 answered")) { // the first redraw
                assertTrue(System.nanoTime() < deadline, "no redraw within 10 s");
                Thread.sleep(10);
            }
        }
        String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.startsWith("\rload: "), drawn);
        assertTrue(drawn.contains("12,345 answered"), drawn);
        assertTrue(drawn.endsWith("\r"), "the line is cleared at the end: " + drawn);
    }

    @Test
    void anUnknownTotalShowsOnlyTheSecondsSoFar() {
        try (Progress progress = Progress.start(null, "waiting", 0, null, "")) {
            assertEquals("waiting: 0 s", progress.line());
        }
    }
}
