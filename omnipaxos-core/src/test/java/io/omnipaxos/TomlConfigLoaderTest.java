package io.omnipaxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that must load, in both layouts, with every field checked. Failures are in {@link TomlConfigErrorTest}. */
class TomlConfigLoaderTest {

    @TempDir
    Path dir;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(TomlConfigLoaderTest.class.getResource("/toml/" + name).toURI());
    }

    private OmniPaxosConfig load(String toml, String... applicationTables) throws IOException {
        Path file = Files.writeString(dir.resolve("node.toml"), toml);
        return TomlConfigLoader.load(file, Set.of(applicationTables));
    }

    private static void assertDefaults(ServerConfig server) {
        assertEquals(ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT, server.electionTickTimeout());
        assertEquals(ServerConfig.DEFAULT_RESEND_MESSAGE_TICK_TIMEOUT, server.resendMessageTickTimeout());
        assertEquals(ServerConfig.DEFAULT_FLUSH_BATCH_TICK_TIMEOUT, server.flushBatchTickTimeout());
        assertEquals(ServerConfig.DEFAULT_BUFFER_SIZE, server.bufferSize());
        assertEquals(ServerConfig.DEFAULT_BATCH_SIZE, server.batchSize());
        assertEquals(0, server.leaderPriority());
    }

    @Test
    void loadsTheLeaderLeaseKeysAndRefusesALeaseTheDriftLeavesNothingOf() throws Exception {
        OmniPaxosConfig config = load("configuration_id = 1\npid = 1\npeers = [2, 3]\nleader_lease_ticks = 50\n"
                + "max_clock_drift_percent = 10\n");
        assertEquals(50, config.server().leaderLeaseTicks());
        assertEquals(10, config.server().maxClockDriftPercent());
        assertEquals(49 * 90 / 110 - 1, config.server().leaseTicksForLeader());
        assertEquals(0, load("configuration_id = 1\npid = 1\npeers = [2, 3]\n").server().leaseTicksForLeader(),
                "no lease by default");
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> load("configuration_id = 1\npid = 1\npeers = [2, 3]\nleader_lease_ticks = 3\n"));
        assertTrue(e.getMessage().contains("node.toml:4:1: leader_lease_ticks"), e.getMessage());
    }

    @Test
    void loadsTheTutorialExampleVerbatim() throws Exception {
        OmniPaxosConfig config = TomlConfigLoader.load(resource("tutorial.toml"), Set.of());

        assertEquals(1, config.cluster().configurationId());
        assertEquals(List.of(1L, 2L, 3L), config.cluster().nodes());
        assertEquals(Optional.empty(), config.cluster().flexibleQuorum());
        assertEquals(2, config.cluster().readQuorumSize());
        assertEquals(2, config.cluster().writeQuorumSize());
        assertEquals(2L, config.server().pid());
        assertEquals(List.of(1L, 3L), config.peers());
        assertEquals(Optional.of("/tmp/logs/node2.log"), config.server().loggerFilePath());
        assertDefaults(config.server());
    }

    @Test
    void loadsFlatLayoutWithEveryKey() throws Exception {
        OmniPaxosConfig config = TomlConfigLoader.load(resource("flat-full.toml"), Set.of());

        assertEquals(7, config.cluster().configurationId());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), config.cluster().nodes(), "peers + pid, sorted");
        assertEquals(Optional.of(new FlexibleQuorum(4, 2)), config.cluster().flexibleQuorum());
        assertEquals(4, config.cluster().readQuorumSize());
        assertEquals(2, config.cluster().writeQuorumSize());
        assertEquals(new ServerConfig(3, 11, 12, 13, 5000, 50, ServerConfig.DEFAULT_MAX_MESSAGE_BYTES, 4, Optional.of("/var/log/omnipaxos/node3.log")),
                config.server());
        assertEquals(List.of(1L, 2L, 4L, 5L), config.peers());
    }

    @Test
    void loadsSectionedLayoutWithEveryKey() throws Exception {
        OmniPaxosConfig config = TomlConfigLoader.load(resource("sectioned-full.toml"), Set.of());

        assertEquals(new ClusterConfig(9, List.of(1L, 2L, 3L, 4L, 5L), Optional.of(new FlexibleQuorum(3, 3))),
                config.cluster());
        assertEquals(new ServerConfig(4, 21, 22, 23, 1000, 1000, ServerConfig.DEFAULT_MAX_MESSAGE_BYTES, 2, Optional.of("logs/node4.log")), config.server());
    }

    @Test
    void flatLayoutUsesDefaultsForMissingOptionalKeys() throws Exception {
        OmniPaxosConfig config = load("""
                configuration_id = 3
                pid = 1
                peers = [2]
                """);

        assertEquals(new ClusterConfig(3, List.of(1L, 2L)), config.cluster());
        assertEquals(1L, config.server().pid());
        assertEquals(Optional.empty(), config.server().loggerFilePath());
        assertDefaults(config.server());
    }

    @Test
    void sectionedLayoutUsesDefaultsForMissingOptionalKeys() throws Exception {
        OmniPaxosConfig config = load("""
                [cluster_config]
                configuration_id = 1
                nodes = [3, 1, 2]

                [server_config]
                pid = 3
                """);

        assertEquals(List.of(3L, 1L, 2L), config.cluster().nodes(), "nodes keep the file's order");
        assertEquals(Optional.empty(), config.cluster().flexibleQuorum());
        assertEquals(3L, config.server().pid());
        assertEquals(Optional.empty(), config.server().loggerFilePath());
        assertDefaults(config.server());
    }

    @Test
    void flexibleQuorumMayBeATableSectionInTheFlatLayout() throws Exception {
        OmniPaxosConfig config = load("""
                configuration_id = 1
                pid = 1
                peers = [2, 3, 4]

                [flexible_quorum]
                read_quorum_size = 3
                write_quorum_size = 2
                """);

        assertEquals(Optional.of(new FlexibleQuorum(3, 2)), config.cluster().flexibleQuorum());
    }

    @Test
    void flexibleQuorumMayBeASubSectionInTheSectionedLayout() throws Exception {
        OmniPaxosConfig config = load("""
                [cluster_config]
                configuration_id = 1
                nodes = [1, 2, 3, 4]

                [cluster_config.flexible_quorum]
                read_quorum_size = 2
                write_quorum_size = 3

                [server_config]
                pid = 1
                """);

        assertEquals(Optional.of(new FlexibleQuorum(2, 3)), config.cluster().flexibleQuorum());
    }

    @Test
    void dottedKeysAreTheSameAsSections() throws Exception {
        OmniPaxosConfig config = load("""
                cluster_config.configuration_id = 1
                cluster_config.nodes = [1, 2]
                server_config.pid = 2
                """);

        assertEquals(new ClusterConfig(1, List.of(1L, 2L)), config.cluster());
        assertEquals(2L, config.server().pid());
    }

    @Test
    void pidsAre64Bit() throws Exception {
        OmniPaxosConfig config = load("""
                configuration_id = 1
                pid = 3000000000
                peers = [9223372036854775807]
                """);

        assertEquals(List.of(3_000_000_000L, Long.MAX_VALUE), config.cluster().nodes());
    }

    @Test
    void namedApplicationTablesAreLeftAlone() throws Exception {
        String toml = """
                configuration_id = 1
                pid = 1
                peers = [2, 3]

                [network]
                listen = "0.0.0.0:8001"
                nodes = { 1 = "10.0.0.1:8001", 2 = "10.0.0.2:8001" }
                anything_goes = [1, "mixed", 2.5]
                """;

        OmniPaxosConfig config = load(toml, "network");

        assertEquals(List.of(1L, 2L, 3L), config.cluster().nodes());
    }

    @Test
    void namedApplicationTablesAreLeftAloneInTheSectionedLayout() throws Exception {
        OmniPaxosConfig config = load("""
                [cluster_config]
                configuration_id = 1
                nodes = [1, 2]

                [server_config]
                pid = 2

                [network]
                peers = ["a:1", "b:2"]
                """, "network", "metrics");

        assertEquals(2L, config.server().pid());
    }

    @Test
    void flatLayoutGivesTheSameConfigAsTheBuilder() throws Exception {
        OmniPaxosConfig fromToml = TomlConfigLoader.load(resource("tutorial.toml"), Set.of());
        OmniPaxosConfig fromCode = OmniPaxosConfig.builder()
                .configurationId(1)
                .pid(2)
                .peers(List.of(3L, 1L))
                .loggerFilePath("/tmp/logs/node2.log")
                .build();

        assertEquals(fromCode, fromToml);
        assertTrue(fromToml.cluster().nodes().contains(fromToml.server().pid()));
    }
}
