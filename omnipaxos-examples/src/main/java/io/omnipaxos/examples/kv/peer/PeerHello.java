package io.omnipaxos.examples.kv.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.peer.Incarnations.Member;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The first frame each side of a peer link sends: who it is, which cluster configuration it
 * belongs to, which incarnation of its data folder it runs ({@link Incarnations}) and the
 * incarnations it has recorded for others. Layout (big-endian, after the 4-byte length every frame
 * has):
 *
 * <pre>
 * version:u8 (2)  kind:u8 (0x48 'H')  pid:i64  configurationId:i32  incarnation:i64  refusal:u8
 * count:i32  count * (configurationId:i32 pid:i64 incarnation:i64)
 * </pre>
 *
 * {@code refusal} is 1 in the hello with which a node refuses a link because it recorded the other
 * side under another incarnation (the entry is in the table), else 0. A hello of another version
 * (version 1 had no incarnation) is refused with an error saying so.
 *
 * @param pid the sender's pid
 * @param configurationId the sender's configuration id
 * @param incarnation the sender's incarnation
 * @param refusal whether the sender refuses the link: it knows the receiver under another incarnation
 * @param seen the incarnations the sender has recorded (its own entry included), at most {@link
 *     Incarnations#MAX_ENTRIES}
 */
record PeerHello(long pid, int configurationId, long incarnation, boolean refusal, Map<Member, Long> seen) {

    static final byte VERSION = 2;
    static final byte KIND = 0x48;
    /** Everything up to the table's entries. */
    static final int FIXED_BYTES = 1 + 1 + 8 + 4 + 8 + 1 + 4;
    static final int ENTRY_BYTES = 4 + 8 + 8;
    /** The longest hello: a full table. */
    static final int MAX_BYTES = FIXED_BYTES + Incarnations.MAX_ENTRIES * ENTRY_BYTES;

    /** Copies the table and checks its size. */
    PeerHello {
        seen = new LinkedHashMap<>(Objects.requireNonNull(seen, "seen"));
        if (seen.size() > Incarnations.MAX_ENTRIES) {
            throw new IllegalArgumentException("a hello carries at most " + Incarnations.MAX_ENTRIES
                    + " incarnations, got " + seen.size());
        }
    }

    /** The framed hello (length prefix included). */
    ByteBuf encode(ByteBufAllocator alloc) {
        int size = FIXED_BYTES + seen.size() * ENTRY_BYTES;
        ByteBuf out = alloc.buffer(4 + size);
        out.writeInt(size).writeByte(VERSION).writeByte(KIND).writeLong(pid).writeInt(configurationId)
                .writeLong(incarnation).writeByte(refusal ? 1 : 0).writeInt(seen.size());
        seen.forEach((member, id) -> out.writeInt(member.configurationId()).writeLong(member.pid()).writeLong(id));
        return out;
    }

    /**
     * Reads a hello frame (length prefix already removed).
     *
     * @throws DecodeException if the frame is not a version-2 hello
     */
    static PeerHello decode(ByteBuf frame) {
        if (frame.readableBytes() < 2) {
            throw new DecodeException("a hello of " + frame.readableBytes() + " bytes");
        }
        byte version = frame.readByte();
        byte kind = frame.readByte();
        if (kind != KIND) {
            throw new DecodeException("not a hello: version " + version + ", kind " + kind);
        }
        if (version != VERSION) {
            throw new DecodeException("the peer speaks hello version " + version + ", this node version " + VERSION
                    + " (which carries the incarnations of data folders): every node must run the same version");
        }
        if (frame.readableBytes() < FIXED_BYTES - 2) {
            throw new DecodeException("a hello is at least " + FIXED_BYTES + " bytes, got " + (frame.readableBytes() + 2));
        }
        long pid = frame.readLong();
        int configurationId = frame.readInt();
        long incarnation = frame.readLong();
        byte refusal = frame.readByte();
        int count = frame.readInt();
        if (refusal != 0 && refusal != 1 || count < 0 || count > Incarnations.MAX_ENTRIES
                || frame.readableBytes() != count * ENTRY_BYTES) {
            throw new DecodeException("bad hello from pid " + pid + ": refusal " + refusal + ", " + count
                    + " incarnations in " + frame.readableBytes() + " bytes");
        }
        Map<Member, Long> seen = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            seen.put(new Member(frame.readInt(), frame.readLong()), frame.readLong());
        }
        return new PeerHello(pid, configurationId, incarnation, refusal == 1, seen);
    }
}
