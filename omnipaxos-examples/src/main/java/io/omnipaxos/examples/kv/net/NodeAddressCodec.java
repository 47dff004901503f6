package io.omnipaxos.examples.kv.net;

import io.omnipaxos.codec.DecodeException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The binary form of a set of node addresses, which the key-value store puts in a stop-sign's
 * metadata so that every server of the old configuration learns where the new one listens.
 * Big-endian:
 *
 * <pre>
 * count:i32  count × (pid:i64 peerPort:i32 clientPort:i32 hostLength:i32 host:UTF-8)
 * </pre>
 *
 * <p>The encoder refuses exactly what the decoder refuses (a count outside [1, {@value #MAX_NODES}],
 * a pid below 1 or given twice, a port outside [1, 65535], a host of 0 or more than {@value
 * #MAX_HOST_BYTES} UTF-8 bytes): a stop-sign is decided before any node decodes its metadata, so
 * metadata that does not decode would end a configuration that no node can follow.
 */
public final class NodeAddressCodec {

    /** The most addresses one encoding holds. */
    public static final int MAX_NODES = 4096;
    /** The longest host name, in UTF-8 bytes (a DNS name has at most 253 characters). */
    public static final int MAX_HOST_BYTES = 255;

    private NodeAddressCodec() {}

    /**
     * Encodes {@code nodes}.
     *
     * @throws IllegalArgumentException naming the address (and the limit) if the decoder would refuse it
     */
    public static byte[] encode(Collection<NodeAddress> nodes) {
        requireCount(nodes.size());
        byte[][] hosts = new byte[nodes.size()][];
        Set<Long> pids = new HashSet<>();
        int size = 4;
        int i = 0;
        for (NodeAddress node : nodes) {
            hosts[i] = requireEncodable(node);
            if (!pids.add(node.pid())) {
                throw new IllegalArgumentException("pid " + node.pid() + " has two addresses");
            }
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
     * Checks that {@code node} can be encoded (and so decoded): its pid, ports and host.
     *
     * @return the host's UTF-8 bytes
     * @throws IllegalArgumentException naming the pid and what is out of range
     */
    public static byte[] requireEncodable(NodeAddress node) {
        if (node.pid() <= 0) {
            throw new IllegalArgumentException("pid " + node.pid() + " must be > 0");
        }
        if (!isPort(node.peerPort()) || !isPort(node.clientPort())) {
            throw new IllegalArgumentException("pid " + node.pid() + ": " + (isPort(node.peerPort())
                    ? "client port " + node.clientPort() : "peer port " + node.peerPort()) + " is not in [1, 65535]");
        }
        byte[] host = node.host().getBytes(StandardCharsets.UTF_8);
        if (host.length == 0) {
            throw new IllegalArgumentException("host of pid " + node.pid() + " is empty");
        }
        if (host.length > MAX_HOST_BYTES) {
            throw new IllegalArgumentException("host of pid " + node.pid() + " is " + host.length
                    + " UTF-8 bytes, more than the limit of " + MAX_HOST_BYTES);
        }
        return host;
    }

    private static void requireCount(int count) {
        if (count < 1 || count > MAX_NODES) {
            throw new IllegalArgumentException(count + " node addresses, expected 1 to " + MAX_NODES);
        }
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
