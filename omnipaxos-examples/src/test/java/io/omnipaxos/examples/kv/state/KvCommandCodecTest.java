package io.omnipaxos.examples.kv.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.net.ClientWire;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The command codec and the client wire format: round trips, bounds, and garbage. */
class KvCommandCodecTest {

    private static ByteBuffer encode(KvCommand command) {
        ByteBuffer out = ByteBuffer.allocate(KvCommandCodec.INSTANCE.encodedSize(command));
        KvCommandCodec.INSTANCE.encode(command, out);
        assertEquals(0, out.remaining());
        return out.flip();
    }

    @Test
    void commandsRoundTrip() {
        for (KvCommand command : new KvCommand[] {new KvCommand(-5, 1, 0, KvOp.GET, "", ""),
                new KvCommand(1, 99, 98, KvOp.PUT, "ключ", "värde ✓"), new KvCommand(2, 3, 1, KvOp.APPEND, "k", "x"),
                new KvCommand(Long.MAX_VALUE, Long.MAX_VALUE, 0, KvOp.DELETE, "k".repeat(1024), "")}) {
            assertEquals(command, KvCommandCodec.INSTANCE.decode(encode(command)));
        }
    }

    @Test
    void oversizedFieldsAreRefusedBeforeAllocation() {
        assertThrows(IllegalArgumentException.class, () -> new KvCommand(1, 1, 0, KvOp.PUT, "k".repeat(1025), ""));
        assertThrows(IllegalArgumentException.class,
                () -> new KvCommand(1, 1, 0, KvOp.PUT, "k", "v".repeat(KvCommand.MAX_VALUE_BYTES + 1)));
        ByteBuffer claimsHugeKey = ByteBuffer.allocate(KvCommandCodec.FIXED_BYTES);
        claimsHugeKey.putLong(1).putLong(1).putLong(0).put(KvOp.PUT.code).putInt(Integer.MAX_VALUE).putInt(0).flip();
        DecodeException e = assertThrows(DecodeException.class, () -> KvCommandCodec.INSTANCE.decode(claimsHugeKey));
        assertTrue(e.getMessage().contains("key is 2147483647 bytes"), e.getMessage());
    }

    @Test
    void garbageOnlyEverThrowsDecodeException() {
        SplittableRandom random = new SplittableRandom(11);
        byte[] valid = encode(new KvCommand(1, 2, 1, KvOp.PUT, "key", "value")).array();
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = i % 2 == 0 ? randomBytes(random, random.nextInt(64)) : mutate(random, valid);
            try {
                KvCommandCodec.INSTANCE.decode(ByteBuffer.wrap(bytes));
            } catch (DecodeException expected) {
                // the only failure allowed
            }
        }
    }

    @Test
    void repliesRoundTrip() {
        for (KvReply reply : new KvReply[] {KvReply.ok(1), KvReply.value(2, "v✓"), KvReply.notFound(3),
                KvReply.notLeader(4, 2), KvReply.error(5, "x".repeat(2000))}) {
            ByteBuf frame = ClientWire.encodeReply(reply, Unpooled.buffer().alloc());
            assertEquals(frame.readableBytes() - 4, frame.readInt());
            assertEquals(reply, ClientWire.decodeReply(frame));
        }
        assertEquals(KvReply.MAX_ERROR_CHARS, KvReply.error(1, "y".repeat(5000)).text().length());
    }

    @Test
    void stateChunksCarryTheirBytesAndOtherRepliesNone() {
        byte[] handover = {0, (byte) 0xff, 7, 0};
        ByteBuf frame = ClientWire.stateChunkFrame(9, 10, 6, handover.length, Unpooled.buffer().alloc())
                .writeBytes(handover);
        frame.skipBytes(4);
        ClientWire.StateChunk chunk = ClientWire.decodeStateChunk(frame).orElseThrow();
        byte[] bytes = new byte[chunk.bytes().readableBytes()];
        chunk.bytes().readBytes(bytes);
        assertArrayEquals(handover, bytes);
        assertEquals(6, chunk.offset());
        ByteBuf other = ClientWire.encodeReply(KvReply.error(9, "none"), Unpooled.buffer().alloc());
        other.skipBytes(4);
        assertEquals(java.util.Optional.empty(), ClientWire.decodeStateChunk(other));
        assertEquals("none", ClientWire.decodeReply(other).text(), "decodeStateChunk reads nothing");
        ByteBuf cut = Unpooled.wrappedBuffer(new byte[] {ClientWire.VERSION, 1, 2});
        assertThrows(DecodeException.class, () -> ClientWire.decodeStateChunk(cut));
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] mutate(SplittableRandom random, byte[] valid) {
        byte[] bytes = Arrays.copyOf(valid, Math.max(1, valid.length + random.nextInt(-3, 4)));
        for (int flips = random.nextInt(1, 4); flips > 0; flips--) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }
}
