package io.omnipaxos.examples.kv.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a node's peer port lies in the kernel's ephemeral port range (Linux's {@code
 * ip_local_port_range}), from which outgoing connections take their local ports. A node that
 * enters a new configuration closes its peer port and binds it again; in that moment any
 * connection opened on the machine may be given the port and hold it, and the node stops with
 * "Address already in use". Ports below the range (as in {@code config/}: 17101-17105) are safe.
 */
public final class EphemeralPorts {

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private EphemeralPorts() {}

    /** This machine's ephemeral range, {@code [low, high]}. */
    public record Range(int low, int high) {}

    /** This machine's ephemeral range; empty if not known (not Linux, or a file that cannot be read). */
    public static Optional<Range> range() {
        try {
            // One line, read as a line: Files.readString returned a truncated text from procfs here.
            String[] range = Files.readAllLines(RANGE).get(0).trim().split("\\s+");
            return Optional.of(new Range(Integer.parseInt(range[0]), Integer.parseInt(range[1])));
        } catch (IOException | RuntimeException unknown) {
            return Optional.empty();
        }
    }

    /** A warning if node {@code self}'s peer port lies in this machine's ephemeral range; empty if not, or unknown. */
    public static Optional<String> warning(NodeAddress self) {
        return range().flatMap(range -> warning(self, range.low(), range.high()));
    }

    /** As {@link #warning(NodeAddress)}, for the ephemeral range {@code [low, high]}. */
    static Optional<String> warning(NodeAddress self, int low, int high) {
        if (self.peerPort() < low || self.peerPort() > high) {
            return Optional.empty();
        }
        return Optional.of("node " + self.pid() + "'s peer port " + self.peerPort() + " lies in the kernel's ephemeral"
                + " port range " + low + "-" + high + " (" + RANGE + "): when a reconfiguration makes the node bind it"
                + " again, an outgoing connection may have taken it, and the node stops; choose a port below " + low);
    }
}
