package io.omnipaxos.storage.persistent;

import java.util.List;

/**
 * The entries appended last, kept in memory as the objects that were written: a server reads back
 * what it appended a few milliseconds earlier (the decided entries it hands to the application,
 * the entries a leader sends to a follower that was behind), and a read from here needs no queue
 * seek, no checksum and no decoding. It is a window of consecutive log indices {@code [start,
 * end)}, bounded by a number of entries and of encoded bytes: the oldest
 * leave first, and an entry larger than the byte bound is never kept.
 *
 * <p>It follows every change of the logical log: an overwritten suffix or a compacted prefix leaves
 * the window, and an append that does not continue it (after a snapshot beyond the log's end)
 * starts a new one. A read the window does not cover goes to the queue, so this changes what a read
 * costs, never what it returns. Not thread-safe, like the log it belongs to.
 *
 * @param <T> the user's entry type
 */
final class RecentEntries<T> {

    private final long maxBytes;
    /** The ring; its length is the entry bound. */
    private final Object[] entries;
    private final int[] sizes;
    /** The log index of the oldest entry kept. */
    private long start;
    /** Where the oldest entry is in the ring. */
    private int head;
    private int count;
    private long bytes;

    /**
     * @param maxEntries at most this many entries are kept
     * @param maxBytes at most this many encoded bytes are kept
     */
    RecentEntries(int maxEntries, long maxBytes) {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("bounds must be positive: " + maxEntries + " entries, " + maxBytes
                    + " bytes");
        }
        this.maxBytes = maxBytes;
        this.entries = new Object[maxEntries];
        this.sizes = new int[maxEntries];
    }

    /** {@code entry}, {@code size} bytes encoded, was appended at log index {@code idx}. */
    void appended(long idx, T entry, int size) {
        if (idx != end()) {
            clear(idx); // not a continuation: a new window starts here
        }
        if (size > maxBytes) {
            clear(idx + 1);
            return;
        }
        while (count == entries.length || bytes + size > maxBytes) {
            dropOldest();
        }
        int slot = slot(count);
        entries[slot] = entry;
        sizes[slot] = size;
        count++;
        bytes += size;
    }

    /** The log indices from {@code fromIdx} on were forgotten (a suffix about to be overwritten). */
    void truncate(long fromIdx) {
        if (fromIdx <= start) {
            clear(fromIdx);
            return;
        }
        while (end() > fromIdx) {
            int slot = slot(count - 1);
            bytes -= sizes[slot];
            entries[slot] = null;
            count--;
        }
    }

    /** The log indices below {@code idx} were compacted away. */
    void dropBelow(long idx) {
        if (idx >= end()) {
            clear(idx);
            return;
        }
        while (start < idx) {
            dropOldest();
        }
    }

    /** Whether every index of {@code [from, to)} is kept. */
    boolean covers(long from, long to) {
        return from >= start && to <= end() && from <= to;
    }

    /** Adds the entries at {@code [from, to)}, which {@link #covers} them, to {@code out}. */
    @SuppressWarnings("unchecked")
    void copy(long from, long to, List<T> out) {
        for (long idx = from; idx < to; idx++) {
            out.add((T) entries[slot((int) (idx - start))]);
        }
    }

    /** One past the newest index kept (the window's start if none is). */
    long end() {
        return start + count;
    }

    /** How many entries are kept. */
    int size() {
        return count;
    }

    /** The encoded bytes of the entries kept. */
    long bytes() {
        return bytes;
    }

    private void dropOldest() {
        entries[head] = null;
        bytes -= sizes[head];
        head = (head + 1) % entries.length;
        count--;
        start++;
    }

    private void clear(long newStart) {
        while (count > 0) {
            dropOldest();
        }
        start = newStart;
        head = 0;
    }

    private int slot(int offset) {
        return (head + offset) % entries.length;
    }
}
