package io.omnipaxos.examples.kv.state;

import java.util.Arrays;
import java.util.HashMap;
import java.util.function.BiConsumer;

/**
 * The key-value map of a {@link KvStateMachine}, split into {@value #SEGMENTS} segments so that
 * {@link #copy()} costs a pass over the segments instead of the keys: the copy and the original
 * share every segment, and whichever of them next changes a shared segment copies that segment
 * first (a few hundred keys of a 100,000-key map). A snapshot is thus taken on the event loop in
 * microseconds, and the writes after it pay for the segments they touch, once each.
 *
 * <p>A segment is an open-addressing table (linear probing) of two arrays, keys and values, so that
 * copying one is two array copies: the collector then moves two arrays per segment that a copy
 * kept alive, not an object per key as a {@code HashMap} would have it. Keys are chosen by clients,
 * and strings with equal hash codes are easy to make: a segment whose probe run grows past {@value
 * Segment#MAX_PROBE} slots (never seen with keys that are not chosen for it) turns into a {@code
 * HashMap}, whose bins of colliding keys are trees, so that such keys cost a logarithm each
 * instead of a pass over all the others.
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
    private final Segment[] segments;
    /** Whether this map alone holds segment i, and so may change it in place. */
    private final boolean[] owned = new boolean[SEGMENTS];
    private int size;

    SegmentedMap() {
        this.segments = new Segment[SEGMENTS];
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
        int hash = mix(key.hashCode());
        Segment segment = segments[segmentOf(hash)];
        return segment == null ? null : segment.get(key, hash);
    }

    /** Sets the value of {@code key}; returns the one it replaced, or null. */
    String put(String key, String value) {
        int hash = mix(key.hashCode());
        String previous = writable(segmentOf(hash)).put(key, hash, value);
        if (previous == null) {
            size++;
        }
        return previous;
    }

    /** Removes {@code key}; returns its value, or null if it had none. */
    String remove(String key) {
        int hash = mix(key.hashCode());
        int index = segmentOf(hash);
        Segment segment = segments[index];
        if (segment == null || segment.get(key, hash) == null) {
            return null;
        }
        size--;
        return writable(index).remove(key, hash);
    }

    /** The number of keys. */
    int size() {
        return size;
    }

    /** Hands every entry to {@code action}, segment by segment. */
    void forEach(BiConsumer<String, String> action) {
        for (Segment segment : segments) {
            if (segment != null) {
                segment.forEach(action);
            }
        }
    }

    /** Segment {@code index}, made this map's own (copied if shared) so that it can be changed. */
    private Segment writable(int index) {
        if (!owned[index]) {
            Segment shared = segments[index];
            segments[index] = shared == null ? new Segment() : shared.copy();
            owned[index] = true;
        }
        return segments[index];
    }

    /** The segment of a mixed hash: its top bits (a segment's slots come from its low bits). */
    private static int segmentOf(int hash) {
        return hash >>> (Integer.SIZE - SEGMENT_BITS);
    }

    /** Spreads every bit of a string's hash over all the bits (MurmurHash3's finaliser). */
    private static int mix(int hash) {
        int h = hash;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    /** Segments that turned into a {@code HashMap} (see the class comment); for tests. */
    int hashMapSegments() {
        int count = 0;
        for (Segment segment : segments) {
            if (segment != null && segment.fallback != null) {
                count++;
            }
        }
        return count;
    }

    /**
     * One segment: keys and values in two arrays, linear probing, at most half full; or, once a
     * probe run passed {@link #MAX_PROBE} slots, a {@code HashMap} for good.
     */
    static final class Segment {

        private static final int MIN_CAPACITY = 8;
        /** The longest probe run a put accepts before the segment turns into a {@code HashMap}. */
        static final int MAX_PROBE = 64;

        private String[] keys;
        private String[] values;
        private int count;
        /** The segment's entries once it turned into a map (the arrays are then null); else null. */
        private HashMap<String, String> fallback;

        Segment() {
            this(new String[MIN_CAPACITY], new String[MIN_CAPACITY], 0);
        }

        private Segment(String[] keys, String[] values, int count) {
            this.keys = keys;
            this.values = values;
            this.count = count;
        }

        private Segment(HashMap<String, String> fallback) {
            this.fallback = fallback;
        }

        Segment copy() {
            return fallback != null ? new Segment(new HashMap<>(fallback))
                    : new Segment(keys.clone(), values.clone(), count);
        }

        String get(String key, int hash) {
            if (fallback != null) {
                return fallback.get(key);
            }
            int mask = keys.length - 1;
            for (int slot = hash & mask; keys[slot] != null; slot = (slot + 1) & mask) {
                if (keys[slot].equals(key)) {
                    return values[slot];
                }
            }
            return null;
        }

        String put(String key, int hash, String value) {
            if (fallback != null) {
                return fallback.put(key, value);
            }
            int mask = keys.length - 1;
            int slot = hash & mask;
            int probed = 0;
            for (; keys[slot] != null; slot = (slot + 1) & mask) {
                if (keys[slot].equals(key)) {
                    String previous = values[slot];
                    values[slot] = value;
                    return previous;
                }
                probed++;
            }
            keys[slot] = key;
            values[slot] = value;
            if (probed > MAX_PROBE) {
                turnIntoHashMap();
            } else if (++count * 2 > keys.length) {
                grow();
            }
            return null;
        }

        private void turnIntoHashMap() {
            HashMap<String, String> map = new HashMap<>();
            forEach(map::put);
            fallback = map;
            keys = null;
            values = null;
        }

        /** Removes a key the segment holds, shifting back the entries that probed past it. */
        String remove(String key, int hash) {
            if (fallback != null) {
                return fallback.remove(key);
            }
            int mask = keys.length - 1;
            int hole = hash & mask;
            while (!keys[hole].equals(key)) {
                hole = (hole + 1) & mask;
            }
            String previous = values[hole];
            for (int next = (hole + 1) & mask; keys[next] != null; next = (next + 1) & mask) {
                int home = mix(keys[next].hashCode()) & mask;
                if (!cyclicallyWithin(home, hole, next)) { // its probe passed the hole: it moves into it
                    keys[hole] = keys[next];
                    values[hole] = values[next];
                    hole = next;
                }
            }
            keys[hole] = null;
            values[hole] = null;
            count--;
            return previous;
        }

        /** Whether {@code slot} lies in the cyclic range ({@code after}, {@code upTo}]. */
        private static boolean cyclicallyWithin(int slot, int after, int upTo) {
            return after <= upTo ? after < slot && slot <= upTo : after < slot || slot <= upTo;
        }

        void forEach(BiConsumer<String, String> action) {
            if (fallback != null) {
                fallback.forEach(action);
                return;
            }
            for (int slot = 0; slot < keys.length; slot++) {
                if (keys[slot] != null) {
                    action.accept(keys[slot], values[slot]);
                }
            }
        }

        private void grow() {
            String[] oldKeys = keys;
            String[] oldValues = values;
            keys = new String[oldKeys.length * 2];
            values = new String[oldKeys.length * 2];
            int mask = keys.length - 1;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != null) {
                    int slot = mix(oldKeys[i].hashCode()) & mask;
                    while (keys[slot] != null) {
                        slot = (slot + 1) & mask;
                    }
                    keys[slot] = oldKeys[i];
                    values[slot] = oldValues[i];
                }
            }
        }
    }
}
