package io.omnipaxos.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Entries that are {@link Long}s, as 8 big-endian bytes. Stateless and thread-safe; use {@link
 * #INSTANCE}.
 */
public final class LongCodec implements EntryCodec<Long> {

    /** The shared instance. */
    public static final LongCodec INSTANCE = new LongCodec();

    private static final int BYTES = Long.BYTES;

    private LongCodec() {}

    /** Writes {@code entry} as 8 big-endian bytes (whatever {@code out}'s byte order). */
    @Override
    public void encode(Long entry, ByteBuffer out) {
        long v = entry;
        out.putLong(out.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v));
    }

    /** Always 8. */
    @Override
    public int encodedSize(Long entry) {
        return BYTES;
    }

    /**
     * Reads 8 big-endian bytes.
     *
     * @throws DecodeException if {@code in} does not hold exactly 8 bytes
     */
    @Override
    public Long decode(ByteBuffer in) {
        if (in.remaining() != BYTES) {
            throw new DecodeException("a Long entry is " + BYTES + " bytes, got " + in.remaining());
        }
        long v = in.getLong();
        return in.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v);
    }
}
