package io.omnipaxos.examples.kv.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvCommandCodec;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import io.omnipaxos.examples.kv.state.KvStatus;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The client port's frames. Every frame is a 4-byte big-endian length, then the body:
 *
 * <pre>
 * request = version:u8 (1) | KvCommandCodec bytes:
 *           clientId:i64 requestNumber:i64 ackedUpTo:i64 op:u8 keyLength:i32 key valueLength:i32 value
 * reply   = version:u8 (1) requestNumber:i64 status:u8 leaderHint:i64 textLength:i32 text:UTF-8
 * chunk   = version:u8 (1) requestNumber:i64 status:u8 (4, STATE) handoverLength:i64 offset:i64
 *           chunkLength:i32 chunk       (a FETCH_STATE answer: the handover in chunks, in order)
 * </pre>
 *
 * <p>Request bodies are at most {@link #MAX_REQUEST_BYTES}, reply and chunk bodies at most {@link
 * #MAX_REPLY_BYTES} (a chunk at most 1 MiB; the handover they carry at most {@link #MAX_HANDOVER_BYTES});
 * a longer length field closes the connection before anything is allocated ({@link
 * #requestFrames()}, {@link #replyFrames()}). The encoders refuse what the decoders would.
 */
public final class ClientWire {

    /** The only version of the client protocol. */
    public static final byte VERSION = 1;

    /** The largest request body: version, command header, the longest key and value. */
    public static final int MAX_REQUEST_BYTES = 1 + KvCommandCodec.FIXED_BYTES + KvCommand.MAX_KEY_BYTES
            + KvCommand.MAX_VALUE_BYTES;

    /** version, requestNumber, status, leaderHint, textLength. */
    public static final int REPLY_FIXED_BYTES = 1 + 8 + 1 + 8 + 4;

    /** The largest reply body: a GET of the longest stored value. */
    public static final int MAX_REPLY_BYTES = REPLY_FIXED_BYTES + KvStateMachine.MAX_STORED_VALUE_BYTES;

    /** The largest handover a {@link KvStatus#STATE} answer carries: a key-value state of up to 1 GiB. */
    public static final int MAX_HANDOVER_BYTES = 1 << 30;

    /** A state chunk's header: version, requestNumber, status, handoverLength, offset, chunkLength. */
    public static final int STATE_CHUNK_FIXED_BYTES = 1 + 8 + 1 + 8 + 8 + 4;

    /**
     * The most handover bytes one state chunk carries: a chunk's body is then at most 1 MiB, within
     * {@link #MAX_REPLY_BYTES}, so the fetching node reads it with the ordinary reply limit.
     */
    public static final int MAX_STATE_CHUNK_BYTES = (1 << 20) - STATE_CHUNK_FIXED_BYTES;

    /** Every frame's length field. */
    private static final int LENGTH_BYTES = 4;

    /** Where a reply body's status byte is: after the version and the request number. */
    private static final int STATUS_OFFSET = 1 + 8;

    /** Bytes from the start of a request body to the end of its request number. */
    private static final int REQUEST_NUMBER_END = 1 + 8 + 8;

    private ClientWire() {}

    /**
     * A frame decoder for requests (the node's side): bodies of up to {@link #MAX_REQUEST_BYTES};
     * Netty's limit counts the length field, hence the 4 more.
     */
    public static LengthFieldBasedFrameDecoder requestFrames() {
        return new LengthFieldBasedFrameDecoder(MAX_REQUEST_BYTES + LENGTH_BYTES, 0, LENGTH_BYTES, 0, LENGTH_BYTES);
    }

    /** A frame decoder for replies (the client's side): bodies of up to {@link #MAX_REPLY_BYTES}. */
    public static LengthFieldBasedFrameDecoder replyFrames() {
        return new LengthFieldBasedFrameDecoder(MAX_REPLY_BYTES + LENGTH_BYTES, 0, LENGTH_BYTES, 0, LENGTH_BYTES);
    }

    /** The framed request (length prefix included). */
    public static ByteBuf encodeRequest(KvCommand command, ByteBufAllocator alloc) {
        int size = 1 + KvCommandCodec.INSTANCE.encodedSize(command);
        ByteBuf out = alloc.buffer(4 + size);
        out.writeInt(size).writeByte(VERSION);
        KvCommandCodec.INSTANCE.encode(command, out.nioBuffer(out.writerIndex(), size - 1));
        out.writerIndex(out.writerIndex() + size - 1);
        return out;
    }

    /**
     * Reads a request body (length prefix removed).
     *
     * @throws DecodeException if it is not a valid request
     */
    public static KvCommand decodeRequest(ByteBuf body) {
        if (body.readableBytes() < 1 || body.getByte(body.readerIndex()) != VERSION) {
            throw new DecodeException("not a version-" + VERSION + " request");
        }
        ByteBuffer in = body.nioBuffer(body.readerIndex() + 1, body.readableBytes() - 1);
        return KvCommandCodec.INSTANCE.decode(in);
    }

    /**
     * The request number of a request body that failed to decode, if its header is there (0 if
     * not), so the error reply can name it.
     */
    public static long requestNumberOf(ByteBuf body) {
        if (body.readableBytes() < REQUEST_NUMBER_END || body.getByte(body.readerIndex()) != VERSION) {
            return 0;
        }
        return body.getLong(body.readerIndex() + 1 + 8);
    }

    /**
     * The framed reply (length prefix included).
     *
     * @throws IllegalArgumentException if its body would be longer than {@link #MAX_REPLY_BYTES}
     */
    public static ByteBuf encodeReply(KvReply reply, ByteBufAllocator alloc) {
        int textBytes = StringCodec.INSTANCE.encodedSize(reply.text());
        int size = REPLY_FIXED_BYTES + textBytes;
        if (size > MAX_REPLY_BYTES) {
            throw new IllegalArgumentException("a reply to request " + reply.requestNumber() + " of " + size
                    + " bytes, more than " + MAX_REPLY_BYTES);
        }
        ByteBuf out = alloc.buffer(4 + size);
        out.writeInt(size).writeByte(VERSION).writeLong(reply.requestNumber()).writeByte(reply.status().code)
                .writeLong(reply.leaderHint()).writeInt(textBytes);
        StringCodec.INSTANCE.encode(reply.text(), out.nioBuffer(out.writerIndex(), textBytes));
        out.writerIndex(out.writerIndex() + textBytes);
        return out;
    }

    /**
     * The frame of one chunk of a {@link KvStatus#STATE} answer to a {@link KvOp#FETCH_STATE}
     * request, with its length prefix and header written: the caller appends exactly {@code
     * chunkLength} bytes of the handover, those at {@code offset}. Only the state fetch of {@code
     * kv.reconfig} reads these frames; each body is at most 1 MiB, within {@link #MAX_REPLY_BYTES}.
     *
     * @throws IllegalArgumentException if the handover is longer than {@link #MAX_HANDOVER_BYTES}, or
     *     the chunk empty, longer than {@link #MAX_STATE_CHUNK_BYTES} or beyond the handover's end
     */
    public static ByteBuf stateChunkFrame(long requestNumber, long handoverLength, long offset, int chunkLength,
            ByteBufAllocator alloc) {
        requireStateReplyFits(handoverLength);
        if (chunkLength < 1 || chunkLength > MAX_STATE_CHUNK_BYTES || offset < 0
                || offset > handoverLength - chunkLength) {
            throw new IllegalArgumentException("a chunk of " + chunkLength + " bytes at offset " + offset
                    + " of a handover of " + handoverLength + " bytes (chunks are 1 to " + MAX_STATE_CHUNK_BYTES
                    + " bytes)");
        }
        int size = STATE_CHUNK_FIXED_BYTES + chunkLength;
        ByteBuf out = alloc.buffer(4 + size);
        out.writeInt(size).writeByte(VERSION).writeLong(requestNumber).writeByte(KvStatus.STATE.code)
                .writeLong(handoverLength).writeLong(offset).writeInt(chunkLength);
        return out;
    }

    /**
     * Checks that a handover of {@code handoverBytes} fits a {@link KvStatus#STATE} answer, which a
     * fetching node refuses beyond {@link #MAX_HANDOVER_BYTES}.
     *
     * @throws IllegalArgumentException naming the size and the limit
     */
    public static void requireStateReplyFits(long handoverBytes) {
        if (handoverBytes > MAX_HANDOVER_BYTES) {
            throw new IllegalArgumentException("the handover is " + handoverBytes + " bytes, more than the "
                    + MAX_HANDOVER_BYTES + " bytes a state fetch accepts");
        }
    }

    /**
     * One chunk of a handover, as {@link #decodeStateChunk} read it.
     *
     * @param requestNumber the FETCH_STATE request it answers
     * @param handoverLength the whole handover's length, the same in every chunk
     * @param offset where in the handover {@code bytes} belong
     * @param bytes the chunk: a slice of the frame body, valid while the body is
     */
    public record StateChunk(long requestNumber, long handoverLength, long offset, ByteBuf bytes) {}

    /**
     * The handover chunk a reply body carries ({@link #stateChunkFrame}), or empty if the body is
     * another reply (read it with {@link #decodeReply}). Leaves the body's reader index alone.
     *
     * @throws DecodeException naming the offset if the body is not a valid reply or chunk
     */
    public static Optional<StateChunk> decodeStateChunk(ByteBuf body) {
        int start = body.readerIndex();
        if (body.readableBytes() < STATUS_OFFSET + 1 || body.getByte(start) != VERSION) {
            throw new DecodeException("not a version-" + VERSION + " reply (" + body.readableBytes() + " bytes)");
        }
        if (body.getByte(start + STATUS_OFFSET) != KvStatus.STATE.code) {
            return Optional.empty();
        }
        if (body.readableBytes() < STATE_CHUNK_FIXED_BYTES) {
            throw new DecodeException("a state chunk is at least " + STATE_CHUNK_FIXED_BYTES + " bytes, got "
                    + body.readableBytes());
        }
        long handoverLength = body.getLong(start + STATUS_OFFSET + 1);
        long offset = body.getLong(start + STATUS_OFFSET + 9);
        int chunkLength = body.getInt(start + STATUS_OFFSET + 17);
        int left = body.readableBytes() - STATE_CHUNK_FIXED_BYTES;
        if (handoverLength < 1 || handoverLength > MAX_HANDOVER_BYTES || chunkLength < 1
                || chunkLength > MAX_STATE_CHUNK_BYTES || chunkLength != left || offset < 0
                || offset > handoverLength - chunkLength) {
            throw new DecodeException("bad state chunk at offset " + offset + ": " + chunkLength + " bytes ("
                    + left + " in the frame) of a handover of " + handoverLength + " bytes");
        }
        return Optional.of(new StateChunk(body.getLong(start + 1), handoverLength, offset,
                body.slice(start + STATE_CHUNK_FIXED_BYTES, chunkLength)));
    }

    /**
     * Reads a reply body (length prefix removed).
     *
     * @throws DecodeException if it is not a valid reply
     */
    public static KvReply decodeReply(ByteBuf body) {
        int textBytes = checkReply(body);
        body.skipBytes(1);
        long requestNumber = body.readLong();
        KvStatus status = KvStatus.ofCode(body.readByte());
        long leaderHint = body.readLong();
        body.skipBytes(4);
        String text = StringCodec.INSTANCE.decode(body.nioBuffer(body.readerIndex(), textBytes));
        body.skipBytes(textBytes);
        return new KvReply(requestNumber, status, leaderHint, text);
    }

    /** Checks a reply body's version and lengths without reading it; returns its text length. */
    private static int checkReply(ByteBuf body) {
        int start = body.readerIndex();
        if (body.readableBytes() < REPLY_FIXED_BYTES) {
            throw new DecodeException("a reply is at least " + REPLY_FIXED_BYTES + " bytes, got "
                    + body.readableBytes());
        }
        if (body.getByte(start) != VERSION) {
            throw new DecodeException("not a version-" + VERSION + " reply");
        }
        int textBytes = body.getInt(start + REPLY_FIXED_BYTES - 4);
        int left = body.readableBytes() - REPLY_FIXED_BYTES;
        if (textBytes < 0 || textBytes != left) {
            throw new DecodeException("reply text claims " + textBytes + " bytes, " + left + " left");
        }
        return textBytes;
    }
}
