package io.omnipaxos.examples.kv.reconfig;

import io.omnipaxos.StopSign;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.NodeAddressCodec;
import io.omnipaxos.examples.kv.peer.AtomicFile;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvSnapshot;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import io.omnipaxos.storage.StorageException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

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
 * @param state the encoded final state, kept as given, not copied (it may be tens of MB: every
 *     caller passes an array it just made and no longer changes); {@link #state()} returns a copy
 */
public record Handover(int endedConfigId, StopSign stopSign, byte[] state) {

    private static final int MAGIC = 0x4B56484F; // "KVHO"
    private static final byte VERSION = 1;
    /** magic, version, endedConfigId, stopSignLength, stateLength: the head without the stop-sign. */
    private static final int HEAD_BYTES = 4 + 1 + 4 + 4 + 4;
    /** The shortest binary form: the head and the checksum. */
    private static final int MIN_BYTES = HEAD_BYTES + 4;

    /** Validates the fields; the metadata must hold an address for every next node. */
    public Handover {
        Objects.requireNonNull(state, "state");
        requireFollowable(endedConfigId, stopSign);
    }

    /**
     * Checks that configuration {@code endedConfigId} can hand over with {@code stopSign}: the next
     * configuration's id is higher and its metadata holds an address for every next node.
     *
     * @throws IllegalArgumentException or {@link DecodeException} saying what is wrong
     */
    public static void requireFollowable(int endedConfigId, StopSign stopSign) {
        Objects.requireNonNull(stopSign, "stopSign");
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

    /** The length of the encoded final state, without copying it. */
    public int stateLength() {
        return state.length;
    }

    /** The snapshot every member of the next configuration seeds its log with; it shares the state's bytes. */
    public KvSnapshot seed() {
        return new KvSnapshot(state, List.of());
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
        byte[] head = head();
        ByteBuffer out = ByteBuffer.allocate(head.length + state.length + 4);
        out.put(head).put(state).putInt(crc(head));
        return out.array();
    }

    /** The binary form as a source read in pieces, without a copy of the state. */
    public HandoverSource source() {
        byte[] head = head();
        return HandoverSource.ofParts(head, state, ByteBuffer.allocate(4).putInt(crc(head)).array());
    }

    /** Everything before the state's bytes: magic, version, ids, the stop-sign, the state's length. */
    private byte[] head() {
        byte[] sign = StopSignCodec.encode(stopSign);
        return ByteBuffer.allocate(HEAD_BYTES + sign.length).putInt(MAGIC).put(VERSION).putInt(endedConfigId)
                .putInt(sign.length).put(sign).putInt(state.length).array();
    }

    private int crc(byte[] head) {
        CRC32C crc = new CRC32C();
        crc.update(head);
        crc.update(state);
        return (int) crc.getValue();
    }

    /**
     * Reads the binary form.
     *
     * @param source what the bytes came from, for error messages (a file, a node)
     * @throws DecodeException naming {@code source} and what is wrong
     */
    public static Handover decode(byte[] bytes, String source) {
        try {
            return read(new ByteArrayInputStream(bytes), bytes.length, source);
        } catch (IOException e) {
            throw new DecodeException(source + ": bad handover: " + e.getMessage(), e); // not from an array
        }
    }

    /**
     * Reads the binary form of {@code length} bytes from {@code input}, holding only the parts it
     * returns (the state is read straight into its array), and checks the checksum.
     *
     * @param source what the bytes come from, for error messages (a file, a node)
     * @throws DecodeException naming {@code source} and what is wrong
     * @throws IOException if {@code input} fails
     */
    static Handover read(InputStream input, long length, String source) throws IOException {
        CRC32C crc = new CRC32C();
        DataInputStream in = new DataInputStream(new CheckedInputStream(input, crc));
        try {
            if (length < MIN_BYTES || in.readInt() != MAGIC || in.readByte() != VERSION) {
                throw new DecodeException("not a version-" + VERSION + " handover");
            }
            int ended = in.readInt();
            long left = length - (4 + 1 + 4);
            byte[] sign = block(in, "stop-sign", left);
            left -= 4 + sign.length;
            byte[] stateBytes = block(in, "state", left);
            left -= 4 + stateBytes.length;
            if (left != 4) {
                throw new DecodeException((left - 4) + " bytes before the checksum");
            }
            int computed = (int) crc.getValue();
            if (in.readInt() != computed) {
                throw new DecodeException("checksum mismatch (" + length + " bytes)");
            }
            return new Handover(ended, StopSignCodec.decode(sign), stateBytes);
        } catch (EOFException e) {
            throw new DecodeException(source + ": bad handover: it ends before its " + length + " bytes", e);
        } catch (IllegalArgumentException | DecodeException e) {
            throw new DecodeException(source + ": bad handover: " + e.getMessage(), e);
        }
    }

    /** Reads a length field and that many bytes, which must leave room for the checksum in {@code left}. */
    private static byte[] block(DataInputStream in, String what, long left) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > left - 4 - 4) {
            throw new DecodeException(what + " claims " + length + " bytes, " + (left - 8) + " left");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /**
     * Writes the binary form to {@code file} durably and atomically: a temporary file is written and
     * forced, then renamed over {@code file}, and the folder is forced.
     *
     * @throws StorageException naming the file
     */
    public void writeTo(Path file) {
        byte[] head = head();
        AtomicFile.write(file, ByteBuffer.wrap(head), ByteBuffer.wrap(state),
                ByteBuffer.allocate(4).putInt(0, crc(head)));
    }

    /**
     * Reads a file written by {@link #writeTo}.
     *
     * @throws StorageException naming the file if it cannot be read or is corrupt
     */
    public static Handover readFrom(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            return read(in, Files.size(file), file.toString());
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
