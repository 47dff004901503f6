package io.omnipaxos;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The part of the configuration that every server of a cluster shares.
 *
 * @param configurationId identifies this cluster configuration; messages with another id are dropped; > 0
 * @param nodes the pids of all servers, at least 2, each > 0, no duplicates
 * @param flexibleQuorum quorum sizes other than a majority, if any
 */
public record ClusterConfig(int configurationId, List<Long> nodes, Optional<FlexibleQuorum> flexibleQuorum) {

    /**
     * Validates the configuration.
     *
     * @throws ConfigException naming the offending key and value
     */
    public ClusterConfig {
        Objects.requireNonNull(nodes, "nodes");
        Objects.requireNonNull(flexibleQuorum, "flexibleQuorum");
        nodes = List.copyOf(nodes);
        if (configurationId <= 0) {
            throw new ConfigException("configuration_id must be > 0, got " + configurationId);
        }
        if (nodes.isEmpty()) {
            throw new ConfigException("nodes must hold at least 1 pid, got " + nodes);
        }
        var seen = new HashSet<Long>();
        for (long pid : nodes) {
            if (pid <= 0) {
                throw new ConfigException("nodes: every pid must be > 0, got " + pid + " in " + nodes);
            }
            if (!seen.add(pid)) {
                throw new ConfigException("nodes: duplicate pid " + pid + " in " + nodes);
            }
        }
        if (flexibleQuorum.isPresent()) {
            flexibleQuorum.get().validateFor(nodes.size());
        }
    }

    /** A cluster with majority quorums. */
    public ClusterConfig(int configurationId, List<Long> nodes) {
        this(configurationId, nodes, Optional.empty());
    }

    /** The number of promises the prepare phase needs. */
    public int readQuorumSize() {
        return flexibleQuorum.map(FlexibleQuorum::readQuorumSize).orElse(nodes.size() / 2 + 1);
    }

    /** The number of servers that must accept an entry before it is decided. */
    public int writeQuorumSize() {
        return flexibleQuorum.map(FlexibleQuorum::writeQuorumSize).orElse(nodes.size() / 2 + 1);
    }
}
