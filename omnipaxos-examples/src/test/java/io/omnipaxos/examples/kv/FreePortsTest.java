package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link FreePorts} keeps out of the ephemeral range, which a port closed and bound again must avoid. */
class FreePortsTest {

    @Test
    void portsAreDistinctAndBelowTheEphemeralRange() throws Exception {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        Assumptions.assumeTrue(Files.isReadable(range), "no " + range + " on this machine");
        int low = Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]);
        Assumptions.assumeTrue(low >= 11_000, "the ephemeral range starts at " + low + ": no room below it");
        List<Integer> ports = FreePorts.take(30);
        assertEquals(30, new HashSet<>(ports).size(), "distinct: " + ports);
        for (int port : ports) {
            assertTrue(port >= 10_000 && port < low, port + " lies outside [10000, " + low + ")");
        }
    }
}
