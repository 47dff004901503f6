package io.omnipaxos.storage.persistent;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where each logical index lives in the queue. A run maps the logical indices {@code [start, end)}
 * to the queue indices {@code [queueStart, queueStart + (end - start))}; its end is the next run's
 * start, or the log length for the last run. A run only ever covers records appended back to back
 * in one roll cycle, so the arithmetic never crosses a gap in the Chronicle index.
 */
final class RunMap {

    private final TreeMap<Long, Long> runs = new TreeMap<>();

    /** Returns the queue index of logical index {@code idx}, which must be covered by a run. */
    long queueIndexOf(long idx) {
        Map.Entry<Long, Long> run = runs.floorEntry(idx);
        if (run == null) {
            throw new IllegalStateException("no run covers log index " + idx + " in " + this);
        }
        return run.getValue() + (idx - run.getKey());
    }

    /** Returns the first logical index after the run that holds {@code idx}, or {@code Long.MAX_VALUE}. */
    long runEndAfter(long idx) {
        Long next = runs.higherKey(idx);
        return next == null ? Long.MAX_VALUE : next;
    }

    /**
     * Records that logical index {@code idx} (the current log length) was written at {@code queueIdx};
     * starts a new run unless it directly continues the last one.
     */
    void extend(long idx, long queueIdx) {
        Map.Entry<Long, Long> last = runs.lastEntry();
        if (last == null || last.getValue() + (idx - last.getKey()) != queueIdx) {
            runs.put(idx, queueIdx);
        }
    }

    /** Forgets every run starting at or after {@code idx} (the log is being cut at {@code idx}). */
    void truncate(long idx) {
        runs.tailMap(idx, true).clear();
    }

    /** Forgets the runs that hold only indices below {@code idx}. */
    void dropBelow(long idx) {
        Long keep = runs.floorKey(idx);
        if (keep != null) {
            runs.headMap(keep, false).clear();
        }
    }

    /** Forgets every run (no logical index is held in the queue any more). */
    void clear() {
        runs.clear();
    }

    /**
     * The lowest queue index that holds a logical index {@code >= idx}; {@code idx} must be covered
     * by a run. Every record below it is unreferenced (runs only ever map to queue indices that
     * grow with the logical index, but this does not rely on it).
     */
    long lowestQueueIndexFrom(long idx) {
        long lowest = queueIndexOf(idx);
        for (long queueStart : runs.tailMap(idx, false).values()) {
            lowest = Math.min(lowest, queueStart);
        }
        return lowest;
    }

    /** Number of runs. */
    int size() {
        return runs.size();
    }

    /** Encodes as {@code count, (start, queueStart)*}. */
    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(4 + runs.size() * 16);
        b.putInt(runs.size());
        runs.forEach((start, q) -> b.putLong(start).putLong(q));
        return b.array();
    }

    /** Decodes what {@link #toBytes} wrote; throws IllegalArgumentException for bad bytes. */
    static RunMap fromBytes(byte[] bytes) {
        RunMap m = new RunMap();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int n = b.getInt();
        if (n < 0 || b.remaining() != n * 16L) {
            throw new IllegalArgumentException("run table of " + bytes.length + " bytes claims " + n + " runs");
        }
        for (int i = 0; i < n; i++) {
            m.runs.put(b.getLong(), b.getLong());
        }
        return m;
    }

    @Override
    public String toString() {
        return "runs" + runs;
    }
}
