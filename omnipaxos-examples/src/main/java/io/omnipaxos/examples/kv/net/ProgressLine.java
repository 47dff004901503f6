package io.omnipaxos.examples.kv.net;

import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;

/**
 * A console line about a long operation, at most once per interval: what, how far of how much,
 * the percentage and the rate so far ({@code node 2: fetching the state: 96 of 410 MiB (23 %), 48
 * MiB/s}). An operation that ends within one interval prints nothing. Time comes in as arguments,
 * so tests choose it.
 */
public final class ProgressLine {

    /** How often a long operation reports. */
    public static final long DEFAULT_INTERVAL_MILLIS = 1000;

    private final Logger log;
    private final String what;
    private final LongFunction<String> amount;
    private final String unit;
    private final long intervalNanos;
    private final long startNanos;
    private final long startDone;
    private long nextNanos;

    private ProgressLine(Logger log, String what, LongFunction<String> amount, String unit, long startDone,
            long nowNanos) {
        this.log = log;
        this.what = what;
        this.amount = amount;
        this.unit = unit;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(DEFAULT_INTERVAL_MILLIS);
        this.startNanos = nowNanos;
        this.startDone = startDone;
        this.nextNanos = nowNanos + intervalNanos;
    }

    /** Progress counted in bytes, shown in MiB. */
    public static ProgressLine bytes(Logger log, String what, long nowNanos) {
        return new ProgressLine(log, what, b -> Long.toString(b >> 20), "MiB", 0, nowNanos);
    }

    /** Progress counted in log entries, starting at entry {@code from}. */
    public static ProgressLine entries(Logger log, String what, long from, long nowNanos) {
        return new ProgressLine(log, what, n -> String.format("%,d", n), "entries", from, nowNanos);
    }

    /** Reports {@code done} of {@code total} if an interval passed since the start or the last line; returns the line or null. */
    public String update(long done, long total, long nowNanos) {
        if (nowNanos < nextNanos || total <= 0) {
            return null;
        }
        nextNanos = nowNanos + intervalNanos;
        double seconds = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
        long rate = (long) ((done - startDone) / seconds);
        String line = what + ": " + amount.apply(done) + " of " + amount.apply(total) + " " + unit + " ("
                + Math.min(100, done * 100 / total) + " %), " + amount.apply(Math.max(0, rate)) + " " + unit + "/s";
        log.info(line);
        return line;
    }
}
