package io.omnipaxos.codec;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.AcceptStopSign;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Accepted;
import io.omnipaxos.messages.Decide;
import io.omnipaxos.messages.HeartbeatReply;
import io.omnipaxos.messages.HeartbeatRequest;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.NotAccepted;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.messages.PrepareReq;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.ProposalAck;
import io.omnipaxos.messages.ProposalForward;
import io.omnipaxos.messages.ReadIndexAck;
import io.omnipaxos.messages.ReadIndexCheck;
import io.omnipaxos.messages.ReadIndexReply;
import io.omnipaxos.messages.ReadIndexRequest;
import io.omnipaxos.messages.SequenceNumber;
import io.omnipaxos.messages.SnapshotPart;
import io.omnipaxos.messages.SnapshotPartAck;
import io.omnipaxos.messages.StopSignForward;
import io.omnipaxos.messages.SyncChunk;
import io.omnipaxos.messages.TakeSnapshot;
import io.omnipaxos.messages.Trim;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * Encodes OmniPaxos {@link Message}s to binary frames and decodes them back, with the user's
 * entries handled by an {@link EntryCodec}. No reflection, no Java serialization.
 *
 * <p>A frame is one message and nothing else; the transport delimits frames (for TCP typically a
 * length field before each frame, e.g. Netty's {@code LengthFieldPrepender} and {@code
 * LengthFieldBasedFrameDecoder}). All numbers are big-endian and fixed-width:
 *
 * <pre>
 * offset size  field
 * 0      1     version           (4)
 * 1      1     tag               (message type, see below)
 * 2      8     from              (pid)
 * 10     8     to                (pid)
 * 18     4     configurationId
 * 22     ...   body: the type's fixed-size fields in record-component order, then its entry list
 *
 * Ballot         = n:i64 priority:i32 pid:i64                      (20 bytes)
 * SequenceNumber = session:i64 counter:i64                         (16 bytes)
 * boolean        = one byte, 0 or 1
 * entry list     = count:i32, then count times (length:i32, length bytes for the EntryCodec)
 * stop-sign      = the {@link StopSignCodec} layout
 * tail           = snapshot? stop-sign?   (each: present:boolean, then if present the value;
 *                                          a snapshot is length:i32 + bytes for the EntryCodec)
 *
 * tag  type              body
 * 0x01 PrepareReq        -
 * 0x02 Prepare           ballot decidedIdx:i64 acceptedRound acceptedIdx:i64
 * 0x03 Promise           ballot acceptedRound decidedIdx:i64 acceptedIdx:i64 suffixIdx:i64 suffix tail
 * 0x04 AcceptSync        ballot sequenceNumber syncIdx:i64 decidedIdx:i64 snapshotParts:i32 suffix tail
 * 0x05 AcceptDecide      ballot sequenceNumber decidedIdx:i64 entries
 * 0x06 Accepted          ballot acceptedIdx:i64
 * 0x07 Decide            ballot sequenceNumber decidedIdx:i64 established:boolean
 * 0x08 NotAccepted       ballot
 * 0x09 ProposalForward   ballot session:i64 firstSeq:i64 entries
 * 0x0A Trim              ballot trimIdx:i64
 * 0x0B AcceptStopSign    ballot sequenceNumber decidedIdx:i64 stop-sign
 * 0x0C StopSignForward   stop-sign
 * 0x0D SyncChunk         ballot fromIdx:i64 decidedIdx:i64 entries
 * 0x0E TakeSnapshot      ballot snapshotIdx:i64
 * 0x0F ProposalAck       ballot session:i64 firstSeq:i64 count:i32 idx:i64 * count
 * 0x10 SnapshotPart      ballot snapshotIdx:i64 partNo:i32 length:i32 bytes
 * 0x11 SnapshotPartAck   ballot snapshotIdx:i64 partNo:i32
 * 0x12 ReadIndexCheck    ballot round:i64
 * 0x13 ReadIndexAck      ballot round:i64
 * 0x14 ReadIndexRequest  ballot firstReadId:i64 count:i32
 * 0x15 ReadIndexReply    ballot firstReadId:i64 count:i32 readIdx:i64
 * 0x41 HeartbeatRequest  round:i64
 * 0x42 HeartbeatReply    round:i64 ballot quorumConnected:boolean
 * </pre>
 *
 * <p>Entry lists come after the fixed-size fields, so every field before them sits at a fixed
 * offset; only the optional tail and stop-signs follow them. A snapshot may be as large as a frame. Tags
 * {@code 0x01..0x3F} are Sequence Paxos, {@code 0x40..0x7F} Ballot Leader Election; tags are never
 * reused, and new message types get new tags. The encoding is canonical: a frame that decodes
 * re-encodes to the same bytes.
 *
 * <p>Decoding is hardened for untrusted input: every count and length is checked against {@link
 * Limits} and against the bytes actually left before anything is allocated, trailing bytes are
 * rejected, and every problem, including field values the message records reject, surfaces as a
 * {@link DecodeException} naming the problem and its byte offset.
 *
 * <p>Instances are immutable and thread-safe if the {@link EntryCodec} is.
 *
 * @param <T> the user's entry type
 */
public final class MessageCodec<T> {

    private final EntryCodec<T> entryCodec;
    private final Limits limits;
    private final FrameWriter<T> writer;

    /** A codec with {@link Limits#DEFAULT}. */
    public MessageCodec(EntryCodec<T> entryCodec) {
        this(entryCodec, Limits.DEFAULT);
    }

    /** A codec that enforces {@code limits} when encoding and decoding. */
    public MessageCodec(EntryCodec<T> entryCodec, Limits limits) {
        this.entryCodec = Objects.requireNonNull(entryCodec, "entryCodec");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.writer = new FrameWriter<>(entryCodec, limits);
    }

    /** The limits this codec enforces. */
    public Limits limits() {
        return limits;
    }

    /** The codec for the entries inside messages. */
    public EntryCodec<T> entryCodec() {
        return entryCodec;
    }

    // ---------------------------------------------------------------- encoding

    /**
     * The exact size of the frame {@link #encode(Message, ByteBuffer)} writes for {@code message}.
     * Calls {@link EntryCodec#encodedSize} once per entry.
     *
     * @throws IllegalArgumentException if the message exceeds a {@link Limits limit} (the peer would
     *     reject it); the message names the size
     */
    public int encodedSize(Message<T> message) {
        return writer.frameSize(MessageTag.of(message), message);
    }

    /**
     * Encodes {@code message} into a new array holding exactly its frame.
     *
     * @throws IllegalArgumentException if the message exceeds a {@link Limits limit}
     * @throws IllegalStateException if the {@link EntryCodec} writes a different number of bytes
     *     than its {@link EntryCodec#encodedSize} announced
     */
    public byte[] encode(Message<T> message) {
        int size = encodedSize(message);
        byte[] frame = new byte[size];
        int written;
        try {
            written = encode(message, ByteBuffer.wrap(frame));
        } catch (BufferOverflowException e) {
            throw sizeMismatch(size, "more than that", e);
        }
        if (written != size) {
            throw sizeMismatch(size, Integer.toString(written), null);
        }
        return frame;
    }

    /**
     * Writes the frame of {@code message} at {@code out}'s position and advances the position past
     * it. Entries are written straight into {@code out} (no intermediate copies), which makes this
     * the method for pooled or direct buffers: for Netty, size the buffer with {@link #encodedSize}
     * and write into {@code byteBuf.nioBuffer(writerIndex, size)}, or size the length field from
     * the returned count. {@code out}'s byte order is ignored: frames are always big-endian.
     *
     * <p>On an exception {@code out}'s position is unchanged, but bytes after it may have been
     * overwritten.
     *
     * @return the number of bytes written, which equals {@link #encodedSize} for a correct {@link
     *     EntryCodec}
     * @throws IllegalArgumentException if the message exceeds a {@link Limits limit}
     * @throws BufferOverflowException if {@code out} has fewer than {@link #encodedSize} bytes left
     */
    public int encode(Message<T> message, ByteBuffer out) {
        MessageTag tag = MessageTag.of(message);
        ByteBuffer w = out.duplicate(); // always BIG_ENDIAN; out itself moves only on success
        int start = w.position();
        // Cap the view at the frame limit so an oversized message stops there instead of filling out.
        boolean capped = w.remaining() > limits.maxFrameBytes();
        if (capped) {
            w.limit(start + limits.maxFrameBytes());
        }
        try {
            writer.write(tag, message, w);
        } catch (BufferOverflowException e) {
            if (capped) {
                throw writer.frameTooLarge(tag, "more than " + limits.maxFrameBytes());
            }
            throw e;
        }
        out.position(w.position());
        return w.position() - start;
    }

    private IllegalStateException sizeMismatch(int announced, String written, Throwable cause) {
        return new IllegalStateException("EntryCodec " + entryCodec.getClass().getName()
                + " is inconsistent: encodedSize announced a " + announced + "-byte frame but encode wrote "
                + written, cause);
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Decodes the frame in {@code frame}'s remaining bytes (position to limit), which must hold
     * exactly one message. On success the position is advanced to the limit; on failure the buffer
     * is untouched. {@code frame}'s byte order is ignored.
     *
     * @throws DecodeException if the bytes are not a valid frame; never any other exception for bad
     *     input, whatever the bytes
     */
    public Message<T> decode(ByteBuffer frame) {
        if (frame.remaining() > limits.maxFrameBytes()) {
            throw new DecodeException("frame of " + frame.remaining() + " bytes exceeds maxFrameBytes "
                    + limits.maxFrameBytes());
        }
        FrameReader<T> r = new FrameReader<>(frame, entryCodec, limits);
        MessageTag tag = readVersionAndTag(r);
        r.context(tag.typeName);
        long from = r.readLong("from");
        long to = r.readLong("to");
        int configurationId = r.readInt("configurationId");
        Message<T> message;
        try {
            message = readBody(tag, from, to, configurationId, r);
        } catch (IllegalArgumentException e) {
            // A message record rejected a field value; Ballot and SequenceNumber are checked in r.
            throw r.error(2, "invalid field value: " + e.getMessage(), e);
        }
        r.expectEnd();
        frame.position(frame.limit());
        return message;
    }

    /** Decodes a frame that fills {@code frame}; see {@link #decode(ByteBuffer)}. */
    public Message<T> decode(byte[] frame) {
        return decode(ByteBuffer.wrap(frame));
    }

    /**
     * Decodes the frame in {@code frame[offset .. offset+length)}; see {@link #decode(ByteBuffer)}.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the array (a caller bug, not bad
     *     input)
     */
    public Message<T> decode(byte[] frame, int offset, int length) {
        return decode(ByteBuffer.wrap(frame, offset, length));
    }

    private static MessageTag readVersionAndTag(FrameReader<?> r) {
        int version = r.readUnsignedByte("version");
        if (version != WireFormat.VERSION) {
            String from = version < WireFormat.VERSION ? "an older release" : version > WireFormat.VERSION
                    ? "a newer release" : "no release";
            throw r.error(0, "unsupported wire version 0x" + FrameReader.hex(version) + ", from " + from
                    + " (this codec reads version " + WireFormat.VERSION + " only; every node of a cluster must"
                    + " run a release with the same wire version)");
        }
        int code = r.readUnsignedByte("message tag");
        MessageTag tag = MessageTag.ofCode(code);
        if (tag == null) {
            throw r.error(1, "unknown message tag 0x" + FrameReader.hex(code));
        }
        return tag;
    }

    /**
     * Reads the type-specific fields in the order {@link FrameWriter} wrote them. Java evaluates
     * arguments left to right, so each constructor call below reads its fields in wire order.
     */
    private static <T> Message<T> readBody(MessageTag tag, long from, long to, int cfg, FrameReader<T> r) {
        switch (tag) {
            case PREPARE_REQ:
                return new PrepareReq<>(from, to, cfg);
            case PREPARE:
                return new Prepare<>(from, to, cfg, r.readBallot("ballot"), r.readLong("decidedIdx"),
                        r.readBallot("acceptedRound"), r.readLong("acceptedIdx"));
            case PROMISE:
                return new Promise<>(from, to, cfg, r.readBallot("ballot"), r.readBallot("acceptedRound"),
                        r.readLong("decidedIdx"), r.readLong("acceptedIdx"), r.readLong("suffixIdx"),
                        r.readEntries("suffix"), r.readOptionalSnapshot("snapshot"), r.readOptionalStopSign("stopSign"));
            case ACCEPT_SYNC:
                return readAcceptSync(from, to, cfg, r);
            case ACCEPT_DECIDE:
                return new AcceptDecide<>(from, to, cfg, r.readBallot("ballot"),
                        r.readSequenceNumber("sequenceNumber"), r.readLong("decidedIdx"), r.readEntries("entries"));
            case ACCEPTED:
                return new Accepted<>(from, to, cfg, r.readBallot("ballot"), r.readLong("acceptedIdx"));
            case DECIDE:
                return new Decide<>(from, to, cfg, r.readBallot("ballot"),
                        r.readSequenceNumber("sequenceNumber"), r.readLong("decidedIdx"), r.readBoolean("established"));
            case NOT_ACCEPTED:
                return new NotAccepted<>(from, to, cfg, r.readBallot("ballot"));
            case PROPOSAL_FORWARD:
                return new ProposalForward<>(from, to, cfg, r.readBallot("ballot"), r.readLong("session"),
                        r.readLong("firstSeq"), r.readEntries("entries"));
            case PROPOSAL_ACK:
                return new ProposalAck<>(from, to, cfg, r.readBallot("ballot"), r.readLong("session"),
                        r.readLong("firstSeq"), r.readIndices("indices"));
            case TRIM:
                return new Trim<>(from, to, cfg, r.readBallot("ballot"), r.readLong("trimIdx"));
            case TAKE_SNAPSHOT:
                return new TakeSnapshot<>(from, to, cfg, r.readBallot("ballot"), r.readLong("snapshotIdx"));
            case ACCEPT_STOP_SIGN:
                return new AcceptStopSign<>(from, to, cfg, r.readBallot("ballot"),
                        r.readSequenceNumber("sequenceNumber"), r.readLong("decidedIdx"), r.readStopSign("stopSign"));
            case STOP_SIGN_FORWARD:
                return new StopSignForward<>(from, to, cfg, r.readStopSign("stopSign"));
            case SYNC_CHUNK:
                return new SyncChunk<>(from, to, cfg, r.readBallot("ballot"), r.readLong("fromIdx"),
                        r.readLong("decidedIdx"), r.readEntries("entries"));
            case SNAPSHOT_PART:
                return new SnapshotPart<>(from, to, cfg, r.readBallot("ballot"), r.readLong("snapshotIdx"),
                        r.readCount("partNo"), r.readBytes("bytes"));
            case SNAPSHOT_PART_ACK:
                return new SnapshotPartAck<>(from, to, cfg, r.readBallot("ballot"), r.readLong("snapshotIdx"),
                        r.readCount("partNo"));
            case READ_INDEX_CHECK:
                return new ReadIndexCheck<>(from, to, cfg, r.readBallot("ballot"), r.readLong("round"));
            case READ_INDEX_ACK:
                return new ReadIndexAck<>(from, to, cfg, r.readBallot("ballot"), r.readLong("round"));
            case READ_INDEX_REQUEST:
                return new ReadIndexRequest<>(from, to, cfg, r.readBallot("ballot"), r.readLong("firstReadId"),
                        r.readInt("count"));
            case READ_INDEX_REPLY:
                return new ReadIndexReply<>(from, to, cfg, r.readBallot("ballot"), r.readLong("firstReadId"),
                        r.readInt("count"), r.readLong("readIdx"));
            case HEARTBEAT_REQUEST:
                return new HeartbeatRequest<>(from, to, cfg, r.readLong("round"));
            case HEARTBEAT_REPLY:
                return new HeartbeatReply<>(from, to, cfg, r.readLong("round"), r.readBallot("ballot"),
                        r.readBoolean("quorumConnected"));
            default:
                throw new AssertionError("tag without a reader: " + tag);
        }
    }

    /** AcceptSync's entry list sits between fields in the record but last on the wire. */
    private static <T> Message<T> readAcceptSync(long from, long to, int cfg, FrameReader<T> r) {
        Ballot ballot = r.readBallot("ballot");
        SequenceNumber sequenceNumber = r.readSequenceNumber("sequenceNumber");
        long syncIdx = r.readLong("syncIdx");
        long decidedIdx = r.readLong("decidedIdx");
        int snapshotParts = r.readCount("snapshotParts");
        List<T> suffix = r.readEntries("suffix");
        T snapshot = r.readOptionalSnapshot("snapshot");
        StopSign stopSign = r.readOptionalStopSign("stopSign");
        return new AcceptSync<>(from, to, cfg, ballot, sequenceNumber, syncIdx, suffix, decidedIdx, snapshot,
                snapshotParts, stopSign);
    }
}
