package io.omnipaxos.codec;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.messages.SequenceNumber;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads the fields of one frame with bounds checks, turning every problem into a {@link
 * DecodeException} that names the field and its byte offset from the start of the frame.
 *
 * <p>It reads from its own big-endian view of the caller's buffer, so the caller's position, limit
 * and byte order are neither used nor disturbed.
 */
final class FrameReader<T> {

    private final ByteBuffer buf;
    private final int start;
    private final EntryCodec<T> entryCodec;
    private final Limits limits;

    /** What is being decoded, for error messages: "frame" until the tag is known, then the type. */
    private String context = "frame";

    FrameReader(ByteBuffer frame, EntryCodec<T> entryCodec, Limits limits) {
        this.buf = frame.duplicate(); // duplicate() is always BIG_ENDIAN, whatever frame's order
        this.start = buf.position();
        this.entryCodec = entryCodec;
        this.limits = limits;
    }

    /** Names the message type being decoded in later error messages. */
    void context(String typeName) {
        this.context = typeName;
    }

    /** The offset of the next byte to read, counted from the start of the frame. */
    int offset() {
        return buf.position() - start;
    }

    int remaining() {
        return buf.remaining();
    }

    /** An exception naming the problem and the byte offset (from the start of the frame) it is at. */
    DecodeException error(int offset, String problem) {
        return new DecodeException(context + " at byte offset " + offset + ": " + problem);
    }

    DecodeException error(int offset, String problem, Throwable cause) {
        return new DecodeException(context + " at byte offset " + offset + ": " + problem, cause);
    }

    private void need(int bytes, String field) {
        if (buf.remaining() < bytes) {
            throw error(offset(), "truncated: " + field + " needs " + bytes + " byte(s), only "
                    + buf.remaining() + " left");
        }
    }

    int readUnsignedByte(String field) {
        need(1, field);
        return buf.get() & 0xFF;
    }

    int readInt(String field) {
        need(4, field);
        return buf.getInt();
    }

    long readLong(String field) {
        need(8, field);
        return buf.getLong();
    }

    boolean readBoolean(String field) {
        int at = offset();
        int b = readUnsignedByte(field);
        if (b > 1) {
            throw error(at, field + " must be 0 or 1, got 0x" + hex(b));
        }
        return b == 1;
    }

    Ballot readBallot(String field) {
        int at = offset();
        need(WireFormat.BALLOT_BYTES, field);
        long n = buf.getLong();
        int priority = buf.getInt();
        long pid = buf.getLong();
        try {
            return new Ballot(n, priority, pid);
        } catch (IllegalArgumentException e) {
            throw error(at, "invalid " + field + ": " + e.getMessage(), e);
        }
    }

    SequenceNumber readSequenceNumber(String field) {
        int at = offset();
        need(WireFormat.SEQUENCE_NUMBER_BYTES, field);
        long session = buf.getLong();
        long counter = buf.getLong();
        try {
            return new SequenceNumber(session, counter);
        } catch (IllegalArgumentException e) {
            throw error(at, "invalid " + field + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an entry count and that many length-prefixed entries. The count is checked against the
     * limit and against the bytes left (each entry needs at least its length prefix) before the list
     * is allocated, so a frame claiming 2^31 entries costs nothing.
     */
    List<T> readEntries(String field) {
        int at = offset();
        int count = readInt(field + " count");
        if (count < 0) {
            throw error(at, field + " count is negative: " + count);
        }
        if (count > limits.maxEntriesPerMessage()) {
            throw error(at, field + " count " + count + " exceeds maxEntriesPerMessage "
                    + limits.maxEntriesPerMessage());
        }
        if ((long) count * WireFormat.LENGTH_BYTES > buf.remaining()) {
            throw error(at, field + " count " + count + " cannot fit in the " + buf.remaining()
                    + " byte(s) left (each entry needs at least " + WireFormat.LENGTH_BYTES + ")");
        }
        if (count == 0) {
            return Collections.emptyList();
        }
        List<T> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            entries.add(readEntry(field, i, count));
        }
        return Collections.unmodifiableList(entries);
    }

    /** Reads a count and that many log indices, the count bounded like an entry count and by the bytes left. */
    List<Long> readIndices(String field) {
        int at = offset();
        int count = readInt(field + " count");
        if (count < 0 || count > limits.maxEntriesPerMessage() || (long) count * 8 > buf.remaining()) {
            throw error(at, field + " count " + count + " is negative, exceeds maxEntriesPerMessage "
                    + limits.maxEntriesPerMessage() + " or does not fit the " + buf.remaining() + " byte(s) left");
        }
        List<Long> indices = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            indices.add(readLong(field + "[" + i + "]"));
        }
        return indices;
    }

    private T readEntry(String field, int index, int count) {
        return readSizedEntry(field + "[" + index + "] (of " + count + ")", limits.maxEntryBytes(), "maxEntryBytes");
    }

    /**
     * Reads an optional snapshot: a presence byte, then a length-prefixed value for the EntryCodec,
     * bounded by the frame limit rather than the entry limit. Null when absent.
     */
    T readOptionalSnapshot(String field) {
        if (!readBoolean(field + " present")) {
            return null;
        }
        return readSizedEntry(field, limits.maxFrameBytes(), "maxFrameBytes");
    }

    /** Reads a length-prefixed run of raw bytes (a snapshot part), bounded by the frame limit. */
    byte[] readBytes(String field) {
        int at = offset();
        int length = readInt(field + " length");
        if (length < 0 || length > limits.maxFrameBytes() || length > buf.remaining()) {
            throw error(at, field + " length " + length + " is invalid: must be 0.."
                    + Math.min(limits.maxFrameBytes(), buf.remaining()) + " (maxFrameBytes " + limits.maxFrameBytes()
                    + ", " + buf.remaining() + " byte(s) left)");
        }
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return bytes;
    }

    /** Reads a non-negative 32-bit count or number. */
    int readCount(String field) {
        int at = offset();
        int value = readInt(field);
        if (value < 0) {
            throw error(at, field + " " + value + " is negative");
        }
        return value;
    }

    /** Reads an optional stop-sign: a presence byte, then the {@link StopSignCodec} layout. Null when absent. */
    StopSign readOptionalStopSign(String field) {
        return readBoolean(field + " present") ? readStopSign(field) : null;
    }

    /** Reads a stop-sign in the {@link StopSignCodec} layout. */
    StopSign readStopSign(String field) {
        int at = offset();
        try {
            return StopSignCodec.decode(buf);
        } catch (DecodeException e) {
            throw error(at, field + ": " + e.getMessage(), e);
        }
    }

    private T readSizedEntry(String name, int maxBytes, String limitName) {
        int at = offset();
        int length = readInt(name + " length");
        if (length < 0 || length > maxBytes || length > buf.remaining()) {
            throw error(at, name + " length " + length + " is invalid: must be 0.."
                    + Math.min(maxBytes, buf.remaining())
                    + " (" + limitName + " " + maxBytes + ", " + buf.remaining() + " byte(s) left)");
        }
        // A slice holding exactly this entry: the codec cannot see or disturb anything else.
        ByteBuffer slice = buf.slice(buf.position(), length);
        T entry = decodeEntry(slice, name, at + WireFormat.LENGTH_BYTES);
        if (slice.position() != length) {
            throw error(at + WireFormat.LENGTH_BYTES, name + ": EntryCodec consumed " + slice.position()
                    + " of its " + length + " byte(s)");
        }
        buf.position(buf.position() + length);
        return entry;
    }

    private T decodeEntry(ByteBuffer slice, String name, int at) {
        try {
            return entryCodec.decode(slice);
        } catch (DecodeException e) {
            throw error(at, name + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // EntryCodec must throw only DecodeException; keep our own contract even if it does not.
            throw error(at, name + ": EntryCodec threw " + e, e);
        }
    }

    /** Rejects bytes after a complete message: they mean the sender and receiver disagree on the layout. */
    void expectEnd() {
        if (buf.hasRemaining()) {
            throw error(offset(), buf.remaining() + " trailing byte(s) after a complete message");
        }
    }

    static String hex(int unsignedByte) {
        return String.format("%02x", unsignedByte);
    }
}
