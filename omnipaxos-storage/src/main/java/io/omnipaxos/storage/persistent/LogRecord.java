package io.omnipaxos.storage.persistent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One log record as read back from the queue. On disk a record is the body of one Chronicle
 * document: {@code kind (1 byte) | logical index (8) | entry bytes (EntryCodec) | CRC32C (4)},
 * little-endian, the checksum covering everything before it. A record is at most {@link
 * QueueLog#MAX_RECORD_BYTES} long: no longer one is ever written, nor read (see {@link TailCheck}).
 *
 * @param queueIndex the Chronicle index of the document
 * @param kind {@link #PLAIN}, {@link #PLAIN_CONTINUED} or {@link #BATCH}, or anything else if corrupt
 * @param logicalIdx the log index the record was written for
 * @param payload the entry bytes
 * @param intact whether the record is long enough and its checksum matches
 */
record LogRecord(long queueIndex, byte kind, long logicalIdx, ByteBuffer payload, boolean intact) {

    /**
     * Written by a plain append; valid on its own once synced (see {@link PersistentStorage}). In the
     * asynchronous mode it is the last record of its write, and it validates the {@link
     * #PLAIN_CONTINUED} records just before it.
     */
    static final byte PLAIN = 1;

    /** Written by appendOnPrefix or writeAtomically; valid only once a MapDB commit covers it. */
    static final byte BATCH = 2;

    /**
     * Written by a plain append of the asynchronous mode, for every record of the write but its last
     * (a {@link #PLAIN}): valid only together with that last record, so a write that a crash cut
     * short is dropped whole on open ({@link TailReplay}). Code from before this kind refuses it as
     * corrupt rather than misread it.
     */
    static final byte PLAIN_CONTINUED = 3;

    /** Bytes before the entry: kind and logical index. */
    static final int HEADER = 9;

    /** Bytes after the entry: the checksum. */
    static final int TRAILER = 4;

    /** Parses the raw body of a document; never throws for bad bytes, it reports them as not intact. */
    static LogRecord parse(long queueIndex, byte[] raw) {
        if (raw.length < HEADER + TRAILER) {
            return new LogRecord(queueIndex, (byte) 0, -1, ByteBuffer.allocate(0), false);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int bodyLength = raw.length - TRAILER;
        boolean crcOk = Checksums.crc32c(raw, 0, bodyLength) == b.getInt(bodyLength);
        byte kind = b.get(0);
        boolean kindOk = kind == PLAIN || kind == BATCH || kind == PLAIN_CONTINUED;
        ByteBuffer payload = ByteBuffer.wrap(raw, HEADER, bodyLength - HEADER).slice();
        return new LogRecord(queueIndex, kind, b.getLong(1), payload, crcOk && kindOk);
    }

    /** Whether this intact record was written by a plain append. */
    boolean isPlain() {
        return kind == PLAIN || kind == PLAIN_CONTINUED;
    }

    /** Whether this intact record is the last of its write (a batch's records are valid only by a commit). */
    boolean endsPlainWrite() {
        return kind == PLAIN;
    }
}
