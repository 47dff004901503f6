package io.omnipaxos.examples.kv.state;

import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.EntryCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of a {@link KvEntry} in the log and between servers: a kind byte, then
 *
 * <pre>
 * 1 command   the {@link KvCommandCodec} layout
 * 2 snapshot  stateLength:i32 state, commandCount:i32, commandCount × (length:i32 command)
 * </pre>
 *
 * Stateless and thread-safe: use {@link #INSTANCE}.
 */
public final class KvEntryCodec implements EntryCodec<KvEntry> {

    /** The shared instance. */
    public static final KvEntryCodec INSTANCE = new KvEntryCodec();

    private static final byte COMMAND = 1;
    private static final byte SNAPSHOT = 2;

    private KvEntryCodec() {}

    @Override
    public void encode(KvEntry entry, ByteBuffer out) {
        if (entry instanceof KvCommand command) {
            out.put(COMMAND);
            KvCommandCodec.INSTANCE.encode(command, out);
            return;
        }
        KvSnapshot snapshot = (KvSnapshot) entry;
        out.put(SNAPSHOT);
        out.putInt(snapshot.stateLength());
        snapshot.putState(out);
        out.putInt(snapshot.commands().size());
        for (KvCommand command : snapshot.commands()) {
            out.putInt(KvCommandCodec.INSTANCE.encodedSize(command));
            KvCommandCodec.INSTANCE.encode(command, out);
        }
    }

    @Override
    public int encodedSize(KvEntry entry) {
        if (entry instanceof KvCommand command) {
            return 1 + KvCommandCodec.INSTANCE.encodedSize(command);
        }
        KvSnapshot snapshot = (KvSnapshot) entry;
        long size = 1 + 4 + (long) snapshot.stateLength() + 4;
        for (KvCommand command : snapshot.commands()) {
            size += 4 + KvCommandCodec.INSTANCE.encodedSize(command);
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("snapshot of " + size + " bytes is too large to encode");
        }
        return (int) size;
    }

    @Override
    public KvEntry decode(ByteBuffer in) {
        if (!in.hasRemaining()) {
            throw new DecodeException("empty key-value log entry");
        }
        byte kind = in.get();
        if (kind == COMMAND) {
            return KvCommandCodec.INSTANCE.decode(in);
        }
        if (kind != SNAPSHOT) {
            throw new DecodeException("unknown key-value log entry kind " + kind + " (1 command, 2 snapshot)");
        }
        byte[] state = new byte[length(in, "snapshot state")];
        in.get(state);
        int count = length(in, "snapshot command count");
        if ((long) count * (4 + KvCommandCodec.FIXED_BYTES) > in.remaining()) {
            throw new DecodeException("snapshot claims " + count + " commands in " + in.remaining() + " bytes");
        }
        List<KvCommand> commands = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = length(in, "snapshot command " + i);
            commands.add(KvCommandCodec.INSTANCE.decode(in.slice(in.position(), length)));
            in.position(in.position() + length);
        }
        if (in.hasRemaining()) {
            throw new DecodeException(in.remaining() + " trailing bytes after a snapshot");
        }
        return new KvSnapshot(state, commands);
    }

    private static int length(ByteBuffer in, String what) {
        if (in.remaining() < 4) {
            throw new DecodeException(what + ": length missing");
        }
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new DecodeException(what + " claims " + length + " bytes, " + in.remaining() + " left");
        }
        return length;
    }
}
