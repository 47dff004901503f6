package io.omnipaxos.examples.kv.net;

import io.omnipaxos.ConfigException;
import io.omnipaxos.examples.kv.state.KvCommand;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The {@code [network]} table of a node's TOML file, which the key-value store owns (the core
 * loads the rest with {@code OmniPaxosConfig.withToml(file, Set.of("network"))}):
 *
 * <pre>
 * [network]
 * nodes = [                                  # every node of the cluster, this one included
 *   { pid = 1, host = "127.0.0.1", peer_port = 17101, client_port = 17201 },
 *   ...
 * ]
 * data_dir = "data/node1"                    # PersistentStorage folder (relative: to the working dir)
 * tick_interval_ms = 5                       # wall-clock milliseconds per OmniPaxos tick (optional)
 * snapshot_interval = 100000                 # decided entries between snapshots of the map (optional, 0: never)
 * follower_reads = false                     # followers serve GETs through the leader's read index (optional)
 * storage_sync = "every_write"               # or "os_page_cache" (optional)
 * join = false                               # true: a new node of a reconfiguration (optional, see below)
 * admin_token = "..."                        # lets other hosts send admin requests (optional, see below)
 * max_client_connections = 1024              # client connections served at once (optional, see below)
 * max_unsent_replies_mib = 256               # MiB of replies all client connections may hold unsent (optional)
 * http_port = 17301                          # /, /metrics and /status on 127.0.0.1 (optional; else its row's)
 *
 * [network.tls]                              # optional; TLS is off without it
 * enabled = true
 * key_store = "tls/node1.p12"                # PKCS#12, certificate CN = "node&lt;pid&gt;", issued by the node CA
 * key_store_password = "..."
 * trust_store = "tls/nodes-ca.p12"           # the node CA: the only trust of peer links
 * trust_store_password = "..."
 * client_trust_store = "tls/clients-ca.p12"  # the client CA: accepted on the client port only
 * client_trust_store_password = "..."
 * </pre>
 *
 * <p>With TLS, a certificate that chains to the client CA is a plain client, whatever its CN: only
 * certificates of the node CA are accepted on peer links and count as a node's on the client port
 * (see docs/kv-store.md, "TLS").
 *
 * <p>With {@code join = true} the node is a new member of the configuration {@code
 * configuration_id} that a reconfiguration of a running cluster creates: before it runs, it fetches
 * the final state of the previous configuration from the other nodes of {@code nodes} (which may
 * list old nodes that are not members of the new configuration, as sources). {@code nodes} must
 * give the address of every member.
 *
 * <p>{@code admin_token} ({@value #MIN_ADMIN_TOKEN_BYTES} to {@value #MAX_ADMIN_TOKEN_BYTES} UTF-8
 * bytes) is the shared secret that administrative requests (reconfiguration, state fetches) from
 * other hosts carry when TLS does not authenticate them as nodes; see docs/kv-store.md.
 *
 * <p>{@code max_client_connections} (1 to {@value ClientLimits#MAX_CONNECTIONS_LIMIT}, default
 * {@value ClientLimits#DEFAULT_MAX_CONNECTIONS}) and {@code max_unsent_replies_mib} (1 to {@value
 * ClientLimits#MAX_UNSENT_REPLIES_MIB_LIMIT}, default {@value ClientLimits#DEFAULT_MAX_UNSENT_REPLIES_MIB})
 * bound what all client connections together cost the node ({@link ClientLimits}); peer links are
 * not counted.
 *
 * <p>Unknown keys are errors, as in the core's tables, so a misspelt key is reported; in {@code
 * [network.tls]} too, whether TLS is enabled or not (a misspelt {@code enabled} would leave TLS
 * off). A value of the wrong type is an error naming its key.
 *
 * @param nodes every node's address, by pid
 * @param dataDir the storage folder
 * @param tickIntervalMillis milliseconds between ticks
 * @param syncEveryWrite whether every write is made durable (fsync) before anything that depends on it
 *     is sent, by the node's storage thread (else writes are left to the OS page cache)
 * @param tls TLS settings for peer and client links
 * @param snapshotInterval decided entries between two snapshots of the key-value map (0: never)
 * @param join whether the node joins a running cluster in a new configuration
 * @param adminToken the secret that authorises administrative requests from other hosts, if any
 * @param clientLimits what all client connections together may cost the node
 * @param followerReads whether a follower serves GETs itself (through the leader's read index)
 *     instead of answering NOT_LEADER
 * @param httpPort the port of the node's HTTP endpoints on 127.0.0.1 ({@code /}, {@code /metrics},
 *     {@code /status}), 0 for none (then its row's {@code http_port} counts: {@link #httpPortOf})
 * @param httpPorts the HTTP ports the {@code nodes} rows name ({@code http_port}, optional per row),
 *     by pid: where the dashboard finds the other nodes' {@code /status}
 */
public record NetworkConfig(Map<Long, NodeAddress> nodes, Path dataDir, int tickIntervalMillis,
        boolean syncEveryWrite, TlsSettings tls, long snapshotInterval, boolean join, Optional<String> adminToken,
        ClientLimits clientLimits, boolean followerReads, int httpPort, Map<Long, Integer> httpPorts) {

    /** The default number of decided entries between two snapshots. */
    public static final long DEFAULT_SNAPSHOT_INTERVAL = 100_000;

    /** The name of the table in the node's TOML file. */
    public static final String TABLE = "network";

    /** The default tick interval. */
    public static final int DEFAULT_TICK_INTERVAL_MILLIS = 5;

    /** The longest tick interval accepted: longer ticks would make elections take minutes. */
    public static final int MAX_TICK_INTERVAL_MILLIS = 1000;

    /** The shortest admin token: a guessable secret protects nothing. */
    public static final int MIN_ADMIN_TOKEN_BYTES = 16;

    /** The longest admin token: it travels in a request's key. */
    public static final int MAX_ADMIN_TOKEN_BYTES = KvCommand.MAX_KEY_BYTES;

    private static final Set<String> KEYS = Set.of("nodes", "data_dir", "tick_interval_ms", "storage_sync", "tls",
            "snapshot_interval", "join", "admin_token", "max_client_connections", "max_unsent_replies_mib", "follower_reads",
            "http_port");
    private static final Set<String> NODE_KEYS = Set.of("pid", "host", "peer_port", "client_port", "http_port");
    private static final Set<String> TLS_KEYS = Set.of("enabled", "key_store", "key_store_password", "trust_store",
            "trust_store_password", "client_trust_store", "client_trust_store_password");

    /** Copies the node maps. */
    public NetworkConfig {
        nodes = Map.copyOf(nodes);
        httpPorts = Map.copyOf(httpPorts);
        Objects.requireNonNull(adminToken, "adminToken");
        Objects.requireNonNull(clientLimits, "clientLimits");
    }

    /**
     * Reads the {@code [network]} table of {@code file}. Relative store paths in {@code [network.tls]}
     * are resolved against the file's folder; {@code data_dir} against the working directory.
     *
     * @throws ConfigException naming the file and the key
     */
    public static NetworkConfig load(Path file) {
        TomlParseResult toml = parse(file);
        if (!(toml.get(TABLE) instanceof TomlTable network)) {
            throw new ConfigException(file + ": missing [" + TABLE + "] table");
        }
        rejectUnknown(file, TABLE, network, KEYS);
        Map<Long, NodeAddress> nodes = readNodes(file, network);
        String dataDir = requireString(file, TABLE, network, "data_dir");
        long tick = optionalInRange(file, network, "tick_interval_ms", DEFAULT_TICK_INTERVAL_MILLIS, 1,
                MAX_TICK_INTERVAL_MILLIS);
        String sync = optional(file, network, "storage_sync", String.class, "every_write");
        if (!sync.equals("every_write") && !sync.equals("os_page_cache")) {
            throw new ConfigException(file + ": " + TABLE + ".storage_sync must be \"every_write\" or "
                    + "\"os_page_cache\", got \"" + sync + "\"");
        }
        TlsSettings tls = readTls(file, network.get("tls"));
        long snapshotInterval = optional(file, network, "snapshot_interval", Long.class, DEFAULT_SNAPSHOT_INTERVAL);
        if (snapshotInterval < 0) {
            throw new ConfigException(file + ": " + TABLE + ".snapshot_interval must be >= 0 (0: never), got "
                    + snapshotInterval);
        }
        boolean join = optional(file, network, "join", Boolean.class, false);
        boolean followerReads = optional(file, network, "follower_reads", Boolean.class, false);
        long httpPort = optionalInRange(file, network, "http_port", 0, 0, 65535);
        return new NetworkConfig(nodes, Path.of(dataDir), (int) tick, sync.equals("every_write"), tls,
                snapshotInterval, join, readAdminToken(file, network), readClientLimits(file, network), followerReads,
                (int) httpPort, readHttpPorts(file, network));
    }

    /**
     * Node {@code pid}'s HTTP port: {@code [network] http_port} if set, else the one its row in
     * {@code nodes} names, else 0 (none).
     */
    public int httpPortOf(long pid) {
        return httpPort != 0 ? httpPort : httpPorts.getOrDefault(pid, 0);
    }

    /** The {@code http_port} of every {@code nodes} row that names one (rows already checked by readNodes). */
    private static Map<Long, Integer> readHttpPorts(Path file, TomlTable network) {
        TomlArray array = (TomlArray) network.get("nodes");
        Map<Long, Integer> ports = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            TomlTable row = (TomlTable) array.get(i);
            if (row.contains("http_port")) {
                ports.put(row.getLong("pid"), requirePort(file, TABLE + ".nodes[" + i + "]", row, "http_port"));
            }
        }
        return ports;
    }

    /** The address of node {@code pid}. */
    public NodeAddress node(long pid) {
        NodeAddress address = nodes.get(pid);
        if (address == null) {
            throw new ConfigException("no address for pid " + pid + " in " + TABLE + ".nodes " + nodes.keySet());
        }
        return address;
    }

    /**
     * The start-up warning for node {@code pid} if it listens on an address other than loopback
     * without TLS: then anyone who reaches its peer port can pose as a peer, its clients are
     * unauthenticated, and administrative requests from other hosts rest on the admin token alone
     * (sent in clear text). Empty with TLS or on a loopback address.
     *
     * @throws ConfigException if {@code pid} has no address
     */
    public Optional<String> exposureWarning(long pid) {
        NodeAddress self = node(pid);
        if (tls.enabled() || isLoopback(self.host())) {
            return Optional.empty();
        }
        return Optional.of("node " + pid + " listens on " + self.host() + " (peer port " + self.peerPort()
                + ", client port " + self.clientPort() + ") without TLS: peer links and clients are unauthenticated "
                + "(anyone who reaches the peer port can pose as a node); administrative requests from other hosts "
                + (adminToken.isPresent() ? "are accepted with the admin token, which travels in clear text"
                        : "are refused (set " + TABLE + ".admin_token or enable [" + TABLE + ".tls])"));
    }

    /** Whether every address {@code host} resolves to is a loopback address (false if it does not resolve). */
    static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static TomlParseResult parse(Path file) {
        try {
            TomlParseResult toml = Toml.parse(Files.readString(file));
            if (toml.hasErrors()) {
                throw new ConfigException(file + ": " + toml.errors().get(0));
            }
            return toml;
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e, e);
        }
    }

    private static Map<Long, NodeAddress> readNodes(Path file, TomlTable network) {
        if (!(network.get("nodes") instanceof TomlArray array) || array.isEmpty()) {
            throw new ConfigException(file + ": " + TABLE + ".nodes must list every node's address");
        }
        Map<Long, NodeAddress> nodes = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            Object element = array.get(i);
            String where = TABLE + ".nodes[" + i + "]";
            if (!(element instanceof TomlTable row)) {
                throw new ConfigException(file + ": " + where + " must be a table { pid, host, peer_port, client_port }");
            }
            rejectUnknown(file, where, row, NODE_KEYS);
            NodeAddress address = new NodeAddress(requireLong(file, where, row, "pid"), requireString(file, where, row,
                    "host"), requirePort(file, where, row, "peer_port"), requirePort(file, where, row, "client_port"));
            int hostBytes = address.host().getBytes(StandardCharsets.UTF_8).length;
            if (hostBytes > NodeAddressCodec.MAX_HOST_BYTES) {
                throw new ConfigException(file + ": " + where + ".host is " + hostBytes + " UTF-8 bytes, more than "
                        + NodeAddressCodec.MAX_HOST_BYTES);
            }
            if (nodes.put(address.pid(), address) != null) {
                throw new ConfigException(file + ": " + where + ": pid " + address.pid() + " listed twice");
            }
        }
        return nodes;
    }

    private static TlsSettings readTls(Path file, Object value) {
        String where = TABLE + ".tls";
        if (value == null) {
            return TlsSettings.DISABLED;
        }
        if (!(value instanceof TomlTable tls)) {
            throw new ConfigException(file + ": " + where + " must be a table ([" + where + "]), got " + value);
        }
        rejectUnknown(file, where, tls, TLS_KEYS);
        Object enabled = tls.get("enabled");
        if (enabled != null && !(enabled instanceof Boolean)) {
            throw new ConfigException(file + ": " + where + ".enabled must be true or false, got " + enabled);
        }
        if (!Boolean.TRUE.equals(enabled)) {
            return TlsSettings.DISABLED;
        }
        Path folder = file.toAbsolutePath().getParent();
        return new TlsSettings(true, folder.resolve(requireString(file, where, tls, "key_store")),
                requireString(file, where, tls, "key_store_password"),
                folder.resolve(requireString(file, where, tls, "trust_store")),
                requireString(file, where, tls, "trust_store_password"),
                folder.resolve(requireString(file, where, tls, "client_trust_store")),
                requireString(file, where, tls, "client_trust_store_password"));
    }

    private static Optional<String> readAdminToken(Path file, TomlTable network) {
        if (network.get("admin_token") == null) {
            return Optional.empty();
        }
        String token = requireString(file, TABLE, network, "admin_token");
        int bytes = token.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MIN_ADMIN_TOKEN_BYTES || bytes > MAX_ADMIN_TOKEN_BYTES) {
            throw new ConfigException(file + ": " + TABLE + ".admin_token must be " + MIN_ADMIN_TOKEN_BYTES + " to "
                    + MAX_ADMIN_TOKEN_BYTES + " UTF-8 bytes, got " + bytes);
        }
        return Optional.of(token);
    }

    private static ClientLimits readClientLimits(Path file, TomlTable network) {
        long connections = optionalInRange(file, network, "max_client_connections",
                ClientLimits.DEFAULT_MAX_CONNECTIONS, 1, ClientLimits.MAX_CONNECTIONS_LIMIT);
        long unsentMib = optionalInRange(file, network, "max_unsent_replies_mib",
                ClientLimits.DEFAULT_MAX_UNSENT_REPLIES_MIB, 1, ClientLimits.MAX_UNSENT_REPLIES_MIB_LIMIT);
        return new ClientLimits((int) connections, unsentMib * ClientLimits.MIB);
    }

    /** The value of an optional integer key of the {@code [network]} table, which must be in {@code [min, max]}. */
    private static long optionalInRange(Path file, TomlTable network, String key, long defaultValue, long min,
            long max) {
        long value = optional(file, network, key, Long.class, defaultValue);
        if (value < min || value > max) {
            throw new ConfigException(file + ": " + TABLE + "." + key + " must be in [" + min + ", " + max + "], got "
                    + value);
        }
        return value;
    }

    /** The value of an optional key of the {@code [network]} table, which must have {@code type}. */
    private static <V> V optional(Path file, TomlTable network, String key, Class<V> type, V defaultValue) {
        Object value = network.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (!type.isInstance(value)) {
            String expected = type == Long.class ? "an integer" : type == Boolean.class ? "true or false" : "a string";
            throw new ConfigException(file + ": " + TABLE + "." + key + " must be " + expected + ", got " + value);
        }
        return type.cast(value);
    }

    private static void rejectUnknown(Path file, String where, TomlTable table, Set<String> known) {
        List<String> unknown = new ArrayList<>(table.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ConfigException(file + ": " + where + ": unknown key(s) " + unknown + ", expected some of "
                    + known.stream().sorted().toList());
        }
    }

    private static long requireLong(Path file, String where, TomlTable row, String key) {
        Object value = row.get(key);
        if (!(value instanceof Long number) || number <= 0) {
            throw new ConfigException(file + ": " + where + "." + key + " must be a positive integer, got " + value);
        }
        return number;
    }

    private static int requirePort(Path file, String where, TomlTable row, String key) {
        long port = requireLong(file, where, row, key);
        if (port > 65_535) {
            throw new ConfigException(file + ": " + where + "." + key + " must be a port in [1, 65535], got " + port);
        }
        return (int) port;
    }

    private static String requireString(Path file, String where, TomlTable row, String key) {
        Object value = row.get(key);
        if (!(value instanceof String text) || text.isBlank()) {
            throw new ConfigException(file + ": " + where + "." + key + " must be a non-empty string, "
                    + (value == null ? "but the key is missing" : "got " + value));
        }
        return text;
    }
}
