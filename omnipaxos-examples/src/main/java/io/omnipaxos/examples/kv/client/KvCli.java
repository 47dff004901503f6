package io.omnipaxos.examples.kv.client;

import io.omnipaxos.ConfigException;
import io.omnipaxos.examples.cli.CommandLines;
import io.omnipaxos.examples.cli.ExitCodes;
import io.omnipaxos.examples.cli.Progress;
import io.omnipaxos.examples.kv.net.NetworkConfig;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.examples.kv.reconfig.ReconfigureRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The key-value store's command-line client: {@code omnipaxos-kv client} (and {@code scripts/kv}).
 *
 * <pre>
 * client [--config FILE] put KEY VALUE | get KEY | append KEY VALUE | delete KEY
 * client [--config FILE] leader                      (prints the pid of the node that answers)
 * client [--config FILE] reconfigure NEW_NODE_TOML   (hands over to the configuration that file describes)
 * client [--config FILE] workload SECONDS ACK_FILE   (the demo's writers; see DemoWorkload)
 * client [--config FILE] verify ACK_FILE             (checks the workload's acknowledged writes)
 * client [--config FILE] load [--seconds N] [--warmup-seconds N] [--clients C] [--pipeline P]
 *                             [--value-bytes B] [--get-percent G]
 * </pre>
 *
 * <p>The node addresses (and TLS settings) come from the {@code [network]} table of a node's TOML
 * file, {@code config/node1.toml} by default. {@code reconfigure} reads the next configuration
 * (its id, its nodes and, from its {@code [network]} table, their addresses) from the TOML file of
 * one of its nodes, e.g. {@code config/grow/node4.toml}, and returns once the cluster has decided
 * to hand over to it; it sends the {@code admin_token} of the {@code --config} file's {@code
 * [network]} table, if there is one (nodes accept a reconfiguration from another host only with
 * it, or over TLS with a node certificate). Exit status: 0 done, 1 GET/DELETE of an absent key,
 * 2 usage error, 3 the request failed ({@link ExitCodes}).
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Sends requests to the key-value store; the node addresses come from a node's TOML file.",
        subcommands = {KvCli.Put.class, KvCli.Get.class, KvCli.Append.class, KvCli.Delete.class, KvCli.Leader.class,
                KvCli.Reconfigure.class, KvCli.Workload.class, KvCli.Verify.class, LoadCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done", "1:GET or DELETE of an absent key", "2:bad command line or configuration file",
                "3:the request failed (no node answered in time, or the cluster refused it)"})
public final class KvCli implements Callable<Integer> {

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "config/node1.toml",
            description = "A node's TOML file, whose [network] table lists the nodes (default: ${DEFAULT-VALUE}).")
    Path config;

    @Spec
    CommandSpec spec;

    /** Runs one command: {@code put|get|append|delete|leader|reconfigure|workload|verify|load}. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs one command, as {@link #main} does, without exiting the JVM.
     *
     * @param args the command line
     * @return the exit status (see the class comment)
     */
    public static int run(String... args) {
        return CommandLines.execute(new KvCli(), args);
    }

    /** No command given: says which there are. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": which command? ("
                + String.join(", ", spec.subcommands().keySet()) + ")");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The cluster's addresses and TLS settings, from {@code --config}. */
    NetworkConfig network() {
        return NetworkConfig.load(config);
    }

    /** A TLS context for the client port, if the cluster uses TLS. */
    static SSLContext tls(NetworkConfig network) {
        return network.tls().enabled() ? TlsContexts.create(network.tls()) : null;
    }

    /** A command that sends one request through one client and prints its answer. */
    abstract static class Single implements Callable<Integer> {

        @ParentCommand
        KvCli parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            NetworkConfig network = parent.network();
            try (KvClient client = new KvClient(network.nodes(), tls(network), null,
                    KvClient.DEFAULT_ATTEMPT_TIMEOUT, KvClient.DEFAULT_REQUEST_DEADLINE)) {
                return send(client, network);
            } catch (KvException | IllegalArgumentException e) {
                System.err.println("kv " + spec.name() + ": " + e.getMessage());
                return ExitCodes.FAILED;
            }
        }

        abstract int send(KvClient client, NetworkConfig network) throws InterruptedException;
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Sets KEY to VALUE; prints OK.")
    static final class Put extends Single {
        @Parameters(index = "0", paramLabel = "KEY") String key;
        @Parameters(index = "1", paramLabel = "VALUE") String value;

        @Override
        int send(KvClient client, NetworkConfig network) {
            client.put(key, value);
            System.out.println("OK");
            return ExitCodes.OK;
        }
    }

    @Command(name = "append", mixinStandardHelpOptions = true,
            description = "Appends VALUE to KEY's value (an absent key counts as empty); prints OK.")
    static final class Append extends Single {
        @Parameters(index = "0", paramLabel = "KEY") String key;
        @Parameters(index = "1", paramLabel = "VALUE") String value;

        @Override
        int send(KvClient client, NetworkConfig network) {
            client.append(key, value);
            System.out.println("OK");
            return ExitCodes.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Prints KEY's value, or (not found) and exit status 1.")
    static final class Get extends Single {
        @Parameters(index = "0", paramLabel = "KEY") String key;

        @Override
        int send(KvClient client, NetworkConfig network) {
            Optional<String> value = client.get(key);
            System.out.println(value.orElse("(not found)"));
            return value.isPresent() ? ExitCodes.OK : ExitCodes.NOT_FOUND_OR_START_FAILED;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Deletes KEY; prints OK, or (not found) and exit status 1.")
    static final class Delete extends Single {
        @Parameters(index = "0", paramLabel = "KEY") String key;

        @Override
        int send(KvClient client, NetworkConfig network) {
            boolean existed = client.delete(key);
            System.out.println(existed ? "OK" : "(not found)");
            return existed ? ExitCodes.OK : ExitCodes.NOT_FOUND_OR_START_FAILED;
        }
    }

    @Command(name = "leader", mixinStandardHelpOptions = true,
            description = "Prints the pid of the node that answers writes (the leader).")
    static final class Leader extends Single {
        @Override
        int send(KvClient client, NetworkConfig network) {
            client.get("leader-probe"); // the session's REGISTER, a write, led the client to the leader
            System.out.println(client.lastAnsweringPid());
            return ExitCodes.OK;
        }
    }

    @Command(name = "reconfigure", mixinStandardHelpOptions = true,
            description = {"Hands the cluster over to the configuration that NEW_NODE_TOML describes (its id, its"
                    + " nodes and their addresses); returns once the cluster has decided the handover.",
                    "Sends the admin_token of the --config file's [network] table, if it has one."})
    static final class Reconfigure extends Single {
        @Parameters(index = "0", paramLabel = "NEW_NODE_TOML",
                description = "The TOML file of a node of the next configuration, e.g. config/grow/node4.toml.")
        Path nextFile;

        private ReconfigureRequest next;

        @Override
        public Integer call() throws InterruptedException {
            try {
                next = ReconfigureRequest.fromNodeToml(nextFile);
            } catch (ConfigException | IllegalArgumentException e) {
                System.err.println("kv reconfigure: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            return super.call();
        }

        @Override
        int send(KvClient client, NetworkConfig network) {
            try (Progress progress = Progress.start("waiting for the cluster to decide the handover", 0, null, "")) {
                client.reconfigure(next, network.adminToken());
            }
            System.out.println("OK: configuration " + next.config().configurationId() + " with nodes "
                    + next.config().nodes() + " takes over");
            return ExitCodes.OK;
        }
    }

    @Command(name = "workload", mixinStandardHelpOptions = true,
            description = "The demo's workload: 4 writers PUT then APPEND for SECONDS; writes each writer's"
                    + " acknowledged count to ACK_FILE.")
    static final class Workload implements Callable<Integer> {
        @ParentCommand KvCli parent;
        @Parameters(index = "0", paramLabel = "SECONDS") long seconds;
        @Parameters(index = "1", paramLabel = "ACK_FILE") Path ackFile;

        @Override
        public Integer call() throws InterruptedException {
            NetworkConfig network = parent.network();
            try {
                return DemoWorkload.write(network.nodes(), tls(network), seconds, ackFile);
            } catch (IOException e) {
                System.err.println("kv workload: " + e);
                return ExitCodes.FAILED;
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Reads back every write the workload acknowledged in ACK_FILE, through the leader.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand KvCli parent;
        @Parameters(index = "0", paramLabel = "ACK_FILE") Path ackFile;

        @Override
        public Integer call() {
            NetworkConfig network = parent.network();
            try {
                return DemoWorkload.verify(network.nodes(), tls(network), ackFile);
            } catch (IOException | KvException e) {
                System.err.println("kv verify: " + e);
                return ExitCodes.FAILED;
            }
        }
    }
}
