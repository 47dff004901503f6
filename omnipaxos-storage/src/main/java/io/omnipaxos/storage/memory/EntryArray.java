package io.omnipaxos.storage.memory;

import io.omnipaxos.storage.StorageException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.RandomAccess;

/**
 * The retained log entries of a {@link MemoryStorage}: a growable array whose live part is
 * {@code slots[head, head + count)} and holds absolute indices {@code [firstIdx, firstIdx + count)}.
 * Dropping a prefix nulls the slots (so the entries can be collected) and moves {@code head};
 * the array is compacted or shrunk when mostly dead, so memory stays proportional to what is kept.
 */
final class EntryArray {

    private static final int MIN_CAPACITY = 16;
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 16;

    private Object[] slots = new Object[MIN_CAPACITY];
    private int head;
    private int count;
    private long firstIdx;

    long firstIdx() {
        return firstIdx;
    }

    long endIdx() {
        return firstIdx + count;
    }

    int capacity() {
        return slots.length;
    }

    void add(Object entry) {
        ensureRoom(1);
        slots[head + count++] = entry;
    }

    /**
     * Appends all of {@code entries}; one array store per entry (plus its null check). If an
     * entry is null nothing is appended and an {@link IllegalArgumentException} names its position.
     */
    void addAll(List<?> entries) {
        int n = entries.size();
        ensureRoom(n);
        int at = head + count;
        if (entries instanceof RandomAccess) {
            for (int i = 0; i < n; i++) {
                Object e = entries.get(i);
                if (e == null) {
                    rejectNull(at, i);
                }
                slots[at + i] = e;
            }
        } else {
            int i = 0;
            for (Object e : entries) {
                if (e == null) {
                    rejectNull(at, i);
                }
                slots[at + i++] = e;
            }
        }
        count += n;
    }

    private void rejectNull(int at, int i) {
        Arrays.fill(slots, at, at + i, null);
        throw new IllegalArgumentException("entries[" + i + "] must not be null");
    }

    /** Drops the entries at {@code idx} and above; {@code idx} is in {@code [firstIdx, endIdx]}. */
    void truncate(long idx) {
        int keep = (int) (idx - firstIdx);
        Arrays.fill(slots, head + keep, head + count, null);
        count = keep;
    }

    /**
     * Drops the entries below {@code idx} and releases them. If {@code idx > endIdx} every entry
     * is dropped and the array starts over at {@code idx} (the log jumps, as after a snapshot).
     */
    void dropPrefix(long idx) {
        int drop = (int) Math.min(count, Math.max(0, idx - firstIdx));
        Arrays.fill(slots, head, head + drop, null);
        head += drop;
        count -= drop;
        firstIdx = Math.max(firstIdx, idx);
        if (slots.length > MIN_CAPACITY && count < slots.length / 4) {
            resize(Math.max(MIN_CAPACITY, count * 2));
        }
    }

    /** Returns a copy of the entries {@code [from, to)}, which must be retained. */
    @SuppressWarnings("unchecked")
    <T> List<T> copy(long from, long to) {
        int start = head + (int) (from - firstIdx);
        Object[] out = Arrays.copyOfRange(slots, start, start + (int) (to - from));
        return (List<T>) Collections.unmodifiableList(Arrays.asList(out));
    }

    private void ensureRoom(int n) {
        if (head + count + n <= slots.length) {
            return;
        }
        long needed = (long) count + n;
        if (needed > MAX_CAPACITY) {
            throw new StorageException("MemoryStorage cannot hold more than " + MAX_CAPACITY
                    + " retained entries; asked for " + needed + " (trim the log)");
        }
        if (needed <= slots.length / 2) {
            // Plenty of dead slots in front: slide the live part down instead of growing.
            System.arraycopy(slots, head, slots, 0, count);
            Arrays.fill(slots, count, head + count, null);
            head = 0;
            return;
        }
        resize((int) Math.min(MAX_CAPACITY, Math.max(needed, (long) slots.length * 2)));
    }

    private void resize(int capacity) {
        Object[] next = new Object[capacity];
        System.arraycopy(slots, head, next, 0, count);
        slots = next;
        head = 0;
    }
}
