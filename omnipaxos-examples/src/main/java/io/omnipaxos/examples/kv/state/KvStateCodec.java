package io.omnipaxos.examples.kv.state;

import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.StringCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The binary form of a {@link KvStateMachine}, big-endian:
 *
 * <pre>
 * version:u8 (1) appliedCount:i64 duplicateCount:i64
 * keyCount:i32, keyCount × (key:string value:string)              in the map's order
 * sessionCount:i32, sessionCount × (clientId:i64 ackedUpTo:i64
 *     replyCount:i32, replyCount × (requestNumber:i64 status:u8 leaderHint:i64 text:string))
 *                                                                  least recently used first
 * string = length:i32 UTF-8 bytes
 * </pre>
 *
 * Every replica's encoding decodes to the same state (the sessions' order matters for eviction and
 * is kept; the keys' order does not, so they are not sorted, which would cost a sort of every key
 * on each snapshot). Decoding checks every
 * count and length against the bytes left and the store's limits; problems are a {@link DecodeException}.
 */
final class KvStateCodec {

    private static final int VERSION = 1;

    private KvStateCodec() {}

    static byte[] encode(KvStateMachine machine) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024 + machine.data.size() * 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(machine.appliedCount);
            out.writeLong(machine.duplicateCount);
            out.writeInt(machine.data.size());
            for (Map.Entry<String, String> entry : machine.data.entrySet()) {
                writeString(out, entry.getKey());
                writeString(out, entry.getValue());
            }
            out.writeInt(machine.sessions.size());
            for (Map.Entry<Long, KvStateMachine.Session> entry : machine.sessions.entrySet()) {
                writeSession(out, entry.getKey(), entry.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    private static void writeSession(DataOutputStream out, long clientId, KvStateMachine.Session session)
            throws IOException {
        out.writeLong(clientId);
        out.writeLong(session.ackedUpTo);
        out.writeInt(session.replies.size());
        for (KvReply reply : session.replies.values()) {
            out.writeLong(reply.requestNumber());
            out.writeByte(reply.status().code);
            out.writeLong(reply.leaderHint());
            writeString(out, reply.text());
        }
    }

    private static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    static KvStateMachine decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            int version = in.get() & 0xFF;
            if (version != VERSION) {
                throw new DecodeException("key-value state has version " + version + ", expected " + VERSION);
            }
            KvStateMachine machine = new KvStateMachine();
            machine.appliedCount = in.getLong();
            machine.duplicateCount = in.getLong();
            int keys = count(in, "key count", 8);
            for (int i = 0; i < keys; i++) {
                machine.data.put(readString(in, "key", KvCommand.MAX_KEY_BYTES),
                        readString(in, "value", KvStateMachine.MAX_STORED_VALUE_BYTES));
            }
            int sessions = count(in, "session count", 20);
            for (int i = 0; i < sessions; i++) {
                readSession(in, machine);
            }
            if (in.hasRemaining()) {
                throw new DecodeException("key-value state has " + in.remaining() + " trailing bytes");
            }
            return machine;
        } catch (BufferUnderflowException e) {
            throw new DecodeException("key-value state is truncated at byte " + in.position(), e);
        } catch (IllegalArgumentException e) {
            throw new DecodeException("key-value state holds an invalid value near byte " + in.position() + ": "
                    + e.getMessage(), e);
        }
    }

    private static void readSession(ByteBuffer in, KvStateMachine machine) {
        long clientId = in.getLong();
        KvStateMachine.Session session = new KvStateMachine.Session();
        session.ackedUpTo = in.getLong();
        int replies = count(in, "reply count", 21);
        for (int i = 0; i < replies; i++) {
            long number = in.getLong();
            KvStatus status = KvStatus.ofCode(in.get());
            long leaderHint = in.getLong();
            String text = readString(in, "reply text", KvStateMachine.MAX_STORED_VALUE_BYTES);
            session.replies.put(number, new KvReply(number, status, leaderHint, text));
        }
        machine.sessions.put(clientId, session);
        machine.recordedReplies += replies;
    }

    /** A count, checked against the bytes left ({@code minBytesEach} per item at least). */
    private static int count(ByteBuffer in, String what, int minBytesEach) {
        int at = in.position();
        int count = in.getInt();
        if (count < 0 || (long) count * minBytesEach > in.remaining()) {
            throw new DecodeException("key-value state: " + what + " " + count + " at byte " + at
                    + " does not fit the " + in.remaining() + " bytes left");
        }
        return count;
    }

    private static String readString(ByteBuffer in, String what, int maxBytes) {
        int at = in.position();
        int length = in.getInt();
        if (length < 0 || length > maxBytes || length > in.remaining()) {
            throw new DecodeException("key-value state: " + what + " length " + length + " at byte " + at
                    + " is invalid (limit " + maxBytes + ", " + in.remaining() + " bytes left)");
        }
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        return StringCodec.INSTANCE.decode(slice);
    }
}
