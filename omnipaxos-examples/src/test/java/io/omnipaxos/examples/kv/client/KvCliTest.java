package io.omnipaxos.examples.kv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.cli.ExitCodes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's command line without a cluster: help, bad input and the exit codes it promises. */
class KvCliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @TempDir
    Path dir;

    @BeforeEach
    void captureOutput() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    @Test
    void helpListsEveryCommandAndTheExitCodes() {
        assertEquals(ExitCodes.OK, KvCli.run("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String command : new String[] {"put", "get", "append", "delete", "leader", "reconfigure", "workload",
                "verify", "load", "--config", "Exit status"}) {
            assertTrue(help.contains(command), command + " in:\n" + help);
        }
    }

    @Test
    void everySubcommandHasHelp() {
        for (String command : new String[] {"put", "get", "append", "delete", "leader", "reconfigure", "workload",
                "verify", "load"}) {
            assertEquals(ExitCodes.OK, KvCli.run(command, "--help"), command);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--get-percent=G"));
    }

    @Test
    void aBadOptionValueIsNamedWithItsOption() {
        assertEquals(ExitCodes.USAGE, KvCli.run("load", "--clients", "many"));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("--clients") && message.contains("'many'"), message);
        assertTrue(message.contains("client load --help"), message);
    }

    @Test
    void aMissingArgumentOrUnknownCommandIsAUsageError() {
        assertEquals(ExitCodes.USAGE, KvCli.run("put", "k"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("VALUE"));
        assertEquals(ExitCodes.USAGE, KvCli.run("pot", "k", "v"));
        assertEquals(ExitCodes.USAGE, KvCli.run());
    }

    @Test
    void aBadConfigurationFileIsAUsageErrorNamingTheFile() throws Exception {
        Path toml = dir.resolve("bad.toml");
        Files.writeString(toml, "[network]\nnodes = 3\n");
        assertEquals(ExitCodes.USAGE, KvCli.run("--config", toml.toString(), "get", "k"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("bad.toml"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theConfigOptionIsAcceptedAfterTheCommandToo() throws Exception {
        Path toml = dir.resolve("bad.toml");
        Files.writeString(toml, "[network]\nnodes = 3\n");
        assertEquals(ExitCodes.USAGE, KvCli.run("get", "k", "--config", toml.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("bad.toml"), err.toString(StandardCharsets.UTF_8));
    }
}
