package io.omnipaxos.examples.bench;

/**
 * A fixed-size histogram of latencies in nanoseconds with about 3% resolution: logarithmic buckets,
 * so memory stays the same however many values are recorded.
 */
public final class LatencyHistogram {

    private static final int SUB_BUCKETS = 32;
    private final long[] counts = new long[64 * SUB_BUCKETS];
    private long total;
    private long max;

    /** Records one latency. */
    public void record(long nanos) {
        long value = Math.max(1, nanos);
        counts[bucketOf(value)]++;
        total++;
        max = Math.max(max, value);
    }

    /** The number of latencies recorded. */
    public long count() {
        return total;
    }

    /** The latency at quantile {@code q} (0..1), in nanoseconds (upper bound of its bucket). */
    public long quantileNanos(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int bucket = 0; bucket < counts.length; bucket++) {
            seen += counts[bucket];
            if (seen >= Math.max(1, rank)) {
                return Math.min(upperBoundOf(bucket), max);
            }
        }
        return max;
    }

    /** "p50 x µs, p90 …, p99 …, p99.9 …, max …". */
    public String summaryMicros() {
        return String.format("p50 %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us",
                quantileNanos(0.50) / 1e3, quantileNanos(0.90) / 1e3, quantileNanos(0.99) / 1e3,
                quantileNanos(0.999) / 1e3, max / 1e3);
    }

    private static int bucketOf(long value) {
        int magnitude = 63 - Long.numberOfLeadingZeros(value);
        if (magnitude < 5) {
            return (int) value;
        }
        int sub = (int) ((value >>> (magnitude - 5)) & (SUB_BUCKETS - 1));
        return magnitude * SUB_BUCKETS + sub;
    }

    private static long upperBoundOf(int bucket) {
        int magnitude = bucket / SUB_BUCKETS;
        if (magnitude < 5) {
            return bucket;
        }
        long sub = bucket % SUB_BUCKETS;
        return ((SUB_BUCKETS + sub + 1) << (magnitude - 5)) - 1;
    }
}
