package io.omnipaxos.codec;

import io.omnipaxos.ClusterConfig;
import io.omnipaxos.ConfigException;
import io.omnipaxos.FlexibleQuorum;
import io.omnipaxos.StopSign;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The binary form of a {@link StopSign}, used inside messages and by storages. Big-endian:
 *
 * <pre>
 * configurationId:i32 nodeCount:i32 nodeCount × pid:i64
 * flexible:u8 (0 or 1) [readQuorumSize:i32 writeQuorumSize:i32 if flexible]
 * metadataLength:i32 metadata bytes
 * </pre>
 *
 * Decoding checks every count and length before allocating and validates the configuration, so
 * corrupt or hostile bytes give a {@link DecodeException} that says what is wrong.
 */
public final class StopSignCodec {

    /** The most servers a configuration may name. */
    public static final int MAX_NODES = 4096;
    /** The most metadata bytes a stop-sign may carry. */
    public static final int MAX_METADATA_BYTES = 1 << 20;

    private StopSignCodec() {}

    /** The number of bytes {@link #encode(StopSign, ByteBuffer)} writes. */
    public static int encodedSize(StopSign stopSign) {
        ClusterConfig next = stopSign.nextConfig();
        int quorum = next.flexibleQuorum().isPresent() ? 8 : 0;
        return 4 + 4 + 8 * next.nodes().size() + 1 + quorum + 4 + stopSign.metadata().length;
    }

    /** Writes {@code stopSign} at {@code out}'s position. */
    public static void encode(StopSign stopSign, ByteBuffer out) {
        ClusterConfig next = stopSign.nextConfig();
        checkEncodable(stopSign);
        out.putInt(next.configurationId());
        out.putInt(next.nodes().size());
        for (long pid : next.nodes()) {
            out.putLong(pid);
        }
        Optional<FlexibleQuorum> quorum = next.flexibleQuorum();
        out.put(quorum.isPresent() ? (byte) 1 : (byte) 0);
        if (quorum.isPresent()) {
            out.putInt(quorum.get().readQuorumSize());
            out.putInt(quorum.get().writeQuorumSize());
        }
        byte[] metadata = stopSign.metadata();
        out.putInt(metadata.length);
        out.put(metadata);
    }

    /** Encodes {@code stopSign} into a new array. */
    public static byte[] encode(StopSign stopSign) {
        ByteBuffer out = ByteBuffer.allocate(encodedSize(stopSign));
        encode(stopSign, out);
        return out.array();
    }

    /**
     * Reads a stop-sign at {@code in}'s position and advances past it.
     *
     * @throws DecodeException if the bytes are not a valid stop-sign
     */
    public static StopSign decode(ByteBuffer in) {
        int start = in.position();
        try {
            int configurationId = in.getInt();
            int nodeCount = in.getInt();
            requireRange("node count", nodeCount, 0, MAX_NODES, in.position() - 4);
            requireBytes(in, 8L * nodeCount, "nodes");
            List<Long> nodes = new ArrayList<>(nodeCount);
            for (int i = 0; i < nodeCount; i++) {
                nodes.add(in.getLong());
            }
            Optional<FlexibleQuorum> quorum = readQuorum(in);
            int metadataLength = in.getInt();
            requireRange("metadata length", metadataLength, 0, MAX_METADATA_BYTES, in.position() - 4);
            requireBytes(in, metadataLength, "metadata");
            byte[] metadata = new byte[metadataLength];
            in.get(metadata);
            return new StopSign(new ClusterConfig(configurationId, nodes, quorum), metadata);
        } catch (BufferUnderflowException e) {
            throw new DecodeException("stop-sign starting at byte " + start + " is truncated", e);
        } catch (ConfigException e) {
            throw new DecodeException("stop-sign starting at byte " + start + " names an invalid configuration: "
                    + e.getMessage(), e);
        }
    }

    /** Decodes a stop-sign that fills {@code bytes} exactly. */
    public static StopSign decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        StopSign stopSign = decode(in);
        if (in.hasRemaining()) {
            throw new DecodeException("stop-sign has " + in.remaining() + " trailing bytes after byte " + in.position());
        }
        return stopSign;
    }

    private static Optional<FlexibleQuorum> readQuorum(ByteBuffer in) {
        int flag = in.get() & 0xFF;
        if (flag > 1) {
            throw new DecodeException("stop-sign flexible-quorum flag at byte " + (in.position() - 1)
                    + " must be 0 or 1, got " + flag);
        }
        return flag == 0 ? Optional.empty() : Optional.of(new FlexibleQuorum(in.getInt(), in.getInt()));
    }

    /**
     * Throws unless {@code stopSign} is within this codec's limits, so that every server can decode
     * it: {@link io.omnipaxos.OmniPaxos#reconfigure} refuses a stop-sign that fails this.
     *
     * @throws IllegalArgumentException naming the limit it exceeds
     */
    public static void checkEncodable(StopSign stopSign) {
        if (stopSign.nextConfig().nodes().size() > MAX_NODES) {
            throw new IllegalArgumentException("stop-sign names " + stopSign.nextConfig().nodes().size()
                    + " nodes, more than " + MAX_NODES);
        }
        if (stopSign.metadata().length > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("stop-sign metadata has " + stopSign.metadata().length
                    + " bytes, more than " + MAX_METADATA_BYTES);
        }
    }

    private static void requireRange(String what, int value, int min, int max, int at) {
        if (value < min || value > max) {
            throw new DecodeException("stop-sign " + what + " at byte " + at + " must be in [" + min + ", "
                    + max + "], got " + value);
        }
    }

    private static void requireBytes(ByteBuffer in, long needed, String what) {
        if (needed > in.remaining()) {
            throw new DecodeException("stop-sign " + what + " needs " + needed + " bytes at byte " + in.position()
                    + " but only " + in.remaining() + " are left");
        }
    }
}
