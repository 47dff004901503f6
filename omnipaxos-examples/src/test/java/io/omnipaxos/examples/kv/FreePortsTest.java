package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.net.EphemeralPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link FreePorts} keeps out of the ephemeral range, which a port closed and bound again must avoid. */
class FreePortsTest {

    @Test
    void portsAreDistinctAndBelowTheEphemeralRange() throws Exception {
        Path file = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        Assumptions.assumeTrue(Files.isReadable(file), "no " + file + " on this machine");
        Optional<EphemeralPorts.Range> range = EphemeralPorts.range();
        assertTrue(range.isPresent(), "the range is read from " + file);
        int low = range.get().low();
        Assumptions.assumeTrue(low >= 11_000, "the ephemeral range starts at " + low + ": no room below it");
        List<Integer> ports = FreePorts.take(30);
        assertEquals(30, new HashSet<>(ports).size(), "distinct: " + ports);
        for (int port : ports) {
            assertTrue(port >= 10_000 && port < low, port + " lies outside [10000, " + low + ")");
        }
    }
}
