package io.omnipaxos.examples.kv.state;

import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.StringCodec;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

    /**
     * Encodes {@code machine} into one array sized for all-ASCII text (a char per byte), so the
     * usual state of tens of MB is written without growing or copying the array: the event loop and
     * the collector see one allocation of the state's size.
     */
    static byte[] encode(KvStateMachine machine) {
        Writer out = new Writer(asciiSize(machine));
        out.room(1 + 8 + 8 + 4).put((byte) VERSION).putLong(machine.appliedCount).putLong(machine.duplicateCount)
                .putInt(machine.data.size());
        machine.data.forEach((key, value) -> {
            out.string(key);
            out.string(value);
        });
        out.room(4).putInt(machine.sessions.size());
        for (Map.Entry<Long, KvStateMachine.Session> entry : machine.sessions.entrySet()) {
            KvStateMachine.Session session = entry.getValue();
            out.room(8 + 8 + 4).putLong(entry.getKey()).putLong(session.ackedUpTo).putInt(session.replies.size());
            for (KvReply reply : session.replies) {
                out.room(8 + 1 + 8).putLong(reply.requestNumber()).put(reply.status().code).putLong(reply.leaderHint());
                out.string(reply.text());
            }
        }
        return out.bytes();
    }

    /** The encoded size if every string is ASCII. */
    private static long asciiSize(KvStateMachine machine) {
        long[] keyBytes = {0};
        machine.data.forEach((key, value) -> keyBytes[0] += 4 + key.length() + 4 + value.length());
        long size = 1 + 8 + 8 + 4 + 4 + keyBytes[0];
        for (KvStateMachine.Session session : machine.sessions.values()) {
            size += 8 + 8 + 4;
            for (KvReply reply : session.replies) {
                size += 8 + 1 + 8 + 4 + reply.text().length();
            }
        }
        return size;
    }

    /** A big-endian buffer that grows by half when a write needs more room than is left. */
    private static final class Writer {

        private ByteBuffer buffer;

        Writer(long capacity) {
            buffer = ByteBuffer.allocate(checkedCapacity(capacity));
        }

        /** The buffer, with at least {@code bytes} left. */
        ByteBuffer room(int bytes) {
            if (buffer.remaining() < bytes) {
                long wanted = Math.max(buffer.capacity() + (long) buffer.capacity() / 2, (long) buffer.position() + bytes);
                buffer = ByteBuffer.allocate(checkedCapacity(wanted)).put(buffer.flip());
            }
            return buffer;
        }

        /** A string: its UTF-8 length and bytes. */
        void string(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            room(4 + utf8.length).putInt(utf8.length).put(utf8);
        }

        /** What was written, without a copy if it filled the buffer exactly. */
        byte[] bytes() {
            return buffer.hasRemaining() ? Arrays.copyOf(buffer.array(), buffer.position()) : buffer.array();
        }

        private static int checkedCapacity(long bytes) {
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("the key-value state encodes to more than 2 GiB (" + bytes + " bytes)");
            }
            return (int) bytes;
        }
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
