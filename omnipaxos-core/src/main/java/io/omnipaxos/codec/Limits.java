package io.omnipaxos.codec;

/**
 * Upper bounds that {@link MessageCodec} enforces on every frame it encodes or decodes.
 *
 * <p>They protect a server from a peer (or a corrupted stream) that claims huge sizes: every count
 * and length read from a frame is checked against these limits and against the bytes actually left
 * in the frame before anything is allocated. Both sides of a connection should use the same limits,
 * and the transport's own frame limit (for example Netty's {@code LengthFieldBasedFrameDecoder
 * maxFrameLength}) should be at least {@link #maxFrameBytes}, so that whatever one side encodes the
 * other side accepts.
 *
 * @param maxFrameBytes the largest frame, in bytes, that is encoded or decoded; must be positive
 * @param maxEntriesPerMessage the largest number of entries in one message's entry list; must be
 *     positive
 * @param maxEntryBytes the largest encoded size of a single entry, in bytes; must be positive
 */
public record Limits(int maxFrameBytes, int maxEntriesPerMessage, int maxEntryBytes) {

    /** The default frame limit: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    /**
     * The default entry-count limit: 262,144. Large enough for any sensible batch, yet it bounds the
     * entry list a decoder allocates regardless of what the frame claims.
     */
    public static final int DEFAULT_MAX_ENTRIES_PER_MESSAGE = 256 * 1024;

    /** The default single-entry limit: 1 MiB. */
    public static final int DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

    /** The default limits: 16 MiB frames, 262,144 entries per message, 1 MiB entries. */
    public static final Limits DEFAULT =
            new Limits(DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_ENTRIES_PER_MESSAGE, DEFAULT_MAX_ENTRY_BYTES);

    /** Validates that every limit is positive. */
    public Limits {
        requirePositive("maxFrameBytes", maxFrameBytes);
        requirePositive("maxEntriesPerMessage", maxEntriesPerMessage);
        requirePositive("maxEntryBytes", maxEntryBytes);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
