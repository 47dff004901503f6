package io.omnipaxos.examples.kv.http;

import java.util.StringJoiner;

/**
 * How many entries a node saw decided in each of the last {@value #SECONDS} seconds, for the
 * dashboard's chart (in {@code /status} as {@code decidedPerSecond}, oldest first), so a page
 * opened now still shows the minutes before. Sampled once a second on the node's event loop; a new
 * configuration (whose log starts again at 0) counts from its own first sample. Bounded: a ring of
 * {@value #SECONDS} counts.
 */
public final class DecidedRate {

    /** How many seconds are kept. */
    public static final int SECONDS = 300;

    private final long[] counts = new long[SECONDS];
    private int next;
    private int size;
    private long lastConfiguration = -1;
    private long lastDecided;

    /** Records one second: the decided index of configuration {@code configuration} now (-1: none runs). */
    public void sample(long configuration, long decidedIdx) {
        long count = 0;
        if (configuration >= 0 && configuration == lastConfiguration) {
            count = Math.max(0, decidedIdx - lastDecided);
        }
        lastConfiguration = configuration;
        lastDecided = decidedIdx;
        counts[next] = count;
        next = (next + 1) % SECONDS;
        size = Math.min(size + 1, SECONDS);
    }

    /** The counts as a JSON array, oldest first. */
    public String toJson() {
        StringJoiner out = new StringJoiner(",", "[", "]");
        for (int i = 0; i < size; i++) {
            out.add(Long.toString(counts[(next - size + i + SECONDS) % SECONDS]));
        }
        return out.toString();
    }
}
