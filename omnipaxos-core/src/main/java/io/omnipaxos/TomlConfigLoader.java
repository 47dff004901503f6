package io.omnipaxos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

/**
 * Reads an {@link OmniPaxosConfig} from a TOML file in one of two layouts:
 *
 * <ul>
 *   <li>flat, as in the OmniPaxos tutorial: {@code configuration_id}, {@code pid}, {@code peers} and
 *       the optional server keys and {@code flexible_quorum} at the top level; the nodes are the
 *       peers plus the pid;
 *   <li>sectioned, as in the Rust library: {@code [cluster_config]} holds {@code configuration_id},
 *       {@code nodes} and optional {@code flexible_quorum}; {@code [server_config]} the server keys.
 * </ul>
 *
 * <p>Unknown keys are errors, because a misspelt optional key would otherwise silently fall back to
 * its default. Top-level tables named as application tables are skipped entirely. Range checks are
 * left to the config records; their errors are re-thrown prefixed with the file and key position.
 */
final class TomlConfigLoader {

    /** The server keys, shared by the flat top level and {@code [server_config]}. */
    private static final List<String> SERVER_KEYS = List.of("pid", "election_tick_timeout",
            "resend_message_tick_timeout", "flush_batch_tick_timeout", "buffer_size", "batch_size",
            "max_message_bytes", "leader_priority", "logger_file_path", "leader_lease_ticks",
            "max_clock_drift_percent", "learner");
    private static final List<String> CLUSTER_KEYS = List.of("configuration_id", "nodes", "flexible_quorum");
    private static final List<String> FLAT_KEYS = concat(List.of("configuration_id", "peers", "flexible_quorum"),
            SERVER_KEYS);
    private static final List<String> SECTIONS = List.of("cluster_config", "server_config");
    private static final List<String> QUORUM_KEYS = List.of("read_quorum_size", "write_quorum_size");

    private TomlConfigLoader() {}

    /**
     * Loads and validates the configuration in {@code file}.
     *
     * @param applicationTables top-level tables that belong to the application and are not checked;
     *     the config's own keys take precedence over these names
     * @throws ConfigException naming the file, and where known the key, its position and its value
     */
    static OmniPaxosConfig load(Path file, Set<String> applicationTables) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(applicationTables, "applicationTables");
        TomlTableReader root = TomlTableReader.root(file, parse(file));
        boolean sectioned = SECTIONS.stream().anyMatch(root::has);
        List<String> configKeys = sectioned ? SECTIONS : FLAT_KEYS;
        for (String key : root.keys()) {
            if (sectioned && FLAT_KEYS.contains(key)) {
                throw root.error(key, "flat-layout key at the top level of a file with [cluster_config]/"
                        + "[server_config] sections; use one layout (move it into a section)");
            }
        }
        var known = new ArrayList<>(configKeys);
        // Sorted so that the "expected one of" list in error messages does not depend on Set order.
        for (String name : new TreeSet<>(applicationTables)) {
            if (!configKeys.contains(name)) {
                root.optionalTable(name); // the content is the application's; we only insist on a table
                known.add(name);
            }
        }
        root.rejectUnknownKeys(known);
        return sectioned ? loadSectioned(root) : loadFlat(root);
    }

    /** Reads and parses the file; I/O and syntax errors become ConfigExceptions naming the file. */
    private static TomlParseResult parse(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | SecurityException e) {
            // NoSuchFileException's message is just the path, so name the exception type too.
            throw new ConfigException(file + ": cannot read config file (" + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + ")", e);
        }
        TomlParseResult result = Toml.parse(text);
        if (result.hasErrors()) {
            // tomlj does not report errors in file order (e.g. a duplicate key after an unclosed array).
            List<TomlParseError> errors = result.errors().stream()
                    .sorted(Comparator.comparingInt((TomlParseError e) -> e.position().line())
                            .thenComparingInt(e -> e.position().column()))
                    .toList();
            throw new ConfigException(file + ": malformed TOML, " + errors.size()
                    + (errors.size() == 1 ? " error:" : " errors:")
                    + errors.stream()
                            .map(e -> "\n  " + TomlTableReader.location(file, e.position()) + e.getMessage())
                            .collect(Collectors.joining()));
        }
        return result;
    }

    private static OmniPaxosConfig loadFlat(TomlTableReader root) {
        ServerConfig server = readServer(root);
        List<Long> peers = root.requiredLongList("peers");
        if (peers.contains(server.pid())) {
            throw root.error("peers", "must not contain this server's pid " + server.pid() + ", got "
                    + TomlTableReader.describe(peers));
        }
        var nodes = new ArrayList<Long>(peers.size() + 1);
        if (!server.learner()) {
            nodes.add(server.pid()); // a learner's peers are the nodes
        }
        nodes.addAll(peers);
        nodes.sort(null); // as OmniPaxosConfig.Builder does for peers, so both routes give equal configs
        ClusterConfig cluster = readCluster(root, "peers", nodes);
        return combine(cluster, server, root);
    }

    private static OmniPaxosConfig loadSectioned(TomlTableReader root) {
        TomlTableReader clusterTable = root.requiredTable("cluster_config");
        TomlTableReader serverTable = root.requiredTable("server_config");
        clusterTable.rejectUnknownKeys(CLUSTER_KEYS);
        serverTable.rejectUnknownKeys(SERVER_KEYS);
        ClusterConfig cluster = readCluster(clusterTable, "nodes", clusterTable.requiredLongList("nodes"));
        ServerConfig server = readServer(serverTable);
        return combine(cluster, server, serverTable);
    }

    /** Reads the server keys of {@code table}; missing optional keys get the documented defaults. */
    private static ServerConfig readServer(TomlTableReader table) {
        long pid = table.requiredLong("pid");
        int election = table.optionalInt("election_tick_timeout", ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT);
        int resend = table.optionalInt("resend_message_tick_timeout",
                ServerConfig.DEFAULT_RESEND_MESSAGE_TICK_TIMEOUT);
        int flush = table.optionalInt("flush_batch_tick_timeout", ServerConfig.DEFAULT_FLUSH_BATCH_TICK_TIMEOUT);
        int bufferSize = table.optionalInt("buffer_size", ServerConfig.DEFAULT_BUFFER_SIZE);
        int batchSize = table.optionalInt("batch_size", ServerConfig.DEFAULT_BATCH_SIZE);
        int maxMessageBytes = table.optionalInt("max_message_bytes", ServerConfig.DEFAULT_MAX_MESSAGE_BYTES);
        int leaderPriority = table.optionalInt("leader_priority", 0);
        Optional<String> loggerFilePath = table.optionalString("logger_file_path");
        int lease = table.optionalInt("leader_lease_ticks", 0);
        int drift = table.optionalInt("max_clock_drift_percent", ServerConfig.DEFAULT_MAX_CLOCK_DRIFT_PERCENT);
        boolean learner = table.optionalBoolean("learner", false);
        try {
            return new ServerConfig(pid, election, resend, flush, bufferSize, batchSize, maxMessageBytes, leaderPriority,
                    loggerFilePath, lease, drift, learner);
        } catch (ConfigException e) {
            // ServerConfig's messages start with the key they are about, e.g. "batch_size must be ...".
            String key = leadingKey(e);
            throw table.wrap(SERVER_KEYS.contains(key) ? key : "pid", e);
        }
    }

    /**
     * Reads {@code configuration_id} and {@code flexible_quorum} of {@code table} and builds the
     * cluster of {@code nodes}, which come from the key {@code nodesKey} (peers in the flat layout).
     */
    private static ClusterConfig readCluster(TomlTableReader table, String nodesKey, List<Long> nodes) {
        int configurationId = table.requiredInt("configuration_id");
        Optional<TomlTableReader> quorumTable = table.optionalTable("flexible_quorum");
        Optional<FlexibleQuorum> quorum = quorumTable.map(TomlConfigLoader::readQuorum);
        try {
            return new ClusterConfig(configurationId, nodes, quorum);
        } catch (ConfigException e) {
            String key = leadingKey(e);
            if (key.startsWith("flexible_quorum.") && quorumTable.isPresent()) {
                throw quorumTable.get().wrap(key.substring("flexible_quorum.".length()), e);
            }
            throw table.wrap(key.equals("configuration_id") || key.equals("flexible_quorum") ? key : nodesKey, e);
        }
    }

    private static FlexibleQuorum readQuorum(TomlTableReader table) {
        table.rejectUnknownKeys(QUORUM_KEYS);
        // The range checks need the node count, so ClusterConfig does them.
        return new FlexibleQuorum(table.requiredInt("read_quorum_size"), table.requiredInt("write_quorum_size"));
    }

    /** Checks that the server is one of the nodes (only possible to get wrong in the sectioned layout). */
    private static OmniPaxosConfig combine(ClusterConfig cluster, ServerConfig server, TomlTableReader serverTable) {
        try {
            return new OmniPaxosConfig(cluster, server);
        } catch (ConfigException e) {
            throw serverTable.wrap("pid", e);
        }
    }

    /** The key a record's validation message starts with, e.g. {@code nodes} in "nodes: duplicate pid 1". */
    private static String leadingKey(ConfigException e) {
        String message = String.valueOf(e.getMessage());
        int end = 0;
        while (end < message.length() && (Character.isLetterOrDigit(message.charAt(end))
                || message.charAt(end) == '_' || message.charAt(end) == '.')) {
            end++;
        }
        return message.substring(0, end);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
