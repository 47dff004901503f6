package io.omnipaxos.examples.kv.state;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One session's recorded replies, in request-number order: a ring of numbers and replies. A client
 * numbers its requests in order and acknowledges a prefix, so a new reply almost always goes at
 * the end and acknowledged ones leave from the front, each in constant time; a reply out of order
 * (a retry that overtook others) is inserted in place. Lookups are binary searches. It replaces a
 * {@code TreeMap}, whose node per reply and walk over the acknowledged prefix (to count it, then
 * to clear it) were a tenth of a busy leader's time.
 */
final class RecordedReplies implements Iterable<KvReply> {

    private static final int INITIAL_CAPACITY = 4;

    private long[] numbers = new long[INITIAL_CAPACITY];
    private KvReply[] replies = new KvReply[INITIAL_CAPACITY];
    /** Slot of the lowest number. */
    private int head;
    private int size;

    int size() {
        return size;
    }

    /** The reply recorded for {@code number}, or null. */
    KvReply get(long number) {
        int at = search(number);
        return at >= 0 ? replies[slot(at)] : null;
    }

    /** Records {@code reply} for {@code number}, replacing one recorded for it before. */
    void put(long number, KvReply reply) {
        if (size > 0 && number <= numbers[slot(size - 1)]) {
            int at = search(number);
            if (at >= 0) {
                replies[slot(at)] = reply;
                return;
            }
            insert(-at - 1, number, reply);
            return;
        }
        ensureRoom();
        numbers[slot(size)] = number;
        replies[slot(size)] = reply;
        size++;
    }

    /** Forgets every reply numbered up to {@code number}; returns how many there were. */
    int removeUpTo(long number) {
        int removed = 0;
        while (size > 0 && numbers[head] <= number) {
            replies[head] = null;
            head = (head + 1) % numbers.length;
            size--;
            removed++;
        }
        if (size == 0) {
            head = 0;
        }
        if (numbers.length > INITIAL_CAPACITY && size <= numbers.length / 4) {
            resize(Math.max(INITIAL_CAPACITY, numbers.length / 2)); // a session's memory follows its load
        }
        return removed;
    }

    /** A copy sharing only the (immutable) replies. */
    RecordedReplies copy() {
        RecordedReplies copy = new RecordedReplies();
        copy.numbers = numbers;
        copy.replies = replies;
        copy.head = head;
        copy.size = size;
        copy.resize(Math.max(INITIAL_CAPACITY, size)); // new arrays
        return copy;
    }

    /** The replies in request-number order. */
    @Override
    public Iterator<KvReply> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public KvReply next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                return replies[slot(next++)];
            }
        };
    }

    /** The slot of the {@code i}-th lowest number. */
    private int slot(int i) {
        return (head + i) % numbers.length;
    }

    /** The rank of {@code number} if recorded, else {@code -(rank it would take) - 1}. */
    private int search(long number) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long found = numbers[slot(mid)];
            if (found < number) {
                low = mid + 1;
            } else if (found > number) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -low - 1;
    }

    private void insert(int rank, long number, KvReply reply) {
        ensureRoom();
        for (int i = size; i > rank; i--) {
            numbers[slot(i)] = numbers[slot(i - 1)];
            replies[slot(i)] = replies[slot(i - 1)];
        }
        numbers[slot(rank)] = number;
        replies[slot(rank)] = reply;
        size++;
    }

    /** Doubles the ring when it is full. */
    private void ensureRoom() {
        if (size == numbers.length) {
            resize(numbers.length * 2);
        }
    }

    /** Moves the replies into a ring of {@code capacity} (at least {@link #size}), unwrapped. */
    private void resize(int capacity) {
        long[] movedNumbers = new long[capacity];
        KvReply[] movedReplies = new KvReply[capacity];
        for (int i = 0; i < size; i++) {
            movedNumbers[i] = numbers[slot(i)];
            movedReplies[i] = replies[slot(i)];
        }
        numbers = movedNumbers;
        replies = movedReplies;
        head = 0;
    }

}
