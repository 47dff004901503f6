package io.omnipaxos.examples.kv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace per node, made by the test and removed by {@link #close()}, so that a
 * partition is a real one: the kernel stops carrying the packets, TCP connections stall and
 * retransmit, and what was queued arrives late once healed. Every pair of nodes has its own veth
 * link (a full mesh, so no packet is forwarded or bridged and no firewall of the machine is in the
 * way), and every namespace one more to the test's own namespace, for the clients. Node {@code p}
 * lives at {@code 10.213.S.p} (S random per lab), the test at {@code 10.213.S.254}.
 *
 * <p>Needs root and iproute2's {@code ip}; {@link #open} says why not where they are missing.
 */
final class NetnsLab implements AutoCloseable {

    private final String id;
    private final int subnet;
    private final List<Long> pids;
    private final List<String> namespaces = new ArrayList<>();

    private NetnsLab(List<Long> pids) {
        SecureRandom random = new SecureRandom();
        this.id = Integer.toHexString(0x1000 + random.nextInt(0xf000));
        this.subnet = random.nextInt(250);
        this.pids = List.copyOf(pids);
    }

    /**
     * A lab for nodes {@code pids} (each below 254), or why none can be made here (no root, no
     * {@code ip}, namespaces refused); nothing is left behind either way.
     */
    static Lab open(Collection<Long> pids) {
        NetnsLab lab = new NetnsLab(List.copyOf(pids));
        try {
            lab.build();
            return new Lab(Optional.of(lab), "");
        } catch (IOException | RuntimeException e) {
            lab.close();
            return new Lab(Optional.empty(), e.getMessage());
        }
    }

    /** A lab, or the reason there is none; closing it closes the lab. */
    record Lab(Optional<NetnsLab> lab, String whyNot) implements AutoCloseable {
        @Override
        public void close() {
            lab.ifPresent(NetnsLab::close);
        }
    }

    /** Node {@code pid}'s address. */
    String address(long pid) {
        return "10.213." + subnet + "." + pid;
    }

    /** The command prefix that runs a program in node {@code pid}'s namespace. */
    List<String> exec(long pid) {
        return List.of("ip", "netns", "exec", namespace(pid));
    }

    /** Stops (true) or restores (false) the packets from node {@code from} to node {@code to}, only that way. */
    void cut(long from, long to, boolean cut) throws IOException {
        if (cut) {
            ip("-n", namespace(from), "route", "replace", "blackhole", address(to) + "/32");
        } else {
            meshRoute(from, to);
        }
    }

    /** Takes the link between {@code a} and {@code b} down, both ways (true), or up again (false). */
    void linkDown(long a, long b, boolean down) throws IOException {
        ip("-n", namespace(a), "link", "set", meshEnd(a, b), down ? "down" : "up");
        if (!down) {
            meshRoute(a, b); // taking a link down removed its routes
        }
    }

    /** Every link back up and every one-way cut removed, as built. */
    void healAll() throws IOException {
        for (long a : pids) {
            for (long b : pids) {
                if (a != b) {
                    ip("-n", namespace(a), "link", "set", meshEnd(a, b), "up");
                    meshRoute(a, b);
                }
            }
        }
    }

    /** The route from {@code a} to {@code b} over their own link, as built (replacing a blackhole). */
    private void meshRoute(long a, long b) throws IOException {
        ip("-n", namespace(a), "route", "replace", address(b) + "/32", "dev", meshEnd(a, b), "src", address(a));
    }

    private String namespace(long pid) {
        return "opx" + id + "n" + pid;
    }

    /** The end in {@code a}'s namespace of the veth link between {@code a} and {@code b}. */
    private String meshEnd(long a, long b) {
        return "o" + id + "m" + a + "x" + b;
    }

    private void build() throws IOException {
        for (long pid : pids) {
            if (pid < 1 || pid > 253) {
                throw new IllegalArgumentException("pid " + pid + " does not fit a /24 address");
            }
            ip("netns", "add", namespace(pid));
            namespaces.add(namespace(pid));
            ip("-n", namespace(pid), "link", "set", "lo", "up");
            ip("-n", namespace(pid), "addr", "add", address(pid) + "/32", "dev", "lo");
        }
        String test = "10.213." + subnet + ".254";
        for (long pid : pids) {
            String hostEnd = "o" + id + "h" + pid;
            String nodeEnd = "o" + id + "c" + pid;
            ip("link", "add", hostEnd, "type", "veth", "peer", "name", nodeEnd, "netns", namespace(pid));
            ip("addr", "add", test + "/32", "dev", hostEnd);
            ip("link", "set", hostEnd, "up");
            ip("route", "add", address(pid) + "/32", "dev", hostEnd, "src", test);
            ip("-n", namespace(pid), "link", "set", nodeEnd, "up");
            ip("-n", namespace(pid), "route", "add", test + "/32", "dev", nodeEnd, "src", address(pid));
        }
        for (int i = 0; i < pids.size(); i++) {
            for (int j = i + 1; j < pids.size(); j++) {
                long a = pids.get(i);
                long b = pids.get(j);
                ip("-n", namespace(a), "link", "add", meshEnd(a, b), "type", "veth", "peer", "name", meshEnd(b, a),
                        "netns", namespace(b));
                for (long[] end : new long[][] {{a, b}, {b, a}}) {
                    ip("-n", namespace(end[0]), "link", "set", meshEnd(end[0], end[1]), "up");
                    meshRoute(end[0], end[1]);
                }
            }
        }
    }

    /** Removes the namespaces, and with them every veth link of the lab. */
    @Override
    public void close() {
        for (String namespace : namespaces) {
            try {
                ip("netns", "del", namespace);
            } catch (IOException | RuntimeException e) {
                System.err.println("could not remove network namespace " + namespace + ": " + e.getMessage());
            }
        }
        namespaces.clear();
    }

    /** Runs {@code ip args}; throws with its output if it fails. */
    private static void ip(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run ip (iproute2): " + e.getMessage(), e);
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + String.join(" ", command), e);
        }
        if (process.exitValue() != 0) {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
        }
    }
}
