package io.omnipaxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every way a TOML config can be wrong must end in a {@link ConfigException} whose message names the
 * file, the dotted key, its {@code line:column} and the offending value.
 */
class TomlConfigErrorTest {

    /** A valid flat file; the cases below append to it as line 4 or change one of its lines. */
    private static final String FLAT = "configuration_id = 1\\npid = 2\\npeers = [1, 3]";

    @TempDir
    Path dir;

    private Path write(String toml) throws IOException {
        return Files.writeString(dir.resolve("node.toml"), toml);
    }

    /** Loads {@code toml} and returns the ConfigException it must fail with (never another type). */
    private ConfigException failure(String toml, String... applicationTables) throws IOException {
        Path file = write(toml);
        ConfigException e = assertThrows(ConfigException.class,
                () -> TomlConfigLoader.load(file, Set.of(applicationTables)));
        assertEquals(ConfigException.class, e.getClass());
        return e;
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected <" + part + "> in message:\n" + message);
        }
    }

    /**
     * Each row: the file (with {@code \n} for newlines and {@code FLAT} for the valid flat file), the
     * dotted key the message must name, its {@code line:column}, and the value the message must show.
     */
    @ParameterizedTest(name = "[{index}] {1} at {2}: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # --- flat layout: cluster and identity ---
            configuration_id = 1\\npid = 0\\npeers = [1, 3]             | pid                 | 2:1  | got 0
            configuration_id = 1\\npid = -2\\npeers = [1, 3]            | pid                 | 2:1  | got -2
            configuration_id = 0\\npid = 2\\npeers = [1, 3]             | configuration_id    | 1:1  | got 0
            configuration_id = -1\\npid = 2\\npeers = [1, 3]            | configuration_id    | 1:1  | got -1
            configuration_id = 2147483648\\npid = 2\\npeers = [1, 3]    | configuration_id    | 1:1  | 2147483648
            configuration_id = 1\\npid = 2\\npeers = [1, 2, 3]          | peers               | 3:1  | [1, 2, 3]
            configuration_id = 1\\npid = 2\\npeers = [1, 3, 1]          | peers               | 3:1  | duplicate pid 1
            configuration_id = 1\\npid = 2\\npeers = [1, -3]            | peers               | 3:1  | got -3
            configuration_id = 1\\npid = 2\\npeers = [1, 0]             | peers               | 3:1  | got 0
            # --- flat layout: wrong types ---
            configuration_id = 1\\npid = "two"\\npeers = [1, 3]         | pid                 | 2:1  | "two" (a string)
            configuration_id = 1\\npid = 2.0\\npeers = [1, 3]           | pid                 | 2:1  | 2.0 (a float)
            configuration_id = "1"\\npid = 2\\npeers = [1, 3]           | configuration_id    | 1:1  | "1" (a string)
            configuration_id = 1\\npid = 2\\npeers = 3                  | peers               | 3:1  | got 3 (an integer)
            configuration_id = 1\\npid = 2\\npeers = [1, "x"]           | peers[1]            | 3:13 | "x" (a string)
            configuration_id = 1\\npid = 2\\npeers = [[1], 3]           | peers[0]            | 3:10 | [1] (an array)
            FLAT\\nlogger_file_path = 5                                  | logger_file_path    | 4:1  | 5 (an integer)
            FLAT\\nelection_tick_timeout = 1.5                           | election_tick_timeout | 4:1 | 1.5 (a float)
            FLAT\\nelection_tick_timeout = "5"                           | election_tick_timeout | 4:1 | "5" (a string)
            FLAT\\nleader_priority = true                                | leader_priority     | 4:1  | true (a boolean)
            FLAT\\nbuffer_size = 2024-01-01                              | buffer_size         | 4:1  | 2024-01-01 (a date/time)
            FLAT\\nflexible_quorum = 2                                   | flexible_quorum     | 4:1  | 2 (an integer)
            # --- flat layout: server values out of range ---
            FLAT\\nelection_tick_timeout = 0                             | election_tick_timeout | 4:1 | got 0
            FLAT\\nresend_message_tick_timeout = 0                       | resend_message_tick_timeout | 4:1 | got 0
            FLAT\\nflush_batch_tick_timeout = -3                         | flush_batch_tick_timeout | 4:1 | got -3
            FLAT\\nbuffer_size = 0                                       | buffer_size         | 4:1  | got 0
            FLAT\\nbatch_size = 0                                        | batch_size          | 4:1  | got 0
            FLAT\\nleader_priority = -1                                  | leader_priority     | 4:1  | got -1
            FLAT\\nbuffer_size = 10\\nbatch_size = 11                    | batch_size          | 5:1  | got 11
            FLAT\\nbatch_size = 100001                                   | batch_size          | 4:1  | got 100001
            FLAT\\nelection_tick_timeout = 3000000000                    | election_tick_timeout | 4:1 | got 3000000000
            FLAT\\nbuffer_size = -2147483649                             | buffer_size         | 4:1  | got -2147483649
            # --- flexible quorum (3 nodes) ---
            FLAT\\nflexible_quorum = { read_quorum_size = 1, write_quorum_size = 3 }  | flexible_quorum.read_quorum_size  | 4:21 | got 1
            FLAT\\nflexible_quorum = { read_quorum_size = 2, write_quorum_size = 4 }  | flexible_quorum.write_quorum_size | 4:43 | got 4
            FLAT\\nflexible_quorum = { read_quorum_size = 2 }                         | flexible_quorum.write_quorum_size | 4:1  | missing required key
            FLAT\\nflexible_quorum = { read_quorum_size = 2, write_quorum_size = "2" }| flexible_quorum.write_quorum_size | 4:43 | "2" (a string)
            FLAT\\nflexible_quorum = { read_quorum_size = 4294967298, write_quorum_size = 2 } | flexible_quorum.read_quorum_size | 4:21 | 4294967298
            FLAT\\n[flexible_quorum]\\nread_quorum_size = 2\\nwrite_quorum_size = 9  | flexible_quorum.write_quorum_size | 6:1  | got 9
            FLAT\\nflexible_quorum = { read_quorum_size = 2, write_quorum_size = 2, extra = 1 } | flexible_quorum.extra | 4:66 | unknown key
            configuration_id = 1\\npid = 2\\npeers = [1, 3, 4]\\nflexible_quorum = { read_quorum_size = 2, write_quorum_size = 2 } | flexible_quorum | 4:1 | 2 + 2
            # --- unknown keys and layouts ---
            FLAT\\nelecion_tick_timeout = 10                             | elecion_tick_timeout | 4:1 | did you mean election_tick_timeout?
            FLAT\\nnodes = [1, 2, 3]                                     | nodes               | 4:1  | unknown key (value [1, 2, 3])
            FLAT\\n[network]\\nlisten = "0.0.0.0:8001"                   | network             | 4:1  | unknown key
            pid = 2\\n[cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2]\\n[server_config]\\npid = 2 | pid | 1:1 | use one layout
            FLAT\\n[server_config]\\nbatch_size = 2                      | configuration_id    | 1:1  | use one layout
            # --- sectioned layout ---
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2, 3]\\n[server_config]\\npid = 4    | server_config.pid    | 5:1 | pid 4 is not one of the nodes [1, 2, 3]
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2, 3]\\n[server_config]\\npid = 0    | server_config.pid    | 5:1 | got 0
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2, 2]\\n[server_config]\\npid = 2    | cluster_config.nodes | 3:1 | duplicate pid 2
            [cluster_config]\\nconfiguration_id = 1\\nnodes = []\\n[server_config]\\npid = 2           | cluster_config.nodes | 3:1 | at least 1 pid, got []
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [0, 2]\\n[server_config]\\npid = 2       | cluster_config.nodes | 3:1 | got 0
            [cluster_config]\\nconfiguration_id = 1\\nnodes = "1,2"\\n[server_config]\\npid = 2        | cluster_config.nodes | 3:1 | "1,2" (a string)
            [cluster_config]\\nconfiguration_id = 0\\nnodes = [1, 2]\\n[server_config]\\npid = 2       | cluster_config.configuration_id | 2:1 | got 0
            [cluster_config]\\nconfiguration_id = 1\\n[server_config]\\npid = 2                        | cluster_config.nodes | 1:1 | missing required key
            [cluster_config]\\nnodes = [1, 2]\\n[server_config]\\npid = 2                              | cluster_config.configuration_id | 1:1 | missing required key
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2]\\n[server_config]\\nbatch_size = 1 | server_config.pid | 4:1 | missing required key
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2]\\n[server_config]\\npid = 2\\nelection_tick_timeout = 0 | server_config.election_tick_timeout | 6:1 | got 0
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2]\\n[server_config]\\npid = 2\\nelecion_tick_timeout = 5  | server_config.elecion_tick_timeout | 6:1 | did you mean election_tick_timeout?
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2]\\npeers = [1]\\n[server_config]\\npid = 2 | cluster_config.peers | 4:1 | unknown key (value [1])
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2, 3, 4]\\nflexible_quorum = { read_quorum_size = 2, write_quorum_size = 2 }\\n[server_config]\\npid = 2 | cluster_config.flexible_quorum | 4:1 | 2 + 2
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2, 3]\\nflexible_quorum = { read_quorum_size = 5, write_quorum_size = 2 }\\n[server_config]\\npid = 2 | cluster_config.flexible_quorum.read_quorum_size | 4:21 | got 5
            cluster_config = 5\\n[server_config]\\npid = 2                                               | cluster_config | 1:1 | 5 (an integer)
            [cluster_config]\\nconfiguration_id = 1\\nnodes = [1, 2]\\n[[server_config]]\\npid = 2      | server_config  | 4:1 | (an array)
            """)
    void reportsFileKeyPositionAndValue(String toml, String key, String lineColumn, String value) throws IOException {
        ConfigException e = failure(toml.replace("FLAT", FLAT).replace("\\n", "\n"));

        Path file = dir.resolve("node.toml");
        assertContains(e.getMessage(), file + ":" + lineColumn + ": " + key + ": ", value);
    }

    @Test
    void missingKeyOfTheFlatLayoutIsNamedWithTheFile() throws IOException {
        ConfigException e = failure("configuration_id = 1\npeers = [1, 3]\n");

        assertEquals(dir.resolve("node.toml") + ": pid: missing required key", e.getMessage());
    }

    @Test
    void missingSectionIsNamedWithTheFile() throws IOException {
        ConfigException e = failure("[cluster_config]\nconfiguration_id = 1\nnodes = [1, 2]\n");

        assertContains(e.getMessage(), dir.resolve("node.toml") + ": server_config: missing required table");
    }

    @Test
    void emptyFileReportsTheFirstMissingKey() throws IOException {
        ConfigException e = failure("");

        assertContains(e.getMessage(), "node.toml", "missing required key");
    }

    @Test
    void validationErrorsKeepTheRecordsExceptionAsCause() throws IOException {
        ConfigException e = failure(FLAT.replace("\\n", "\n") + "\nbatch_size = 0\n");

        assertTrue(e.getCause() instanceof ConfigException, "cause: " + e.getCause());
        assertEquals("batch_size must be >= 1, got 0", e.getCause().getMessage());
    }

    @Test
    void unknownKeyWithoutCloseMatchListsTheKnownKeys() throws IOException {
        ConfigException e = failure(FLAT.replace("\\n", "\n") + "\ncolour = \"blue\"\n");

        assertContains(e.getMessage(), "node.toml:4:1: colour: unknown key (value \"blue\")",
                "expected one of configuration_id, peers");
    }

    @Test
    void applicationTableIsRejectedWhenNotNamedAndAllowedWhenNamed() throws IOException {
        String toml = FLAT.replace("\\n", "\n") + "\n[network]\nlisten = \"0.0.0.0:8001\"\n";

        assertContains(failure(toml).getMessage(), "node.toml:4:1: network: unknown key");
        assertContains(failure(toml, "metrics").getMessage(), "node.toml:4:1: network: unknown key",
                "logger_file_path, leader_lease_ticks, max_clock_drift_percent, learner, metrics");
        Path file = write(toml);
        assertEquals(2L, TomlConfigLoader.load(file, Set.of("network")).server().pid());
    }

    @Test
    void namedApplicationTableMustBeATable() throws IOException {
        ConfigException e = failure(FLAT.replace("\\n", "\n") + "\nnetwork = \"10.0.0.1\"\n", "network");

        assertContains(e.getMessage(), "node.toml:4:1: network: expected a table, got \"10.0.0.1\" (a string)");
    }

    @Test
    void applicationTableCannotShadowAConfigKey() throws IOException {
        // The config's own keys win, so naming one as an application table does not hide its errors.
        ConfigException e = failure(FLAT.replace("\\n", "\n") + "\nflexible_quorum = { x = 1 }\n",
                "flexible_quorum");

        assertContains(e.getMessage(), "node.toml:4:21: flexible_quorum.x: unknown key");
    }

    @Test
    void unclosedBracketIsAParseErrorWithItsPosition() throws IOException {
        ConfigException e = failure("configuration_id = 1\npid = 2\npeers = [1, 3\n");

        assertContains(e.getMessage(), dir.resolve("node.toml") + ": malformed TOML",
                dir.resolve("node.toml") + ":4:1: ", "expected ]");
    }

    @Test
    void integerTooLargeForTomlIsAParseErrorWithItsPosition() throws IOException {
        ConfigException e = failure("configuration_id = 1\npid = 99999999999999999999\npeers = [1, 3]\n");

        assertContains(e.getMessage(), "malformed TOML", "node.toml:2:7: ", "too large");
    }

    @Test
    void duplicateKeyIsAParseErrorWithItsPosition() throws IOException {
        ConfigException e = failure("configuration_id = 1\npid = 2\npid = 3\npeers = [1, 3]\n");

        assertContains(e.getMessage(), "malformed TOML", "node.toml:3:1: ", "pid");
    }

    @Test
    void everyParseErrorIsListedInFileOrder() throws IOException {
        ConfigException e = failure("configuration_id = 1\npid = 2\npid = 3\npeers = [1,\n");

        // tomlj reports the unclosed array (line 5) before the duplicate pid (line 3).
        Path file = dir.resolve("node.toml");
        assertContains(e.getMessage(), "malformed TOML, 2 errors:\n  " + file + ":3:1: pid previously defined",
                "\n  " + file + ":5:1: Unexpected end of input");
    }

    @Test
    void missingFileIsAConfigExceptionNamingIt() {
        Path file = dir.resolve("no-such-node.toml");

        ConfigException e = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file, Set.of()));

        assertContains(e.getMessage(), file + ": cannot read config file", "NoSuchFileException");
    }

    @Test
    void directoryIsAConfigExceptionNamingIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(dir, Set.of()));

        assertContains(e.getMessage(), dir + ": cannot read config file");
    }

    @Test
    void invalidUtf8IsAConfigExceptionNamingTheFile() throws IOException {
        Path file = Files.write(dir.resolve("latin1.toml"), new byte[] {'p', 'i', 'd', '=', '"', (byte) 0xE9, '"'});

        ConfigException e = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file, Set.of()));

        assertContains(e.getMessage(), file + ": cannot read config file");
    }
}
