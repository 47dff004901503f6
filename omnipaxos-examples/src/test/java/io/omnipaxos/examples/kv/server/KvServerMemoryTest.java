package io.omnipaxos.examples.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.ConfigException;
import io.omnipaxos.examples.kv.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node started with {@code --memory} keeps everything in memory: nothing goes to its data folder. */
class KvServerMemoryTest {

    @TempDir
    Path dir;

    @Test
    void aMemoryNodeWritesNothingToItsDataFolder() throws Exception {
        Path data = dir.resolve("data");
        Path toml = Files.writeString(dir.resolve("node1.toml"), "configuration_id = 1\npid = 1\npeers = [2]\n\n"
                + "[network]\nnodes = [\n  { pid = 1, host = \"127.0.0.1\", peer_port = " + freePort()
                + ", client_port = " + freePort() + " },\n  { pid = 2, host = \"127.0.0.1\", peer_port = " + freePort()
                + ", client_port = " + freePort() + " },\n]\ndata_dir = \"" + data.toString().replace("\\", "/")
                + "\"\n");
        KvServer server = KvServer.start(toml, true);
        try {
            assertEquals(1, server.pid());
            assertFalse(Files.exists(data), "a --memory node created " + data);
        } finally {
            server.stop();
        }
    }

    @Test
    void aNodeWhoseDataFolderHoldsItsStoresIsNotStartedInMemory() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("state.db"), "a member's state");
        Path toml = Files.writeString(dir.resolve("node1.toml"), "configuration_id = 1\npid = 1\npeers = [2]\n\n"
                + "[network]\nnodes = [\n  { pid = 1, host = \"127.0.0.1\", peer_port = " + freePort()
                + ", client_port = " + freePort() + " },\n  { pid = 2, host = \"127.0.0.1\", peer_port = " + freePort()
                + ", client_port = " + freePort() + " },\n]\ndata_dir = \"" + data.toString().replace("\\", "/")
                + "\"\n");
        ConfigException e = assertThrows(ConfigException.class, () -> KvServer.start(toml, true));
        assertTrue(e.getMessage().contains("network.data_dir") && e.getMessage().contains("--memory"), e.getMessage());
    }

    private static int freePort() throws IOException {
        return FreePorts.takeOne();
    }
}
