package io.omnipaxos.examples.kv;

import io.omnipaxos.examples.cli.CommandLines;
import io.omnipaxos.examples.cli.CompletionCommand;
import io.omnipaxos.examples.cli.ExitCodes;
import io.omnipaxos.examples.cli.JvmSettings;
import io.omnipaxos.examples.kv.client.KvCli;
import io.omnipaxos.examples.kv.client.StatusCommand;
import io.omnipaxos.examples.kv.server.ServerCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The main class of the runnable jar, {@code omnipaxos-kv.jar}: {@code java -jar omnipaxos-kv.jar
 * server config/node1.toml}, {@code ... client put k v}, {@code ... status}, {@code ... completion}.
 * It sets the JVM's system properties ({@link JvmSettings}) before anything else loads; the
 * module access Chronicle Queue needs comes from the jar's manifest.
 */
@Command(name = "omnipaxos-kv", mixinStandardHelpOptions = true, versionProvider = KvMain.Version.class,
        description = "The replicated key-value store built on OmniPaxos: its node, its client and its status.",
        subcommands = {ServerCommand.class, KvCli.class, StatusCommand.class, CompletionCommand.class},
        footerHeading = "%nExit status (each command's --help lists its own):%n",
        footer = {"  0   done", "  1   client: GET/DELETE of an absent key; server: could not start",
                "  2   bad command line or configuration file (the message names the culprit)",
                "  3   client: the request failed; server: its data folder was replaced",
                "  70  server: a storage failure or a broken invariant stopped it"})
public final class KvMain implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Runs the command line; see the class comment. */
    public static void main(String[] args) {
        JvmSettings.apply(); // before any class that reads them (Chronicle, JNA, Logback) loads
        System.exit(CommandLines.execute(new KvMain(), args));
    }

    /** No command given: prints the help to standard error. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println(spec.name() + ": which command? (server, client, status, completion)");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The version from the jar's manifest. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = KvMain.class.getPackage().getImplementationVersion();
            return new String[] {"omnipaxos-kv " + (version == null ? "(development build)" : version)
                    + ", Java " + Runtime.version()};
        }
    }
}
