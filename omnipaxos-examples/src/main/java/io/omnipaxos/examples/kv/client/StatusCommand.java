package io.omnipaxos.examples.kv.client;

import io.omnipaxos.examples.cli.ExitCodes;
import io.omnipaxos.examples.kv.net.NetworkConfig;
import io.omnipaxos.examples.kv.net.NodeAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code omnipaxos-kv status}: whether each node of the cluster accepts connections on its client
 * port, which node leads (the one that answers a write), and, for the nodes whose {@code
 * http_port} the file names, a table from their {@code /status} ({@link StatusTable}): role,
 * configuration, leader, decided and applied index, lag and linked peers.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Prints whether each node's client port accepts connections, the leader, and each node's"
                + " role, indices, lag and links from its /status (nodes with an http_port).",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:a leader answered", "2:bad command line or configuration file",
                "3:no leader answered within the deadline"})
public final class StatusCommand implements Callable<Integer> {

    /** How long one node may take to accept a connection. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** How long to look for a leader. */
    static final Duration LEADER_DEADLINE = Duration.ofSeconds(5);

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "config/node1.toml",
            description = "A node's TOML file, whose [network] table lists the nodes (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        NetworkConfig network = NetworkConfig.load(config);
        System.out.println("cluster of " + config + ": " + network.nodes().size() + " nodes");
        for (NodeAddress node : network.nodes().values()) {
            System.out.printf("  node %d  %s  %s%n", node.pid(), node.clientEndpoint(), reachability(node));
        }
        int exit;
        try (KvClient client = new KvClient(network.nodes(), KvCli.tls(network), null,
                KvClient.DEFAULT_ATTEMPT_TIMEOUT, LEADER_DEADLINE)) {
            client.get("leader-probe"); // the session's REGISTER, a write, led the client to the leader
            System.out.println("leader: node " + client.lastAnsweringPid());
            exit = ExitCodes.OK;
        } catch (KvException e) {
            System.out.println("leader: none answered (" + e.getMessage() + ")");
            exit = ExitCodes.FAILED;
        }
        printTable(network);
        return exit;
    }

    /** The table of the nodes' /status, for those whose http_port the file names. */
    private void printTable(NetworkConfig network) throws InterruptedException {
        if (network.httpPorts().isEmpty()) {
            System.out.println("(no http_port in " + config + ": no per-node indices)");
            return;
        }
        StatusTable table = new StatusTable(CONNECT_TIMEOUT);
        Map<Long, String> statuses = new TreeMap<>();
        Map<Long, String> missing = new TreeMap<>();
        for (Map.Entry<Long, Integer> port : new TreeMap<>(network.httpPorts()).entrySet()) {
            StringBuilder why = new StringBuilder();
            String endpoint = network.node(port.getKey()).host() + ":" + port.getValue();
            table.fetch(endpoint, why).ifPresentOrElse(json -> statuses.put(port.getKey(), json),
                    () -> missing.put(port.getKey(), "no /status at " + endpoint + ": " + why));
        }
        Map<Long, Long> lags = statuses.values().stream().filter(StatusTable::isLeader).findFirst()
                .map(StatusTable::lags).orElse(Map.of());
        System.out.println(StatusTable.HEADER);
        for (long pid : new TreeSet<>(network.httpPorts().keySet())) {
            System.out.println(statuses.containsKey(pid) ? StatusTable.row(pid, statuses.get(pid), lags)
                    : String.format("%-5d %s", pid, missing.get(pid)));
        }
    }

    private static String reachability(NodeAddress node) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(node.host(), node.clientPort()), (int) CONNECT_TIMEOUT.toMillis());
            return "reachable";
        } catch (IOException e) {
            return "unreachable (" + e.getMessage() + ")";
        }
    }
}
