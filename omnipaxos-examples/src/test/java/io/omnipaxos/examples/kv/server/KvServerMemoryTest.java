package io.omnipaxos.examples.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.ServerSocket;
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
