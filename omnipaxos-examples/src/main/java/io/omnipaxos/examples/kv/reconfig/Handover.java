package io.omnipaxos.examples.kv.reconfig;

import io.omnipaxos.StopSign;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.NodeAddressCodec;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * How one configuration of the key-value store hands over to the next: the decided stop-sign that
 * ended configuration {@code endedConfigId} (the next configuration and, in its metadata, the
 * addresses of its nodes) and the final state of the map, after every entry before the stop-sign.
 * Every server of the next configuration seeds its fresh log with this state, so all of them start
 * from the same decided slot; new servers fetch it from an old one ({@link KvOp#FETCH_STATE}).
 *
 * <p>Binary form, on the client port and in the {@code handover} file of a configuration folder
 * ({@link ConfigDirs}); big-endian:
 *
 * <pre>
 * magic:"KVHO" version:u8 (1) endedConfigId:i32 stopSignLength:i32 stopSign (StopSignCodec)
 * stateLength:i32 state (KvStateMachine.encode) crc32c:i32 (of everything before it)
 * </pre>
 *
 * @param endedConfigId the configuration the stop-sign ended
 * @param stopSign the decided stop-sign
 * @param state the encoded final state (copied in and out)
 */
public record Handover(int endedConfigId, StopSign stopSign, byte[] state) {

    private static final int MAGIC = 0x4B56484F; // "KVHO"
    private static final byte VERSION = 1;

    /** Validates and copies the fields; the metadata must hold an address for every next node. */
    public Handover {
        Objects.requireNonNull(stopSign, "stopSign");
        state = Objects.requireNonNull(state, "state").clone();
        if (stopSign.nextConfig().configurationId() <= endedConfigId) {
            throw new IllegalArgumentException("configuration " + endedConfigId + " cannot hand over to configuration "
                    + stopSign.nextConfig().configurationId() + ": ids must grow");
        }
        Map<Long, NodeAddress> addresses = NodeAddressCodec.decode(stopSign.metadata());
        for (long pid : stopSign.nextConfig().nodes()) {
            if (!addresses.containsKey(pid)) {
                throw new IllegalArgumentException("the stop-sign has no address for pid " + pid);
            }
        }
    }

    /** A copy of the encoded final state. */
    @Override
    public byte[] state() {
        return state.clone();
    }

    /** The id of the configuration that takes over. */
    public int nextConfigId() {
        return stopSign.nextConfig().configurationId();
    }

    /** The addresses of the next configuration's nodes, by pid. */
    public Map<Long, NodeAddress> nextAddresses() {
        return NodeAddressCodec.decode(stopSign.metadata());
    }

    /** The binary form (see the class comment). */
    public byte[] encode() {
        byte[] sign = StopSignCodec.encode(stopSign);
        ByteBuffer out = ByteBuffer.allocate(4 + 1 + 4 + 4 + sign.length + 4 + state.length + 4);
        out.putInt(MAGIC).put(VERSION).putInt(endedConfigId).putInt(sign.length).put(sign).putInt(state.length)
                .put(state);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /**
     * Reads the binary form.
     *
     * @param source what the bytes came from, for error messages (a file, a node)
     * @throws DecodeException naming {@code source} and what is wrong
     */
    public static Handover decode(byte[] bytes, String source) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            if (bytes.length < 4 + 1 + 4 + 4 + 4 + 4 || in.getInt() != MAGIC || in.get() != VERSION) {
                throw new DecodeException("not a version-" + VERSION + " handover");
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
                throw new DecodeException("checksum mismatch (" + bytes.length + " bytes)");
            }
            int ended = in.getInt();
            byte[] sign = new byte[length(in, "stop-sign")];
            in.get(sign);
            StopSign stopSign = StopSignCodec.decode(sign);
            byte[] state = new byte[length(in, "state")];
            in.get(state);
            if (in.remaining() != 4) {
                throw new DecodeException((in.remaining() - 4) + " bytes before the checksum");
            }
            return new Handover(ended, stopSign, state);
        } catch (BufferUnderflowException | IllegalArgumentException | DecodeException e) {
            throw new DecodeException(source + ": bad handover: " + e.getMessage(), e);
        }
    }

    /** Reads a length field and checks that that many bytes (and the checksum) follow. */
    private static int length(ByteBuffer in, String what) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining() - 4) {
            throw new DecodeException(what + " claims " + length + " bytes, " + (in.remaining() - 4) + " left");
        }
        return length;
    }

    /**
     * Writes the binary form to {@code file} durably and atomically: a temporary file is written and
     * forced, then renamed over {@code file}, and the folder is forced.
     *
     * @throws StorageException naming the file
     */
    public void writeTo(Path file) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(encode());
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel folder = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                folder.force(true);
            }
        } catch (IOException e) {
            throw new StorageException("cannot write " + file + ": " + e, e);
        }
    }

    /**
     * Reads a file written by {@link #writeTo}.
     *
     * @throws StorageException naming the file if it cannot be read or is corrupt
     */
    public static Handover readFrom(Path file) {
        try {
            return decode(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + e, e);
        } catch (DecodeException e) {
            throw new StorageException(e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Handover h && endedConfigId == h.endedConfigId && stopSign.equals(h.stopSign)
                && Arrays.equals(state, h.state);
    }

    @Override
    public int hashCode() {
        return Objects.hash(endedConfigId, stopSign, Arrays.hashCode(state));
    }

    @Override
    public String toString() {
        return "Handover[" + endedConfigId + " -> " + stopSign.nextConfig() + ", state " + state.length + " bytes]";
    }
}
