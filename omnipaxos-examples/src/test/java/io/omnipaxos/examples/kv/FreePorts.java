package io.omnipaxos.examples.kv;

import io.omnipaxos.examples.kv.net.EphemeralPorts;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for nodes that tests start, taken outside the kernel's ephemeral range (Linux's
 * {@code ip_local_port_range}). A node that moves to a new configuration closes its peer port and
 * binds it again; a port of the ephemeral range can be handed in between to any connection that
 * some process opens, which then holds it, and the bind fails with "Address already in use" (seen
 * in CI). A port below the range ({@link EphemeralPorts#range}) is never handed out that way. Where the range leaves no room
 * below it, ports come from above it, else from the kernel ({@code ServerSocket(0)}).
 */
public final class FreePorts {

    private static final int LOWEST = 10_000;

    /** Every port handed out in this JVM: none is handed out twice, so two calls never collide. */
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {}

    /** {@code count} distinct ports that are free now on every address and were not handed out before. */
    public static synchronized List<Integer> take(int count) throws IOException {
        int[] band = band();
        Set<Integer> ports = new LinkedHashSet<>();
        int attempts = 0;
        while (ports.size() < count) {
            if (band == null || ++attempts > 10_000) {
                ports.add(fromKernel());
                continue;
            }
            int port = ThreadLocalRandom.current().nextInt(band[0], band[1]);
            if (!ports.contains(port) && !HANDED_OUT.contains(port) && bindable(port)) {
                ports.add(port);
            }
        }
        HANDED_OUT.addAll(ports);
        return new ArrayList<>(ports);
    }

    /** One free port, as {@link #take}. */
    public static int takeOne() throws IOException {
        return take(1).get(0);
    }

    /** {@code [from, to)} outside the ephemeral range, or null if it is not known or leaves no room. */
    private static int[] band() {
        EphemeralPorts.Range range = EphemeralPorts.range().orElse(null);
        if (range == null) {
            return null;
        }
        if (range.low() - LOWEST >= 1_000) {
            return new int[] {LOWEST, range.low()};
        }
        if (65_000 - range.high() >= 1_000) {
            return new int[] {range.high() + 1, 65_000};
        }
        return null;
    }

    /** Whether nothing holds {@code port} on any address (a wildcard bind fails then). */
    private static boolean bindable(int port) {
        try (ServerSocket any = new ServerSocket(port)) {
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    private static int fromKernel() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
