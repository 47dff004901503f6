package io.omnipaxos.examples.cli;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A one-line progress display for long-running commands: every half second it rewrites one line
 * on standard error with the seconds elapsed (of the expected total, if known) and a count. It
 * shows only when the program runs on a terminal ({@code System.console() != null}); with output
 * going to a file or a pipe it prints nothing, so logs and scripts see only the results.
 *
 * <pre>{@code
 * try (Progress progress = Progress.start("load", 12, ops::get, "ops")) {
 *     ... the work ...
 * }
 * }</pre>
 */
public final class Progress implements AutoCloseable {

    /** How often the line is redrawn. */
    static final long REDRAW_MILLIS = 500;

    private final PrintStream out;
    private final String label;
    private final long totalSeconds;
    private final LongSupplier count;
    private final String unit;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService redraws;
    private int lastLength;

    private Progress(PrintStream out, String label, long totalSeconds, LongSupplier count, String unit) {
        this.out = out;
        this.label = label;
        this.totalSeconds = totalSeconds;
        this.count = count;
        this.unit = unit;
        this.redraws = out == null ? null : Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "progress");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts showing progress if this program runs on a terminal.
     *
     * @param label what is going on, e.g. {@code "load"}
     * @param totalSeconds the expected duration, or 0 if unknown
     * @param count a count to show (read from the display thread, so it must be safe to read from
     *     any thread), or null for none
     * @param unit what {@code count} counts, e.g. {@code "ops"}
     * @return the display; close it when the work ends (it then clears its line)
     */
    public static Progress start(String label, long totalSeconds, LongSupplier count, String unit) {
        return start(System.console() != null ? System.err : null, label, totalSeconds, count, unit);
    }

    /** As {@link #start(String, long, LongSupplier, String)}, drawing on {@code out} (null: nowhere). */
    static Progress start(PrintStream out, String label, long totalSeconds, LongSupplier count, String unit) {
        Progress progress = new Progress(out, label, totalSeconds, count, unit);
        if (progress.redraws != null) {
            progress.redraws.scheduleAtFixedRate(progress::redraw, REDRAW_MILLIS, REDRAW_MILLIS, TimeUnit.MILLISECONDS);
        }
        return progress;
    }

    /** Whether this display draws anything (false when not on a terminal). */
    public boolean isShown() {
        return redraws != null;
    }

    /** The text of the line as it would be drawn now. */
    String line() {
        long elapsedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
        StringBuilder text = new StringBuilder(label).append(": ").append(elapsedSeconds);
        if (totalSeconds > 0) {
            text.append('/').append(totalSeconds);
        }
        text.append(" s");
        if (count != null) {
            text.append(String.format(", %,d %s", count.getAsLong(), unit));
        }
        return text.toString();
    }

    private synchronized void redraw() {
        String text = line();
        out.print("\r" + text + " ".repeat(Math.max(0, lastLength - text.length())));
        out.flush();
        lastLength = text.length();
    }

    /** Stops the display and clears its line. */
    @Override
    public void close() {
        if (redraws == null) {
            return;
        }
        redraws.shutdownNow();
        try {
            redraws.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (lastLength > 0) {
                out.print("\r" + " ".repeat(lastLength) + "\r");
                out.flush();
            }
        }
    }
}
