package io.omnipaxos.examples.kv.client;

import io.omnipaxos.ConfigException;
import io.omnipaxos.examples.bench.BenchmarkArgs;
import io.omnipaxos.examples.kv.net.NetworkConfig;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.examples.kv.reconfig.ReconfigureRequest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The {@code kv} command line (see {@code scripts/kv}):
 *
 * <pre>
 * kv [--config FILE] put KEY VALUE
 * kv [--config FILE] get KEY
 * kv [--config FILE] append KEY VALUE
 * kv [--config FILE] delete KEY
 * kv [--config FILE] leader                      (prints the pid of the node that answers)
 * kv [--config FILE] reconfigure NEW_NODE_TOML    (hands over to the configuration that file describes)
 * kv [--config FILE] workload SECONDS ACK_FILE   (the demo's writers; see DemoWorkload)
 * kv [--config FILE] verify ACK_FILE             (checks the workload's acknowledged writes)
 * kv [--config FILE] load [--seconds N] [--warmup-seconds N] [--clients C] [--pipeline P]
 *                         [--value-bytes B] [--get-percent G]
 * </pre>
 *
 * <p>The node addresses (and TLS settings) come from the {@code [network]} table of a node's TOML
 * file, {@code config/node1.toml} by default. {@code reconfigure} reads the next configuration
 * (its id, its nodes and, from its {@code [network]} table, their addresses) from the TOML file of
 * one of its nodes, e.g. {@code config/grow/node4.toml}, and returns once the cluster has decided
 * to hand over to it; it sends the {@code admin_token} of the {@code --config} file's {@code
 * [network]} table, if there is one (nodes accept a reconfiguration from another host only with
 * it, or over TLS with a node certificate). Exit status: 0 done, 1 GET/DELETE of an absent key,
 * 2 usage error, 3 the request failed.
 */
public final class KvCli {

    private static final String USAGE = """
            usage: kv [--config FILE] put KEY VALUE | get KEY | append KEY VALUE | delete KEY | leader
                   kv [--config FILE] reconfigure NEW_NODE_TOML
                   kv [--config FILE] workload SECONDS ACK_FILE | verify ACK_FILE
                   kv [--config FILE] load [--seconds N] [--warmup-seconds N] [--clients C] [--pipeline P]
                                          [--value-bytes B] [--get-percent G]""";

    private KvCli() {}

    /** Runs one command: {@code put|get|append|delete|leader|load}; see the class comment. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args));
    }

    /**
     * Runs one command, as {@link #main} does, without exiting the JVM.
     *
     * @param args the command line
     * @return the exit status (see the class comment)
     * @throws InterruptedException if interrupted while waiting for a reply
     */
    public static int run(String[] args) throws InterruptedException {
        Path config = Path.of("config", "node1.toml");
        int at = 0;
        if (args.length >= 2 && args[0].equals("--config")) {
            config = Path.of(args[1]);
            at = 2;
        }
        if (at >= args.length) {
            System.err.println(USAGE);
            return 2;
        }
        NetworkConfig network = NetworkConfig.load(config);
        SSLContext tls = network.tls().enabled() ? TlsContexts.create(network.tls()) : null;
        String command = args[at];
        String[] rest = Arrays.copyOfRange(args, at + 1, args.length);
        if (command.equals("load")) {
            return load(network, tls, rest);
        }
        if (command.equals("workload") && rest.length == 2) {
            return workload(network, tls, Long.parseLong(rest[0]), Path.of(rest[1]));
        }
        if (command.equals("verify") && rest.length == 1) {
            return verify(network, tls, Path.of(rest[0]));
        }
        if (command.equals("reconfigure") && rest.length == 1) {
            return reconfigure(network, tls, Path.of(rest[0]));
        }
        try (KvClient client = new KvClient(network.nodes(), tls, null, KvClient.DEFAULT_ATTEMPT_TIMEOUT,
                KvClient.DEFAULT_REQUEST_DEADLINE)) {
            return single(client, command, rest);
        } catch (KvException | IllegalArgumentException e) {
            System.err.println("kv " + command + ": " + e.getMessage());
            return 3;
        }
    }

    private static int single(KvClient client, String command, String[] rest) {
        switch (command + "/" + rest.length) {
            case "put/2":
                client.put(rest[0], rest[1]);
                System.out.println("OK");
                return 0;
            case "append/2":
                client.append(rest[0], rest[1]);
                System.out.println("OK");
                return 0;
            case "get/1": {
                Optional<String> value = client.get(rest[0]);
                System.out.println(value.orElse("(not found)"));
                return value.isPresent() ? 0 : 1;
            }
            case "leader/0": {
                client.get("leader-probe"); // the session's REGISTER, a write, led the client to the leader
                System.out.println(client.lastAnsweringPid());
                return 0;
            }
            case "delete/1": {
                boolean existed = client.delete(rest[0]);
                System.out.println(existed ? "OK" : "(not found)");
                return existed ? 0 : 1;
            }
            default:
                System.err.println(USAGE);
                return 2;
        }
    }

    private static int reconfigure(NetworkConfig network, SSLContext tls, Path nextFile) throws InterruptedException {
        ReconfigureRequest next;
        try {
            next = ReconfigureRequest.fromNodeToml(nextFile);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("kv reconfigure: " + e.getMessage());
            return 2;
        }
        try (KvClient client = new KvClient(network.nodes(), tls, null, KvClient.DEFAULT_ATTEMPT_TIMEOUT,
                KvClient.DEFAULT_REQUEST_DEADLINE)) {
            client.reconfigure(next, network.adminToken());
            System.out.println("OK: configuration " + next.config().configurationId() + " with nodes "
                    + next.config().nodes() + " takes over");
            return 0;
        } catch (KvException e) {
            System.err.println("kv reconfigure: " + e.getMessage());
            return 3;
        }
    }

    private static int workload(NetworkConfig network, SSLContext tls, long seconds, Path ackFile)
            throws InterruptedException {
        try {
            return DemoWorkload.write(network.nodes(), tls, seconds, ackFile);
        } catch (java.io.IOException e) {
            System.err.println("kv workload: " + e);
            return 3;
        }
    }

    private static int verify(NetworkConfig network, SSLContext tls, Path ackFile) {
        try {
            return DemoWorkload.verify(network.nodes(), tls, ackFile);
        } catch (java.io.IOException | KvException e) {
            System.err.println("kv verify: " + e);
            return 3;
        }
    }

    private static int load(NetworkConfig network, SSLContext tls, String[] rest) throws InterruptedException {
        BenchmarkArgs options;
        try {
            options = BenchmarkArgs.parse(rest);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        LoadGenerator load = new LoadGenerator(network.nodes(), tls, (int) options.getLong("clients", 4),
                (int) options.getLong("pipeline", 16), (int) options.getLong("value-bytes", 16),
                (int) options.getLong("get-percent", 0));
        load.run(options.getLong("warmup-seconds", 2), options.getLong("seconds", 10));
        return 0;
    }
}
