package io.omnipaxos.examples.kv.state;

import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.codec.StringCodec;
import java.nio.ByteBuffer;

/**
 * The binary form of a {@link KvCommand}, used in the log, between servers and (after a version
 * byte) on the client port. Big-endian:
 *
 * <pre>
 * clientId:i64 requestNumber:i64 ackedUpTo:i64 op:u8 keyLength:i32 key:UTF-8 valueLength:i32 value:UTF-8
 * </pre>
 *
 * <p>Lengths are checked against {@link KvCommand#MAX_KEY_BYTES}, {@link KvCommand#MAX_VALUE_BYTES}
 * and the bytes actually left before anything is allocated; every problem is a {@link
 * DecodeException}. Stateless and thread-safe: use {@link #INSTANCE}.
 */
public final class KvCommandCodec implements EntryCodec<KvCommand> {

    /** The shared instance. */
    public static final KvCommandCodec INSTANCE = new KvCommandCodec();

    /** clientId, requestNumber, ackedUpTo, op, keyLength, valueLength. */
    public static final int FIXED_BYTES = 8 + 8 + 8 + 1 + 4 + 4;

    private KvCommandCodec() {}

    @Override
    public void encode(KvCommand command, ByteBuffer out) {
        out.putLong(command.clientId());
        out.putLong(command.requestNumber());
        out.putLong(command.ackedUpTo());
        out.put(command.op().code);
        putString(command.key(), out);
        putString(command.value(), out);
    }

    @Override
    public int encodedSize(KvCommand command) {
        return FIXED_BYTES + StringCodec.INSTANCE.encodedSize(command.key())
                + StringCodec.INSTANCE.encodedSize(command.value());
    }

    /**
     * Reads one command holding exactly {@code in}'s remaining bytes.
     *
     * @throws DecodeException if the bytes are not a valid command
     */
    @Override
    public KvCommand decode(ByteBuffer in) {
        KvCommand command = decodePrefix(in);
        if (in.hasRemaining()) {
            throw new DecodeException(in.remaining() + " trailing bytes after a command");
        }
        return command;
    }

    /** Reads one command from {@code in}'s position, leaving any bytes after it unread. */
    static KvCommand decodePrefix(ByteBuffer in) {
        if (in.remaining() < FIXED_BYTES) {
            throw new DecodeException("a command is at least " + FIXED_BYTES + " bytes, got " + in.remaining());
        }
        long clientId = in.getLong();
        long requestNumber = in.getLong();
        long ackedUpTo = in.getLong();
        KvOp op = KvOp.ofCode(in.get());
        String key = getString("key", KvCommand.MAX_KEY_BYTES, in);
        String value = getString("value", KvCommand.MAX_VALUE_BYTES, in);
        try {
            return new KvCommand(clientId, requestNumber, ackedUpTo, op, key, value);
        } catch (IllegalArgumentException e) {
            throw new DecodeException("invalid command: " + e.getMessage(), e);
        }
    }

    private static void putString(String text, ByteBuffer out) {
        int lengthAt = out.position();
        out.putInt(0);
        StringCodec.INSTANCE.encode(text, out);
        out.putInt(lengthAt, out.position() - lengthAt - 4);
    }

    private static String getString(String name, int maxBytes, ByteBuffer in) {
        if (in.remaining() < 4) {
            throw new DecodeException(name + " length missing");
        }
        int length = in.getInt();
        if (length < 0 || length > maxBytes) {
            throw new DecodeException(name + " is " + length + " bytes, the limit is " + maxBytes);
        }
        if (length > in.remaining()) {
            throw new DecodeException(name + " claims " + length + " bytes, only " + in.remaining() + " left");
        }
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        return StringCodec.INSTANCE.decode(slice);
    }
}
