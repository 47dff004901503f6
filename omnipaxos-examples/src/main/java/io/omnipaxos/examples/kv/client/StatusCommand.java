package io.omnipaxos.examples.kv.client;

import io.omnipaxos.examples.cli.ExitCodes;
import io.omnipaxos.examples.kv.net.NetworkConfig;
import io.omnipaxos.examples.kv.net.NodeAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code omnipaxos-kv status}: whether each node of the cluster accepts connections on its client
 * port, and which node leads (the one that answers a write). A richer status (per-node indices,
 * configuration) needs a status request on the nodes, which they do not have yet.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Prints whether each node's client port accepts connections, and the leader.",
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
        try (KvClient client = new KvClient(network.nodes(), KvCli.tls(network), null,
                KvClient.DEFAULT_ATTEMPT_TIMEOUT, LEADER_DEADLINE)) {
            client.get("leader-probe"); // the session's REGISTER, a write, led the client to the leader
            System.out.println("leader: node " + client.lastAnsweringPid());
            return ExitCodes.OK;
        } catch (KvException e) {
            System.out.println("leader: none answered (" + e.getMessage() + ")");
            return ExitCodes.FAILED;
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
