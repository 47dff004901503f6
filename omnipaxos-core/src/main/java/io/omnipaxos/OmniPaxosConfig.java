package io.omnipaxos;

import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.codec.Limits;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.storage.Storage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything needed to start one OmniPaxos server: the cluster part shared by all servers and the
 * server part of this one. Build it from a TOML file with {@link #withToml(Path)} or in code with
 * {@link #builder()}, then call {@link #build(Storage)}.
 *
 * @param cluster the configuration shared by the cluster
 * @param server the configuration of this server
 */
public record OmniPaxosConfig(ClusterConfig cluster, ServerConfig server) {

    /**
     * Validates that the server belongs to the cluster (a learner: that it does not).
     *
     * @throws ConfigException if the pid is not one of the nodes (a learner's is)
     */
    public OmniPaxosConfig {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(server, "server");
        if (server.learner() && cluster.nodes().contains(server.pid())) {
            throw new ConfigException("pid " + server.pid() + " is one of the nodes " + cluster.nodes()
                    + ", so it cannot be a learner (a learner's peers are the nodes, which vote)");
        }
        if (!server.learner() && !cluster.nodes().contains(server.pid())) {
            throw new ConfigException("pid " + server.pid() + " is not one of the nodes " + cluster.nodes());
        }
    }

    /**
     * Loads a configuration from a TOML file. Two layouts are accepted: the flat one of the
     * OmniPaxos tutorial ({@code configuration_id}, {@code pid}, {@code peers}, {@code
     * logger_file_path} and optional tuning keys at the top level) and the sectioned one with
     * {@code [cluster_config]} ({@code configuration_id}, {@code nodes}, optional {@code
     * flexible_quorum}) and {@code [server_config]} (the server keys). Unknown keys are errors.
     *
     * @throws ConfigException naming the file, key, line and column, and the offending value
     */
    public static OmniPaxosConfig withToml(Path file) {
        return TomlConfigLoader.load(file, Set.of());
    }

    /**
     * Like {@link #withToml(Path)}, but leaves the named top-level tables to the application (for
     * example the network addresses of a key-value store) instead of rejecting them as unknown.
     */
    public static OmniPaxosConfig withToml(Path file, Set<String> applicationTables) {
        return TomlConfigLoader.load(file, Set.copyOf(applicationTables));
    }

    /** Starts a configuration in code. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the OmniPaxos server described by this configuration on top of {@code storage}. If the
     * storage already holds state from an earlier run, the server starts in recovery and asks its
     * peers to synchronise it, exactly as after {@link OmniPaxos#failRecovery()}.
     */
    public <T> OmniPaxos<T> build(Storage<T> storage) {
        return new OmniPaxos<>(this, storage, null, null);
    }

    /**
     * Builds a server on {@code storage} that compacts its log with the application's {@code
     * snapshots} ({@link OmniPaxos#snapshot}). A storage that holds state from an earlier run (a
     * restart after a crash) makes the server rejoin with {@link OmniPaxos#failRecovery()}.
     */
    public <T> OmniPaxos<T> build(Storage<T> storage, Snapshot<T> snapshots) {
        return new OmniPaxos<>(this, storage, Objects.requireNonNull(snapshots, "snapshots"), null);
    }

    /**
     * Builds a server like {@link #build(Storage, Snapshot)} ({@code snapshots} may be null: no
     * snapshots) that also knows how large entries are on the wire: {@code entryCodec}, the codec of
     * the application's {@link MessageCodec} (only its {@code encodedSize} is
     * called). Every message the server builds then carries at most {@code max_message_bytes} of
     * entries: a batch is sent early when it reaches that size, a follower far behind catches up in
     * messages of that size (however large the missing suffix, without reading it all from storage
     * at once), forwarded proposals are split, and {@link OmniPaxos#append} refuses an entry that
     * could never fit ({@link AppendRejectedException.Reason#ENTRY_TOO_LARGE}). Choose {@code
     * max_message_bytes} below the codec's frame limit ({@link Limits}), leaving
     * room for a snapshot if the application uses them. Without an entry codec only entry counts
     * ({@code batch_size}, {@code buffer_size}) bound messages.
     */
    public <T> OmniPaxos<T> build(Storage<T> storage, Snapshot<T> snapshots, EntryCodec<T> entryCodec) {
        return new OmniPaxos<>(this, storage, snapshots, Objects.requireNonNull(entryCodec, "entryCodec"));
    }

    /** The pids of the other servers of the cluster. */
    public List<Long> peers() {
        var peers = new ArrayList<>(cluster.nodes());
        peers.remove(server.pid());
        return List.copyOf(peers);
    }

    /** Builds an {@link OmniPaxosConfig} in code; every setter names the TOML key it mirrors. */
    public static final class Builder {
        private int configurationId;
        private long pid;
        private List<Long> nodes;
        private List<Long> peers;
        private FlexibleQuorum flexibleQuorum;
        private int electionTickTimeout = ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT;
        private int resendMessageTickTimeout = ServerConfig.DEFAULT_RESEND_MESSAGE_TICK_TIMEOUT;
        private int flushBatchTickTimeout = ServerConfig.DEFAULT_FLUSH_BATCH_TICK_TIMEOUT;
        private int bufferSize = ServerConfig.DEFAULT_BUFFER_SIZE;
        private int batchSize = ServerConfig.DEFAULT_BATCH_SIZE;
        private int maxMessageBytes = ServerConfig.DEFAULT_MAX_MESSAGE_BYTES;
        private int leaderPriority;
        private String loggerFilePath;
        private int leaderLeaseTicks;
        private int maxClockDriftPercent = ServerConfig.DEFAULT_MAX_CLOCK_DRIFT_PERCENT;
        private boolean learner;

        private Builder() {}

        /** {@code configuration_id}. */
        public Builder configurationId(int configurationId) {
            this.configurationId = configurationId;
            return this;
        }

        /** {@code pid}: this server. */
        public Builder pid(long pid) {
            this.pid = pid;
            return this;
        }

        /** {@code peers}: the other servers; the nodes are the peers plus this server. */
        public Builder peers(List<Long> peers) {
            this.peers = List.copyOf(peers);
            return this;
        }

        /** {@code nodes}: all servers, this one included. */
        public Builder nodes(List<Long> nodes) {
            this.nodes = List.copyOf(nodes);
            return this;
        }

        /** {@code flexible_quorum}. */
        public Builder flexibleQuorum(int readQuorumSize, int writeQuorumSize) {
            this.flexibleQuorum = new FlexibleQuorum(readQuorumSize, writeQuorumSize);
            return this;
        }

        /** {@code election_tick_timeout}. */
        public Builder electionTickTimeout(int ticks) {
            this.electionTickTimeout = ticks;
            return this;
        }

        /** {@code resend_message_tick_timeout}. */
        public Builder resendMessageTickTimeout(int ticks) {
            this.resendMessageTickTimeout = ticks;
            return this;
        }

        /** {@code flush_batch_tick_timeout}. */
        public Builder flushBatchTickTimeout(int ticks) {
            this.flushBatchTickTimeout = ticks;
            return this;
        }

        /** {@code buffer_size}. */
        public Builder bufferSize(int bufferSize) {
            this.bufferSize = bufferSize;
            return this;
        }

        /** {@code batch_size}. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** {@code max_message_bytes}. */
        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        /** {@code leader_priority}. */
        public Builder leaderPriority(int leaderPriority) {
            this.leaderPriority = leaderPriority;
            return this;
        }

        /** {@code leader_lease_ticks}: 0 for no lease (the default); see {@link ServerConfig#leaseTicksForLeader()}. */
        public Builder leaderLeaseTicks(int ticks) {
            this.leaderLeaseTicks = ticks;
            return this;
        }

        /** {@code max_clock_drift_percent}: the bound on clock drift the leader lease assumes. */
        public Builder maxClockDriftPercent(int percent) {
            this.maxClockDriftPercent = percent;
            return this;
        }

        /**
         * {@code learner}: this server only learns the log of the cluster's nodes, which are then
         * its {@code peers} (or {@code nodes}, without this server); see {@link OmniPaxos#addLearner}.
         */
        public Builder learner(boolean learner) {
            this.learner = learner;
            return this;
        }

        /** {@code logger_file_path}. */
        public Builder loggerFilePath(String loggerFilePath) {
            this.loggerFilePath = loggerFilePath;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws ConfigException naming the offending key and value
         */
        public OmniPaxosConfig build() {
            var cluster = new ClusterConfig(configurationId, resolveNodes(), Optional.ofNullable(flexibleQuorum));
            var server = new ServerConfig(pid, electionTickTimeout, resendMessageTickTimeout,
                    flushBatchTickTimeout, bufferSize, batchSize, maxMessageBytes, leaderPriority,
                    Optional.ofNullable(loggerFilePath), leaderLeaseTicks, maxClockDriftPercent, learner);
            return new OmniPaxosConfig(cluster, server);
        }

        private List<Long> resolveNodes() {
            if (nodes != null && peers != null) {
                throw new ConfigException("give either nodes or peers, not both");
            }
            if (nodes != null) {
                return nodes;
            }
            if (peers == null) {
                throw new ConfigException("peers (or nodes) must be set");
            }
            if (peers.contains(pid)) {
                throw new ConfigException("peers must not contain this server's pid " + pid + ", got " + peers);
            }
            var all = new ArrayList<Long>(peers.size() + 1);
            if (!learner) {
                all.add(pid);
            }
            all.addAll(peers);
            all.sort(null);
            return all;
        }
    }
}
