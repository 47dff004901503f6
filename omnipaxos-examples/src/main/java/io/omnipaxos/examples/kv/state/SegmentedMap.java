package io.omnipaxos.examples.kv.state;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The key-value map of a {@link KvStateMachine}, split into {@value #SEGMENTS} hash maps so that
 * {@link #copy()} costs a pass over the segments instead of the keys: the copy and the original
 * share every segment, and whichever of them next changes a shared segment copies that segment
 * first (a few hundred keys of a 100,000-key map). A snapshot is thus taken on the event loop in
 * microseconds, and the writes after it pay for the segments they touch, once each.
 *
 * <p>A copy that is only read may be read on another thread while the original goes on changing:
 * a shared segment is never changed again, only replaced, and a segment is handed to the other
 * thread only through {@link #copy()}'s result, whose publication (an executor's task, for
 * instance) orders it. Not thread-safe otherwise.
 */
final class SegmentedMap {

    /** Segments per map; a power of two. */
    static final int SEGMENTS = 1024;
    private static final int SEGMENT_BITS = Integer.numberOfTrailingZeros(SEGMENTS);

    /** The segments; null for an empty one that was never written. */
    private final HashMap<String, String>[] segments;
    /** Whether this map alone holds segment i, and so may change it in place. */
    private final boolean[] owned = new boolean[SEGMENTS];
    private int size;

    @SuppressWarnings("unchecked")
    SegmentedMap() {
        this.segments = (HashMap<String, String>[]) new HashMap[SEGMENTS];
    }

    private SegmentedMap(SegmentedMap original) {
        this.segments = original.segments.clone();
        this.size = original.size;
    }

    /**
     * A map with the same entries that shares every segment with this one: both copy a segment
     * before changing it. Costs a pass over the {@value #SEGMENTS} segments.
     */
    SegmentedMap copy() {
        Arrays.fill(owned, false);
        return new SegmentedMap(this);
    }

    /** The value of {@code key}, or null. */
    String get(String key) {
        HashMap<String, String> segment = segments[segmentOf(key)];
        return segment == null ? null : segment.get(key);
    }

    /** Sets the value of {@code key}; returns the one it replaced, or null. */
    String put(String key, String value) {
        String previous = writable(segmentOf(key)).put(key, value);
        if (previous == null) {
            size++;
        }
        return previous;
    }

    /** Removes {@code key}; returns its value, or null if it had none. */
    String remove(String key) {
        int index = segmentOf(key);
        HashMap<String, String> segment = segments[index];
        if (segment == null || !segment.containsKey(key)) {
            return null;
        }
        String previous = writable(index).remove(key);
        size--;
        return previous;
    }

    /** The number of keys. */
    int size() {
        return size;
    }

    /** Every entry, segment by segment (an order that depends only on the keys and the insertions). */
    Iterable<Map.Entry<String, String>> entries() {
        return () -> new Iterator<>() {
            private int next;
            private Iterator<Map.Entry<String, String>> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && next < SEGMENTS) {
                    HashMap<String, String> segment = segments[next++];
                    current = segment == null ? Collections.emptyIterator()
                            : Collections.unmodifiableMap(segment).entrySet().iterator();
                }
                return current.hasNext();
            }

            @Override
            public Map.Entry<String, String> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /** Segment {@code index}, made this map's own (copied if shared) so that it can be changed. */
    private HashMap<String, String> writable(int index) {
        if (!owned[index]) {
            HashMap<String, String> shared = segments[index];
            segments[index] = shared == null ? new HashMap<>() : new HashMap<>(shared);
            owned[index] = true;
        }
        return segments[index];
    }

    /**
     * The segment of {@code key}: the top bits of its hash times the golden ratio, so that a
     * segment's keys still differ in the low bits its own hash table indexes by.
     */
    private static int segmentOf(String key) {
        return (key.hashCode() * 0x9E3779B9) >>> (Integer.SIZE - SEGMENT_BITS);
    }
}
