package io.omnipaxos.examples.kv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.ConfigException;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.examples.kv.reconfig.ReconfigureRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The [network] table: the repository's example files, and errors that name the key. */
class NetworkConfigTest {

    @Test
    void exampleFilesLoadWithTheirNetworkTable() {
        for (int pid = 1; pid <= 3; pid++) {
            Path file = Path.of("..", "config", "node" + pid + ".toml");
            OmniPaxosConfig core = OmniPaxosConfig.withToml(file, Set.of(NetworkConfig.TABLE));
            NetworkConfig network = NetworkConfig.load(file);
            assertEquals(pid, core.server().pid());
            assertEquals(Set.of(1L, 2L, 3L), network.nodes().keySet());
            assertEquals(new NodeAddress(pid, "127.0.0.1", 17100 + pid, 17200 + pid), network.node(pid));
            assertEquals(Path.of("data", "node" + pid), network.dataDir());
            assertFalse(network.tls().enabled());
            assertTrue(network.syncEveryWrite());
            assertEquals(ClientLimits.DEFAULT, network.clientLimits());
            assertEquals(17300 + pid, network.httpPortOf(pid), "its dashboard's port, from its row");
            assertEquals(java.util.Map.of(1L, 17301, 2L, 17302, 3L, 17303), network.httpPorts());
        }
    }

    @Test
    void theClientLimitsAreReadAndABadOneIsAnErrorNamingTheFileKeyAndValue(@TempDir Path dir) throws IOException {
        String base = "[network]\nnodes = [{ pid = 1, host = \"h\", peer_port = 1, client_port = 2 }]\n"
                + "data_dir = \"d\"\n";
        Path file = Files.writeString(dir.resolve("limits.toml"), base
                + "max_client_connections = 3\nmax_unsent_replies_mib = 5\n");
        assertEquals(new ClientLimits(3, 5 * ClientLimits.MIB), NetworkConfig.load(file).clientLimits());
        assertEquals(1024, ClientLimits.DEFAULT.maxConnections());
        assertEquals(256 * ClientLimits.MIB, ClientLimits.DEFAULT.maxUnsentReplyBytes());
        Path zero = Files.writeString(dir.resolve("zero.toml"), base + "max_client_connections = 0\n");
        ConfigException e = assertThrows(ConfigException.class, () -> NetworkConfig.load(zero));
        assertEquals(zero + ": network.max_client_connections must be in [1, 1048576], got 0", e.getMessage());
        assertError(dir, base + "max_client_connections = 1048577\n",
                "network.max_client_connections must be in [1, 1048576], got 1048577");
        assertError(dir, base + "max_client_connections = \"many\"\n",
                "network.max_client_connections must be an integer, got many");
        assertError(dir, base + "max_unsent_replies_mib = 0\n",
                "network.max_unsent_replies_mib must be in [1, 65536], got 0");
        assertError(dir, base + "max_unsent_replies_mib = -5\n",
                "network.max_unsent_replies_mib must be in [1, 65536], got -5");
        assertError(dir, base + "max_unsent_replies_mib = 1.5\n",
                "network.max_unsent_replies_mib must be an integer, got 1.5");
        assertError(dir, base + "max_client_connection = 10\n", "unknown key(s) [max_client_connection]");
    }

    @Test
    void reconfigurationExampleFilesDescribeTheNextConfiguration() {
        ReconfigureRequest replace = ReconfigureRequest.fromNodeToml(Path.of("..", "config", "replace", "node4.toml"));
        assertEquals(2, replace.config().configurationId());
        assertEquals(java.util.List.of(1L, 2L, 4L), replace.config().nodes().stream().sorted().toList());
        for (int pid = 4; pid <= 5; pid++) {
            Path file = Path.of("..", "config", "grow", "node" + pid + ".toml");
            ReconfigureRequest grow = ReconfigureRequest.fromNodeToml(file);
            assertEquals(Set.of(1L, 2L, 3L, 4L, 5L), Set.copyOf(grow.config().nodes()));
            NetworkConfig network = NetworkConfig.load(file);
            assertTrue(network.join());
            assertEquals(new NodeAddress(pid, "127.0.0.1", 17100 + pid, 17200 + pid), network.node(pid));
        }
        assertFalse(NetworkConfig.load(Path.of("..", "config", "node1.toml")).join());
    }

    @Test
    void mistakesAreNamed(@TempDir Path dir) throws IOException {
        assertError(dir, "[network]\nnodes = [{ pid = 1, host = \"h\", peer_port = 1, client_port = 2 }]\n"
                + "data_dir = \"d\"\njoin = \"yes\"\n", "network.join must be true or false, got yes");
        assertError(dir, "[network]\nnodes = []\ndata_dir = \"d\"\n", "network.nodes must list");
        assertError(dir, "[network]\nnodes = [{ pid = 1, host = \"h\", peer_port = 70000, client_port = 1 }]\n"
                + "data_dir = \"d\"\n", "network.nodes[0].peer_port must be a port");
        assertError(dir, "[network]\nnodes = [{ pid = 1, host = \"h\", peer_port = 1, client_port = 2, http_port = 65536 }]\n"
                + "data_dir = \"d\"\n", "network.nodes[0].http_port must be a port");
        assertError(dir, "[network]\nnodes = [{ pid = 1, host = \"h\", peer_port = 1, client_port = 2 }]\n"
                + "data_dir = \"d\"\ntick_ms = 3\n", "unknown key(s) [tick_ms]");
        assertError(dir, "[network]\nnodes = [{ pid = 1, host = \"h\", peer_port = 1, client_port = 2 }]\n"
                + "data_dir = \"d\"\n[network.tls]\nenabled = true\n", "network.tls.key_store must be");
    }

    @Test
    void anUnknownOrMisspelledTlsKeyIsAnErrorNamingIt(@TempDir Path dir) throws IOException {
        String nodes = "[network]\nnodes = [{ pid = 1, host = \"h\", peer_port = 1, client_port = 2 }]\n"
                + "data_dir = \"d\"\n";
        // Misspelt "enabled": TLS would silently stay off.
        assertError(dir, nodes + "[network.tls]\nenable = true\nkey_store = \"k\"\n",
                "network.tls: unknown key(s) [enable]");
        assertError(dir, nodes + "[network.tls]\nenabled = false\nkey_stor = \"k\"\n",
                "network.tls: unknown key(s) [key_stor]");
        assertError(dir, nodes + "[network.tls]\nenabled = true\nkey_store = \"k\"\nkey_store_password = \"p\"\n"
                + "trust_store = \"t\"\ntrust_store_password = \"p\"\nciphers = \"all\"\n",
                "network.tls: unknown key(s) [ciphers]");
        assertError(dir, nodes + "[network.tls]\nenabled = \"yes\"\n", "network.tls.enabled must be true or false");
        assertError(dir, nodes + "tls = 5\n", "network.tls must be a table");
        assertError(dir, nodes.replace("data_dir = \"d\"", "data_dir = 5"), "network.data_dir");
    }

    @Test
    void theClientTrustStoreIsRequiredAndKeptApartFromThePeerTrust(@TempDir Path dir) throws IOException {
        String tls = "[network]\nnodes = [{ pid = 1, host = \"h\", peer_port = 1, client_port = 2 }]\n"
                + "data_dir = \"d\"\n[network.tls]\nenabled = true\nkey_store = \"k.p12\"\nkey_store_password = \"p\"\n"
                + "trust_store = \"nodes.p12\"\ntrust_store_password = \"p\"\n";
        Path file = Files.writeString(dir.resolve("n.toml"), tls);
        ConfigException e = assertThrows(ConfigException.class, () -> NetworkConfig.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(
                "network.tls.client_trust_store must be a non-empty string, but the key is missing"), e.getMessage());
        assertError(dir, tls + "client_trust_store = \"clients.p12\"\n",
                "network.tls.client_trust_store_password must be a non-empty string, but the key is missing");
        Path complete = Files.writeString(dir.resolve("ok.toml"), tls
                + "client_trust_store = \"clients.p12\"\nclient_trust_store_password = \"q\"\n");
        TlsSettings settings = NetworkConfig.load(complete).tls();
        assertEquals(dir.toAbsolutePath().resolve("nodes.p12"), settings.trustStore());
        assertEquals(dir.toAbsolutePath().resolve("clients.p12"), settings.clientTrustStore());
        assertEquals("q", settings.clientTrustStorePassword());
    }

    @Test
    void theAdminTokenIsCheckedAndANonLoopbackNodeWithoutTlsIsWarnedAbout(@TempDir Path dir) throws IOException {
        String base = "[network]\nnodes = [{ pid = 1, host = \"HOST\", peer_port = 1, client_port = 2 }]\n"
                + "data_dir = \"d\"\n";
        assertError(dir, base.replace("HOST", "h") + "admin_token = \"short\"\n", "network.admin_token must be");
        Path loopback = Files.writeString(dir.resolve("a.toml"), base.replace("HOST", "127.0.0.1")
                + "admin_token = \"" + "t".repeat(32) + "\"\n");
        NetworkConfig local = NetworkConfig.load(loopback);
        assertEquals(java.util.Optional.of("t".repeat(32)), local.adminToken());
        assertEquals(java.util.Optional.empty(), local.exposureWarning(1));
        Path exposed = Files.writeString(dir.resolve("b.toml"), base.replace("HOST", "0.0.0.0"));
        String warning = NetworkConfig.load(exposed).exposureWarning(1).orElseThrow();
        assertTrue(warning.contains("0.0.0.0") && warning.contains("without TLS")
                && warning.contains("unauthenticated"), warning);
    }

    private static void assertError(Path dir, String toml, String expected) throws IOException {
        Path file = Files.writeString(dir.resolve("n.toml"), toml);
        ConfigException e = assertThrows(ConfigException.class, () -> NetworkConfig.load(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
