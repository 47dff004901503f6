package io.omnipaxos.codec;

/**
 * Constants of the wire format that {@link MessageCodec} writes (see its Javadoc for the layout).
 * All numbers are big-endian, fixed-width two's complement.
 */
final class WireFormat {

    /**
     * The only wire version this codec reads and writes. Bump it for incompatible layout changes.
     * Version 2: Trim carries the leader's ballot; SyncChunk (0x0D). Version 3: a snapshot request
     * is its own message, TakeSnapshot (0x0E), and Trim lost its snapshot flag. Version 4: a snapshot
     * larger than one message travels in SnapshotPart (0x10) and SnapshotPartAck (0x11), and
     * AcceptSync names how many parts came before it; linearizable reads confirm the leader with
     * ReadIndexCheck (0x12) and ReadIndexAck (0x13), and followers ask with ReadIndexRequest (0x14),
     * answered by ReadIndexReply (0x15).
     */
    static final int VERSION = 4;

    /** version(1) + tag(1) + from(8) + to(8) + configurationId(4). */
    static final int HEADER_BYTES = 1 + 1 + 8 + 8 + 4;

    /** n(8) + priority(4) + pid(8). */
    static final int BALLOT_BYTES = 8 + 4 + 8;

    /** session(8) + counter(8). */
    static final int SEQUENCE_NUMBER_BYTES = 8 + 8;

    /** The entry count before an entry list. */
    static final int COUNT_BYTES = 4;

    /** The length before each entry's bytes. */
    static final int LENGTH_BYTES = 4;

    private WireFormat() {}
}
