package io.omnipaxos.codec;

import java.nio.ByteBuffer;

/**
 * Turns the user's entries into bytes and back, for the wire ({@link MessageCodec}) and for
 * persistent storage. Never Java serialization.
 *
 * <p>{@link #decode} must read exactly the bytes {@link #encode} wrote for one entry, and must
 * throw {@link DecodeException} (never anything else) for bytes it cannot decode.
 *
 * <p>The codec writes no length of its own: {@link MessageCodec} frames every entry with a length
 * prefix. It hands {@link #encode} the frame buffer positioned where the entry goes, and hands
 * {@link #decode} a fresh big-endian slice holding exactly the entry's bytes (position 0, limit =
 * the entry's length). A {@code decode} that leaves bytes unread is rejected, and any exception it
 * throws is reported as a {@link DecodeException}. See {@link StringCodec}, {@link BytesCodec} and
 * {@link LongCodec} for ready-made codecs.
 *
 * <p>A {@link MessageCodec} is typically shared between threads (e.g. Netty event loops) and is
 * thread-safe only if its entry codec is, so implementations should be stateless or thread-safe.
 *
 * @param <T> the user's entry type
 */
public interface EntryCodec<T> {

    /**
     * Writes {@code entry} at {@code out}'s position, advancing it by exactly {@link #encodedSize}
     * bytes; {@code out} has at least that many bytes left.
     */
    void encode(T entry, ByteBuffer out);

    /**
     * The number of bytes {@link #encode} writes for {@code entry}. Must agree with {@link #encode};
     * {@link MessageCodec} uses it to size frames and reports a disagreement as a bug.
     */
    int encodedSize(T entry);

    /**
     * Reads one entry from {@code in}, whose remaining bytes are exactly the bytes of that entry;
     * reads all of them.
     *
     * @throws DecodeException if the bytes are not a valid entry
     */
    T decode(ByteBuffer in);
}
