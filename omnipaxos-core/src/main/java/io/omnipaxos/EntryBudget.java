package io.omnipaxos;

import io.omnipaxos.codec.EntryCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * How many entry bytes one message may carry ({@code max_message_bytes}), and the sizes of entries
 * as the application's entry codec encodes them (plus the 4-byte length prefix each has on the
 * wire). Without a codec sizes are unknown: every entry counts as 0 bytes and only entry counts
 * bound messages, as before byte budgets existed.
 *
 * <p>Reading a range for a message goes page by page, so a follower far behind never makes the
 * leader load its whole missing suffix into memory at once.
 */
final class EntryBudget<T> {

    /** Entries read from storage at a time while filling a message. */
    private static final int READ_PAGE = 256;

    private final EntryCodec<T> codec;
    private final long maxBytes;

    EntryBudget(EntryCodec<T> codec, long maxBytes) {
        this.codec = codec;
        this.maxBytes = maxBytes;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** The bytes {@code entry} takes in a message's entry list; 0 when sizes are unknown. */
    long sizeOf(T entry) {
        return codec == null ? 0 : 4L + codec.encodedSize(entry);
    }

    /**
     * Whether {@code snapshot} goes in {@link io.omnipaxos.messages.SnapshotPart}s rather than
     * inside the AcceptSync: it takes more than half a message, so with it the AcceptSync would have
     * little room left for entries. Never without a codec (sizes are unknown then).
     */
    boolean sendsInParts(T snapshot) {
        return codec != null && sendsInParts(codec.encodedSize(snapshot));
    }

    /** {@link #sendsInParts} for a snapshot the entry codec encodes to {@code encodedBytes}. */
    boolean sendsInParts(int encodedBytes) {
        return 4L + encodedBytes > maxBytes / 2;
    }

    /**
     * The compacted prefix's snapshot in the entry codec's bytes, if the storage keeps it so
     * ({@link io.omnipaxos.storage.Storage#getSnapshotBytes}); null without a codec or if it does not.
     */
    byte[] storedSnapshotBytes(LogStore<T> log) {
        return codec == null ? null : log.snapshotBytes(codec).orElse(null);
    }

    /** {@code value} in the bytes the entry codec gives it (a codec is present: see {@link #sendsInParts}). */
    byte[] encode(T value) {
        ByteBuffer out = ByteBuffer.allocate(codec.encodedSize(value));
        codec.encode(value, out);
        if (out.hasRemaining()) {
            throw new IllegalStateException("EntryCodec " + codec.getClass().getName() + " wrote "
                    + out.position() + " bytes, but its encodedSize said " + out.capacity());
        }
        return out.array();
    }

    /**
     * Decodes a value the entry codec encoded into {@code bytes}.
     *
     * @throws IllegalArgumentException if there is no codec, the codec fails, or bytes are left over
     */
    T decode(byte[] bytes) {
        if (codec == null) {
            throw new IllegalArgumentException("no entry codec to decode a snapshot sent in parts");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        T value;
        try {
            value = codec.decode(in);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the entry codec could not decode a snapshot of " + bytes.length
                    + " bytes: " + e.getMessage(), e);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("the entry codec left " + in.remaining() + " of a snapshot's "
                    + bytes.length + " bytes unread");
        }
        return value;
    }

    /** Refuses an entry that no message could carry. */
    void requireFits(T entry) {
        long size = sizeOf(entry);
        if (size > maxBytes) {
            throw new AppendRejectedException(AppendRejectedException.Reason.ENTRY_TOO_LARGE,
                    "the entry encodes to " + (size - 4) + " bytes, more than max_message_bytes (" + maxBytes
                            + ") allows in one message");
        }
    }

    /** Whether {@code entries} fill a message: one more entry of any size may not fit. */
    boolean isFull(long bytes) {
        return codec != null && bytes >= maxBytes;
    }

    /**
     * The entries of one message from {@code from}: all of {@code [from, mustEnd)} (whatever their
     * size: the protocol requires them together), then more up to {@code to} while the total stays
     * within the budget, and always at least one entry if {@code from < to}.
     */
    List<T> read(LogStore<T> log, long from, long mustEnd, long to) {
        return read(log, from, mustEnd, to, 0);
    }

    /** Like {@link #read(LogStore, long, long, long)} in a message that already holds {@code reservedBytes}. */
    List<T> read(LogStore<T> log, long from, long mustEnd, long to, long reservedBytes) {
        if (codec == null || from >= to) {
            return from < to ? log.entries(from, to) : List.of();
        }
        List<T> out = new ArrayList<>(log.entries(from, Math.max(from, mustEnd)));
        long bytes = reservedBytes;
        for (T entry : out) {
            bytes += sizeOf(entry);
        }
        long next = from + out.size();
        while (next < to) {
            List<T> page = log.entries(next, Math.min(to, next + READ_PAGE));
            for (T entry : page) {
                long size = sizeOf(entry);
                if (!out.isEmpty() && bytes + size > maxBytes) {
                    return out;
                }
                out.add(entry);
                bytes += size;
            }
            next += page.size();
        }
        return out;
    }

    /** Splits {@code entries} into consecutive runs that each fit the budget (one entry at least). */
    List<List<T>> split(List<T> entries) {
        if (codec == null) {
            return List.of(entries);
        }
        List<List<T>> parts = new ArrayList<>();
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            long size = sizeOf(entries.get(i));
            if (i > start && bytes + size > maxBytes) {
                parts.add(entries.subList(start, i));
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
        parts.add(entries.subList(start, entries.size()));
        return parts;
    }
}
