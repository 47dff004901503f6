package io.omnipaxos.examples.kv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A peer port in the ephemeral range is warned about, naming the port and the range; one outside is not. */
class EphemeralPortsTest {

    @Test
    void aPeerPortInTheRangeIsNamedWithTheRange() {
        Optional<String> warning = EphemeralPorts.warning(new NodeAddress(2, "127.0.0.1", 41161, 17202), 32768, 60999);
        assertTrue(warning.isPresent());
        assertTrue(warning.get().startsWith("node 2's peer port 41161 lies in the kernel's ephemeral port range"
                + " 32768-60999"), warning.get());
        assertTrue(warning.get().endsWith("choose a port below 32768"), warning.get());
    }

    @Test
    void portsOutsideTheRangeAndTheConfigFolderPortsAreNot() {
        assertEquals(Optional.empty(), EphemeralPorts.warning(new NodeAddress(1, "127.0.0.1", 17101, 17201), 32768, 60999));
        assertEquals(Optional.empty(), EphemeralPorts.warning(new NodeAddress(1, "127.0.0.1", 61000, 17201), 32768, 60999));
        assertTrue(EphemeralPorts.warning(new NodeAddress(1, "127.0.0.1", 32768, 1), 32768, 60999).isPresent());
        assertTrue(EphemeralPorts.warning(new NodeAddress(1, "127.0.0.1", 60999, 1), 32768, 60999).isPresent());
    }
}
