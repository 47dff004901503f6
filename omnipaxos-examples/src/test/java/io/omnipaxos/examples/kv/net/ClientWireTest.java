package io.omnipaxos.examples.kv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import org.junit.jupiter.api.Test;

/**
 * The client port's frame decoders accept exactly what the encoders may produce: the largest
 * request (longest key and value) and the largest reply (a GET of the longest stored value) pass,
 * one byte more is refused before it is buffered, and the encoders refuse what the decoders would.
 */
class ClientWireTest {

    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void theLargestRequestPassesTheRequestDecoder() {
        KvCommand largest = new KvCommand(1, 1, 0, KvOp.PUT, "k".repeat(KvCommand.MAX_KEY_BYTES),
                "v".repeat(KvCommand.MAX_VALUE_BYTES));
        EmbeddedChannel channel = new EmbeddedChannel(ClientWire.requestFrames());
        ByteBuf frame = ClientWire.encodeRequest(largest, ALLOC);
        assertEquals(4 + ClientWire.MAX_REQUEST_BYTES, frame.readableBytes(), "the largest request body");
        channel.writeInbound(frame);
        ByteBuf body = channel.readInbound();
        assertEquals(largest, ClientWire.decodeRequest(body));
        body.release();
        EmbeddedChannel tooLong = new EmbeddedChannel(ClientWire.requestFrames());
        assertThrows(TooLongFrameException.class,
                () -> tooLong.writeInbound(Unpooled.buffer().writeInt(ClientWire.MAX_REQUEST_BYTES + 1)));
    }

    @Test
    void theLargestReplyPassesTheReplyDecoder() {
        KvReply largest = KvReply.value(3, "v".repeat(KvStateMachine.MAX_STORED_VALUE_BYTES));
        EmbeddedChannel channel = new EmbeddedChannel(ClientWire.replyFrames());
        ByteBuf frame = ClientWire.encodeReply(largest, ALLOC);
        assertEquals(4 + ClientWire.MAX_REPLY_BYTES, frame.readableBytes(), "the largest reply body");
        channel.writeInbound(frame);
        ByteBuf body = channel.readInbound();
        assertEquals(largest, ClientWire.decodeReply(body));
        body.release();
    }

    @Test
    void encodersRefuseWhatTheDecodersWould() {
        KvReply tooLong = KvReply.value(3, "v".repeat(KvStateMachine.MAX_STORED_VALUE_BYTES + 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClientWire.encodeReply(tooLong, ALLOC));
        assertTrue(e.getMessage().contains("more than " + ClientWire.MAX_REPLY_BYTES), e.getMessage());
        IllegalArgumentException state = assertThrows(IllegalArgumentException.class,
                () -> ClientWire.requireStateReplyFits(ClientWire.MAX_HANDOVER_BYTES + 1L));
        assertTrue(state.getMessage().contains("more than the " + ClientWire.MAX_HANDOVER_BYTES), state.getMessage());
    }

    @Test
    void theLargestStateChunkPassesTheReplyDecoderAndBadChunksAreRefusedNamingTheOffset() {
        long handoverLength = 3L * ClientWire.MAX_STATE_CHUNK_BYTES;
        long offset = ClientWire.MAX_STATE_CHUNK_BYTES;
        ByteBuf frame = ClientWire.stateChunkFrame(9, handoverLength, offset, ClientWire.MAX_STATE_CHUNK_BYTES, ALLOC);
        frame.writeBytes(new byte[ClientWire.MAX_STATE_CHUNK_BYTES]);
        assertEquals(4 + (1 << 20), frame.readableBytes(), "a chunk's body is 1 MiB");
        assertTrue(frame.readableBytes() - 4 <= ClientWire.MAX_REPLY_BYTES);
        EmbeddedChannel channel = new EmbeddedChannel(ClientWire.replyFrames());
        channel.writeInbound(frame);
        ByteBuf body = channel.readInbound();
        ClientWire.StateChunk chunk = ClientWire.decodeStateChunk(body).orElseThrow();
        assertEquals(9, chunk.requestNumber());
        assertEquals(handoverLength, chunk.handoverLength());
        assertEquals(offset, chunk.offset());
        assertEquals(ClientWire.MAX_STATE_CHUNK_BYTES, chunk.bytes().readableBytes());
        body.release();
        assertTrue(ClientWire.decodeStateChunk(bodyOf(ClientWire.encodeReply(KvReply.ok(3), ALLOC))).isEmpty(),
                "an ordinary reply is not a chunk");
        ByteBuf beyondTheEnd = bodyOf(ClientWire.stateChunkFrame(9, 100, 90, 10, ALLOC).writeZero(10));
        beyondTheEnd.setLong(beyondTheEnd.readerIndex() + 18, 95); // the offset: 10 bytes at 95 end beyond 100
        DecodeException e = assertThrows(DecodeException.class, () -> ClientWire.decodeStateChunk(beyondTheEnd));
        assertTrue(e.getMessage().contains("at offset 95"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ClientWire.stateChunkFrame(9, 100, 0, ClientWire.MAX_STATE_CHUNK_BYTES + 1, ALLOC));
        assertThrows(IllegalArgumentException.class,
                () -> ClientWire.stateChunkFrame(9, ClientWire.MAX_HANDOVER_BYTES + 1L, 0, 10, ALLOC));
    }

    private static ByteBuf bodyOf(ByteBuf frame) {
        return frame.skipBytes(4);
    }
}
