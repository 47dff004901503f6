package io.omnipaxos.codec;

import java.nio.ByteBuffer;

/**
 * Entries that are raw {@code byte[]}s, written as they are (the {@link MessageCodec} frames each
 * entry, so no length is added). Decoding always returns a fresh array of the entry's bytes, empty
 * arrays included. Stateless and thread-safe; use {@link #INSTANCE}.
 *
 * <p>Note that {@code byte[]} has identity equality, so messages holding such entries compare
 * equal only if they share the arrays; compare entries with {@link java.util.Arrays#equals}.
 */
public final class BytesCodec implements EntryCodec<byte[]> {

    /** The shared instance. */
    public static final BytesCodec INSTANCE = new BytesCodec();

    private BytesCodec() {}

    /** Writes the bytes of {@code entry} as they are. */
    @Override
    public void encode(byte[] entry, ByteBuffer out) {
        out.put(entry);
    }

    /** The length of {@code entry}. */
    @Override
    public int encodedSize(byte[] entry) {
        return entry.length;
    }

    /** Copies all of {@code in}'s remaining bytes into a new array; any bytes are valid. */
    @Override
    public byte[] decode(ByteBuffer in) {
        byte[] entry = new byte[in.remaining()];
        in.get(entry);
        return entry;
    }
}
