package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar on its own: a node started with {@code java -jar omnipaxos-kv.jar server} and no
 * other flag or class path (a one-node cluster, {@code peers = []}, on PersistentStorage), the
 * client of the same jar writing and reading through it, {@code status}, {@code --help}, a bad
 * option's message and exit code, and the completion script. Runs in the integration-test phase,
 * after {@code package} built the jar.
 */
class KvJarIT {

    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Process node;

    @AfterEach
    void stopNode() throws InterruptedException {
        if (node != null) {
            node.destroyForcibly();
            node.waitFor();
        }
    }

    @Test
    void aNodeStartedFromTheJarAloneServesTheClientOfTheSameJar() throws Exception {
        Path toml = writeOneNodeToml();
        Path console = dir.resolve("node1.out");
        node = new ProcessBuilder(java(), "-jar", jar().toString(), "server", toml.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(console.toFile()).start();
        awaitLine(console, "serving clients");

        Result put = runJar("client", "--config", toml.toString(), "put", "greeting", "hello");
        assertEquals(0, put.exitCode(), put.toString());
        assertEquals("OK", put.out().strip());
        Result get = runJar("client", "--config", toml.toString(), "get", "greeting");
        assertEquals(0, get.exitCode(), get.toString());
        assertEquals("hello", get.out().strip());
        Result status = runJar("status", "--config", toml.toString());
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("node 1") && status.out().contains("reachable")
                && status.out().contains("leader: node 1"), status.toString());

        String output = Files.readString(console);
        assertTrue(node.isAlive(), output);
        assertFalse(output.contains("WARNING"), "no JVM or Chronicle warnings on the console:\n" + output);
        assertFalse(output.contains("Exception"), output);
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() throws Exception {
        Result help = runJar("--help");
        assertEquals(0, help.exitCode(), help.toString());
        for (String word : new String[] {"server", "client", "status", "completion", "Exit status"}) {
            assertTrue(help.out().contains(word), word + " in:\n" + help.out());
        }
        Result serverHelp = runJar("server", "--help");
        assertEquals(0, serverHelp.exitCode(), serverHelp.toString());
        assertTrue(serverHelp.out().startsWith("Usage: omnipaxos-kv server") && serverHelp.out().contains("--memory"),
                serverHelp.out());
        Result loadHelp = runJar("client", "load", "--help");
        assertEquals(0, loadHelp.exitCode(), loadHelp.toString());
        assertTrue(loadHelp.out().startsWith("Usage: omnipaxos-kv client load") && loadHelp.out().contains("--pipeline=P"),
                loadHelp.out());
    }

    @Test
    void aBadOptionIsNamedAndExitsWithTheUsageCode() throws Exception {
        Result bad = runJar("client", "load", "--pipeline", "deep");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("Invalid value for option '--pipeline': 'deep' is not a whole number"),
                bad.err());
        assertEquals("", bad.out());
        Result missing = runJar("server");
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("NODE_TOML"), missing.err());
    }

    @Test
    void completionPrintsABashScript() throws Exception {
        Result completion = runJar("completion");
        assertEquals(0, completion.exitCode(), completion.toString());
        assertTrue(completion.out().contains("complete -F") && completion.out().contains("omnipaxos-kv"),
                completion.out().lines().limit(20).toList().toString());
    }

    private Path writeOneNodeToml() throws IOException {
        List<Integer> ports = FreePorts.take(2); // below the ephemeral range: no WARNING about it
        int peerPort = ports.get(0);
        int clientPort = ports.get(1);
        Path toml = dir.resolve("node1.toml");
        Files.writeString(toml, """
                configuration_id = 1
                pid = 1
                peers = []
                logger_file_path = "node1.log"

                [network]
                nodes = [ { pid = 1, host = "127.0.0.1", peer_port = %d, client_port = %d } ]
                data_dir = "data/node1"
                """.formatted(peerPort, clientPort));
        return toml;
    }

    /** The jar under test: from failsafe's kv.jar property, else target/. */
    private static Path jar() {
        Path jar = Path.of(System.getProperty("kv.jar", "target/omnipaxos-kv.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing: run `mvn package` first");
        return jar;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void awaitLine(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + text + "' within " + STARTUP + ":\n"
                + (Files.exists(file) ? Files.readString(file) : "(no output)"));
    }

    /** Runs {@code java -jar omnipaxos-kv.jar ARGS} in the test folder, with no other JVM flag. */
    private Result runJar(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " still runs after " + COMMAND_TIMEOUT);
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String out, String err) {}
}
