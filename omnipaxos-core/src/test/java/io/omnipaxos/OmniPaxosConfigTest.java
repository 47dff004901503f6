package io.omnipaxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The public TOML entry points of {@link OmniPaxosConfig}, and the example files in {@code config/}. */
class OmniPaxosConfigTest {

    /** Tests run in the module directory, so the repository's {@code config/} is one level up. */
    private static Path exampleConfig(int pid) {
        return Path.of("..", "config", "node" + pid + ".toml");
    }

    /** The example files carry the key-value store's [network] table, which the core leaves alone. */
    private static OmniPaxosConfig loadExample(int pid) {
        return OmniPaxosConfig.withToml(exampleConfig(pid), Set.of("network"));
    }

    @ParameterizedTest(name = "config/node{0}.toml")
    @ValueSource(ints = {1, 2, 3})
    void exampleConfigFilesLoad(int pid) {
        OmniPaxosConfig config = loadExample(pid);

        assertEquals(new ClusterConfig(1, List.of(1L, 2L, 3L)), config.cluster());
        assertEquals(new ServerConfig(pid, 200, 400, 1, ServerConfig.DEFAULT_BUFFER_SIZE, 1000,
                1 << 20, 0, // config/ sends catch-up messages of at most 1 MiB
                Optional.of("logs/node" + pid + ".log")), config.server());
    }

    @Test
    void exampleConfigFilesDescribeTheSameCluster() {
        ClusterConfig cluster = loadExample(1).cluster();

        assertEquals(cluster, loadExample(2).cluster());
        assertEquals(cluster, loadExample(3).cluster());
    }

    @Test
    void withoutNamingTheApplicationTableTheExampleFileIsRejectedNamingIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> OmniPaxosConfig.withToml(exampleConfig(1)));
        assertTrue(e.getMessage().contains("network"), e.getMessage());
        assertTrue(e.getMessage().contains("node1.toml"), e.getMessage());
    }

    @Test
    void withTomlLoadsAFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("node1.toml"), """
                configuration_id = 4
                pid = 1
                peers = [2, 3]
                """);

        OmniPaxosConfig config = OmniPaxosConfig.withToml(file);

        assertEquals(4, config.cluster().configurationId());
        assertEquals(List.of(2L, 3L), config.peers());
    }

    @Test
    void withTomlAndApplicationTablesLeavesThoseTablesAlone(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("node1.toml"), """
                configuration_id = 1
                pid = 1
                peers = [2, 3]

                [network]
                1 = "127.0.0.1:8001"
                2 = "127.0.0.1:8002"
                3 = "127.0.0.1:8003"
                """);

        ConfigException e = assertThrows(ConfigException.class, () -> OmniPaxosConfig.withToml(file));
        assertTrue(e.getMessage().contains("node1.toml:5:1: network: unknown key"), e.getMessage());

        assertEquals(1L, OmniPaxosConfig.withToml(file, Set.of("network")).server().pid());
    }
}
