package io.omnipaxos.examples.kv.server;

import io.omnipaxos.ConfigException;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.examples.cli.ExitCodes;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.net.NetworkConfig;
import io.omnipaxos.storage.StorageException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code omnipaxos-kv server NODE_TOML [--memory] [--fault-injection]}: runs one node of the key-value store until it
 * is stopped (Ctrl-C, SIGTERM) or fails. Once it serves, its console shows {@code node N
 * serving clients on HOST:PORT}.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs one node of the key-value store until it is stopped (Ctrl-C or SIGTERM).",
                "Relative paths in the file (network.data_dir, logger_file_path) are relative to the working"
                        + " directory."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "1:could not start (a storage file cannot be opened, a port is in use)",
                "2:bad command line or configuration file (the message names the file, key and value)",
                "3:its peers know its data folder under another incarnation (the folder was emptied)",
                "70:a storage failure or a broken invariant stopped it",
                "130:stopped by Ctrl-C (a retired node, too, runs until stopped)",
                "143:stopped by SIGTERM"})
public final class ServerCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NODE_TOML",
            description = "The node's configuration: OmniPaxos keys plus the [network] table, e.g. config/node1.toml.")
    private Path configFile;

    @Option(names = "--memory",
            description = "Keep the log in memory (MemoryStorage) instead of network.data_dir; refused if that"
                    + " folder holds this node's stores.")
    private boolean memory;

    @Option(names = "--fault-injection",
            description = "For tests: the HTTP port also serves /faults, through which POST /faults?drop_in=2&drop_out=2"
                    + " makes this node drop the messages from and to those peers (a partition without touching the"
                    + " network). Never on a node others depend on.")
    private boolean faultInjection;

    @Override
    public Integer call() throws InterruptedException {
        KvServer server;
        try {
            // Logging must know the file before the first logger exists.
            OmniPaxosConfig config = OmniPaxosConfig.withToml(configFile, Set.of(NetworkConfig.TABLE));
            System.setProperty(KvLogging.NAME_PROPERTY, "node" + config.server().pid());
            config.server().loggerFilePath().ifPresent(file -> System.setProperty(KvLogging.LOG_FILE_PROPERTY, file));
            server = KvServer.start(configFile, memory, faultInjection);
        } catch (ConfigException | StorageException e) {
            // The message names the file, key and value (or the storage file and index): no stack trace.
            System.err.println("kv-server: " + e.getMessage());
            return e instanceof ConfigException ? ExitCodes.USAGE : ExitCodes.NOT_FOUND_OR_START_FAILED;
        } catch (Exception e) {
            // E.g. a port already in use (Netty rethrows the BindException unchecked). Exit, or the
            // event loop threads started so far would keep a half-started node alive.
            System.err.println("kv-server: could not start the node from " + configFile + ": " + e);
            return ExitCodes.NOT_FOUND_OR_START_FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "kv-shutdown"));
        server.awaitStopped();
        return ExitCodes.OK;
    }
}
