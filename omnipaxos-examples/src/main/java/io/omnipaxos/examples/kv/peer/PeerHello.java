package io.omnipaxos.examples.kv.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.omnipaxos.codec.DecodeException;

/**
 * The first frame each side of a peer link sends: who it is and which cluster configuration it
 * belongs to. Layout (big-endian, after the 4-byte length every frame has):
 *
 * <pre>
 * version:u8 (1)  kind:u8 (0x48 'H')  pid:i64  configurationId:i32
 * </pre>
 *
 * @param pid the sender's pid
 * @param configurationId the sender's configuration id
 */
record PeerHello(long pid, int configurationId) {

    static final byte VERSION = 1;
    static final byte KIND = 0x48;
    static final int BYTES = 1 + 1 + 8 + 4;

    /** The framed hello (length prefix included). */
    ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(4 + BYTES);
        out.writeInt(BYTES).writeByte(VERSION).writeByte(KIND).writeLong(pid).writeInt(configurationId);
        return out;
    }

    /**
     * Reads a hello frame (length prefix already removed).
     *
     * @throws DecodeException if the frame is not a hello
     */
    static PeerHello decode(ByteBuf frame) {
        if (frame.readableBytes() != BYTES) {
            throw new DecodeException("a hello is " + BYTES + " bytes, got " + frame.readableBytes());
        }
        byte version = frame.readByte();
        byte kind = frame.readByte();
        if (version != VERSION || kind != KIND) {
            throw new DecodeException("not a hello: version " + version + ", kind " + kind);
        }
        return new PeerHello(frame.readLong(), frame.readInt());
    }
}
