package io.omnipaxos.codec;

import java.nio.ByteBuffer;

/**
 * Turns the user's entries into bytes and back, for the wire ({@link MessageCodec}) and for
 * persistent storage. Never Java serialization.
 *
 * <p>{@link #decode} must read exactly the bytes {@link #encode} wrote for one entry, and must
 * throw {@link DecodeException} (never anything else) for bytes it cannot decode.
 *
 * @param <T> the user's entry type
 */
public interface EntryCodec<T> {

    /** Writes {@code entry} to {@code out}; {@code out} has at least {@link #encodedSize} bytes left. */
    void encode(T entry, ByteBuffer out);

    /** The number of bytes {@link #encode} writes for {@code entry}. */
    int encodedSize(T entry);

    /**
     * Reads one entry from {@code in}, which holds exactly the bytes of that entry.
     *
     * @throws DecodeException if the bytes are not a valid entry
     */
    T decode(ByteBuffer in);
}
