package io.omnipaxos.examples.kv.net;

import io.omnipaxos.codec.DecodeException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binary form of a set of node addresses, which the key-value store puts in a stop-sign's
 * metadata so that every server of the old configuration learns where the new one listens.
 * Big-endian:
 *
 * <pre>
 * count:i32  count × (pid:i64 peerPort:i32 clientPort:i32 hostLength:i32 host:UTF-8)
 * </pre>
 */
public final class NodeAddressCodec {

    /** The most addresses one encoding holds. */
    static final int MAX_NODES = 4096;
    /** The longest host name, in UTF-8 bytes. */
    static final int MAX_HOST_BYTES = 255;

    private NodeAddressCodec() {}

    /** Encodes {@code nodes}. */
    public static byte[] encode(Collection<NodeAddress> nodes) {
        byte[][] hosts = new byte[nodes.size()][];
        int size = 4;
        int i = 0;
        for (NodeAddress node : nodes) {
            hosts[i] = node.host().getBytes(StandardCharsets.UTF_8);
            size += 8 + 4 + 4 + 4 + hosts[i++].length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(nodes.size());
        i = 0;
        for (NodeAddress node : nodes) {
            out.putLong(node.pid()).putInt(node.peerPort()).putInt(node.clientPort()).putInt(hosts[i].length)
                    .put(hosts[i++]);
        }
        return out.array();
    }

    /**
     * Decodes addresses encoded by {@link #encode}, by pid.
     *
     * @throws DecodeException saying what is wrong if the bytes are not such an encoding
     */
    public static Map<Long, NodeAddress> decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            int count = in.getInt();
            if (count < 1 || count > MAX_NODES) {
                throw new DecodeException("node address count " + count + " outside [1, " + MAX_NODES + "]");
            }
            Map<Long, NodeAddress> nodes = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                NodeAddress node = readNode(in);
                if (nodes.put(node.pid(), node) != null) {
                    throw new DecodeException("pid " + node.pid() + " has two addresses");
                }
            }
            if (in.hasRemaining()) {
                throw new DecodeException(in.remaining() + " bytes after the last node address");
            }
            return nodes;
        } catch (BufferUnderflowException e) {
            throw new DecodeException("node addresses end early (" + bytes.length + " bytes)");
        }
    }

    private static NodeAddress readNode(ByteBuffer in) {
        long pid = in.getLong();
        int peerPort = in.getInt();
        int clientPort = in.getInt();
        int hostLength = in.getInt();
        if (pid <= 0 || !isPort(peerPort) || !isPort(clientPort)) {
            throw new DecodeException("bad node address: pid " + pid + ", ports " + peerPort + "/" + clientPort);
        }
        if (hostLength < 1 || hostLength > MAX_HOST_BYTES || hostLength > in.remaining()) {
            throw new DecodeException("host of pid " + pid + " claims " + hostLength + " bytes");
        }
        byte[] host = new byte[hostLength];
        in.get(host);
        return new NodeAddress(pid, new String(host, StandardCharsets.UTF_8), peerPort, clientPort);
    }

    private static boolean isPort(int port) {
        return port >= 1 && port <= 65_535;
    }
}
