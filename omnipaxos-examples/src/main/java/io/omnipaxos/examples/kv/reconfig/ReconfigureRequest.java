package io.omnipaxos.examples.kv.reconfig;

import io.omnipaxos.ClusterConfig;
import io.omnipaxos.ConfigException;
import io.omnipaxos.FlexibleQuorum;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.examples.kv.net.NetworkConfig;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.NodeAddressCodec;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The value of a {@link KvOp#RECONFIGURE} request: the configuration to hand over to, as one line
 * of text,
 *
 * <pre>
 * id=2;nodes=1@127.0.0.1:17101:17201,2@127.0.0.1:17102:17202,4@127.0.0.1:17104:17204[;quorum=R/W]
 * </pre>
 *
 * where each node is {@code pid@host:peerPort:clientPort} and {@code quorum} gives flexible read
 * and write quorum sizes. The node that receives it proposes the stop-sign {@link #stopSign()}.
 *
 * <p>A request is validated completely when it is built (or parsed): a stop-sign is decided before
 * any node decodes its metadata, so one that no node can decode would end the configuration for
 * good. Every address must fit {@link NodeAddressCodec} (pid, ports, a host of 1 to {@value
 * NodeAddressCodec#MAX_HOST_BYTES} UTF-8 bytes), a host must survive the text form (no {@code ,}
 * {@code ;} or white space), the text must fit one request's value ({@link KvCommand#MAX_VALUE_BYTES})
 * and the stop-sign the core's {@link StopSignCodec} limits.
 *
 * @param config the next configuration
 * @param addresses the address of every node of {@code config}
 */
public record ReconfigureRequest(ClusterConfig config, Map<Long, NodeAddress> addresses) {

    /**
     * Validates that every node of the configuration, and nothing else, has an address, and that
     * the request can be sent and its stop-sign decoded by every node (see the class comment).
     *
     * @throws IllegalArgumentException naming the address or the limit that is exceeded
     */
    public ReconfigureRequest {
        addresses = Map.copyOf(addresses);
        if (!addresses.keySet().equals(Set.copyOf(config.nodes()))) {
            throw new IllegalArgumentException("addresses for " + addresses.keySet() + " but the configuration's nodes are "
                    + config.nodes());
        }
        for (NodeAddress address : addresses.values()) {
            requireTextSafeHost(address);
        }
        requireSendable(config, addresses);
    }

    /** The stop-sign that hands over to this configuration, with the addresses as metadata. */
    public StopSign stopSign() {
        return stopSign(config, addresses);
    }

    private static StopSign stopSign(ClusterConfig config, Map<Long, NodeAddress> addresses) {
        List<NodeAddress> ordered = config.nodes().stream().map(addresses::get).toList();
        return new StopSign(config, NodeAddressCodec.encode(ordered));
    }

    /** A host with a separator of the text form (or white space) would not parse back. */
    private static void requireTextSafeHost(NodeAddress address) {
        String host = address.host();
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == ',' || c == ';' || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("host '" + host + "' of pid " + address.pid()
                        + " holds a separator or white space");
            }
        }
    }

    /** The stop-sign must encode within the core's limits, and the text must fit a request. */
    private static void requireSendable(ClusterConfig config, Map<Long, NodeAddress> addresses) {
        StopSign stopSign = stopSign(config, addresses); // NodeAddressCodec checks every address
        StopSignCodec.encode(stopSign); // the node count and the metadata size
        int textBytes = format(config, addresses).getBytes(StandardCharsets.UTF_8).length;
        if (textBytes > KvCommand.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("the reconfiguration to " + config.nodes().size() + " nodes is "
                    + textBytes + " bytes as text, more than the " + KvCommand.MAX_VALUE_BYTES
                    + " bytes one request carries");
        }
    }

    /** The text form (see the class comment). */
    public String format() {
        return format(config, addresses);
    }

    private static String format(ClusterConfig config, Map<Long, NodeAddress> addresses) {
        StringBuilder out = new StringBuilder("id=").append(config.configurationId()).append(";nodes=");
        for (int i = 0; i < config.nodes().size(); i++) {
            NodeAddress a = addresses.get(config.nodes().get(i));
            out.append(i == 0 ? "" : ",").append(a.pid()).append('@').append(a.host()).append(':')
                    .append(a.peerPort()).append(':').append(a.clientPort());
        }
        config.flexibleQuorum().ifPresent(q -> out.append(";quorum=").append(q.readQuorumSize()).append('/')
                .append(q.writeQuorumSize()));
        return out.toString();
    }

    /**
     * Reads the text form and validates the request (see the class comment).
     *
     * @throws IllegalArgumentException saying which part is wrong
     */
    public static ReconfigureRequest parse(String text) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : text.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 1 || parts.put(part.substring(0, eq), part.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("bad part '" + part + "' in reconfiguration '" + text + "'");
            }
        }
        if (!parts.keySet().containsAll(List.of("id", "nodes")) || !List.of("id", "nodes", "quorum")
                .containsAll(parts.keySet())) {
            throw new IllegalArgumentException("a reconfiguration needs id and nodes (and optionally quorum), got "
                    + parts.keySet());
        }
        int id = (int) number("id", parts.get("id"), Integer.MAX_VALUE);
        Map<Long, NodeAddress> addresses = new LinkedHashMap<>();
        for (String node : parts.get("nodes").split(",")) {
            NodeAddress address = address(node);
            if (addresses.put(address.pid(), address) != null) {
                throw new IllegalArgumentException("pid " + address.pid() + " listed twice in '" + text + "'");
            }
        }
        try {
            ClusterConfig config = new ClusterConfig(id, new ArrayList<>(addresses.keySet()), quorum(parts.get("quorum")));
            return new ReconfigureRequest(config, addresses);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid configuration in '" + text + "': " + e.getMessage(), e);
        }
    }

    private static NodeAddress address(String node) {
        int at = node.indexOf('@');
        int lastColon = node.lastIndexOf(':');
        int peerColon = lastColon < 0 ? -1 : node.lastIndexOf(':', lastColon - 1);
        if (at < 1 || peerColon <= at + 1) {
            throw new IllegalArgumentException("node '" + node + "' is not pid@host:peerPort:clientPort");
        }
        long pid = number("pid", node.substring(0, at), Long.MAX_VALUE);
        return new NodeAddress(pid, node.substring(at + 1, peerColon),
                port(node.substring(peerColon + 1, lastColon)), port(node.substring(lastColon + 1)));
    }

    private static Optional<FlexibleQuorum> quorum(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] sizes = text.split("/");
        if (sizes.length != 2) {
            throw new IllegalArgumentException("quorum '" + text + "' is not READ/WRITE");
        }
        int read = (int) number("read quorum", sizes[0], Integer.MAX_VALUE);
        int write = (int) number("write quorum", sizes[1], Integer.MAX_VALUE);
        return Optional.of(new FlexibleQuorum(read, write));
    }

    private static int port(String text) {
        long port = number("port", text, Integer.MAX_VALUE);
        if (port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is above 65535");
        }
        return (int) port;
    }

    private static long number(String what, String text, long max) {
        try {
            long value = Long.parseLong(text.trim());
            if (value < 1 || value > max) {
                throw new IllegalArgumentException(what + " must be in [1, " + max + "], got " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a number", e);
        }
    }

    /**
     * The configuration a node's TOML file describes (its core settings and its {@code [network]}
     * table), with its members' addresses: what {@code kv reconfigure NEW_NODE_TOML} asks for.
     *
     * @param nodeToml the TOML file of one node of the next configuration
     * @return the request for that configuration
     * @throws ConfigException naming the file if it is invalid, lacks a member's address, or
     *     describes a configuration that cannot be proposed (see the class comment)
     */
    public static ReconfigureRequest fromNodeToml(Path nodeToml) {
        OmniPaxosConfig config = OmniPaxosConfig.withToml(nodeToml, Set.of(NetworkConfig.TABLE));
        NetworkConfig network = NetworkConfig.load(nodeToml);
        Map<Long, NodeAddress> members = new LinkedHashMap<>();
        for (long pid : config.cluster().nodes()) {
            try {
                members.put(pid, network.node(pid));
            } catch (ConfigException e) {
                throw new ConfigException(nodeToml + ": " + e.getMessage(), e);
            }
        }
        try {
            return new ReconfigureRequest(config.cluster(), members);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(nodeToml + ": cannot reconfigure to this configuration: " + e.getMessage(), e);
        }
    }
}
