package io.omnipaxos.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.examples.ReadmeSnippets.KeyValue;
import io.omnipaxos.messages.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's code true: every ```java block of README.md and docs/*.md must appear, line
 * for line, in {@link ReadmeSnippets} (which compiles), and the tutorial's blocks are run there: its
 * TOML file loads, and its server, network loop and append-and-read make a 3-server cluster decide.
 */
class ReadmeSnippetsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path SNIPPETS = Path.of("src/test/java/io/omnipaxos/examples/ReadmeSnippets.java");
    private static final int MAX_ROUNDS = 200;

    /** A fenced block of a Markdown file: where it starts (1-based line of the fence) and its lines. */
    record Block(Path file, int line, List<String> lines) {}

    @Test
    void everyJavaBlockOfTheDocsIsCompiledInReadmeSnippets() throws IOException {
        List<String> source = normalized(Files.readAllLines(SNIPPETS));
        List<Block> blocks = new ArrayList<>(blocks(ROOT.resolve("README.md"), "java"));
        assertTrue(blocks.size() >= 7, "README.md's java blocks: " + blocks.size());
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                blocks.addAll(blocks(doc, "java"));
            }
        }
        for (Block block : blocks) {
            assertTrue(containsRun(source, normalized(block.lines())), block.file().getFileName() + ":" + block.line()
                    + ": this java block is not in " + SNIPPETS + " (change both together):\n"
                    + String.join("\n", block.lines()));
        }
    }

    @Test
    void theTutorialsTomlFileLoads() throws IOException {
        Block toml = blocks(ROOT.resolve("README.md"), "toml").get(0); // the tutorial's, the first
        Path file = Path.of("node2.toml"); // where the tutorial's snippet reads it: the working directory
        assertFalse(Files.exists(file), file.toAbsolutePath() + " exists already");
        Files.write(file, toml.lines());
        try {
            OmniPaxosConfig config = ReadmeSnippets.configFromToml();
            assertEquals(2, config.server().pid());
            assertEquals(List.of(1L, 3L), config.peers());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void theTutorialsServerNetworkLoopAndReadsDecideOnThreeServers() {
        Map<Long, OmniPaxos<KeyValue>> servers = new TreeMap<>();
        servers.put(2L, ReadmeSnippets.buildServer(ReadmeSnippets.configInCode()));
        servers.put(1L, ReadmeSnippets.buildServer(peerConfig(1, List.of(2L, 3L))));
        servers.put(3L, ReadmeSnippets.buildServer(peerConfig(3, List.of(1L, 2L))));
        Deque<Object[]> inFlight = new ArrayDeque<>();
        ReadmeSnippets.Network network = (to, frame) -> inFlight.add(new Object[] {to, frame});
        ReadmeSnippets node2 = new ReadmeSnippets();

        run(servers, inFlight, network, () -> servers.values().stream().anyMatch(s -> s.getCurrentLeader().isPresent()));
        node2.appendAndRead(servers.get(2L), 0);
        run(servers, inFlight, network, () -> servers.values().stream().allMatch(s -> s.getDecidedIdx() >= 1));
        node2.appendAndRead(servers.get(2L), 0);
        run(servers, inFlight, network, () -> servers.values().stream().allMatch(s -> s.getDecidedIdx() >= 2));

        assertEquals(List.of(new KeyValue("a", 1)), node2.applied, "step 5 applied the first decided entry");
        List<LogEntry<KeyValue>> log = servers.get(1L).readDecidedSuffix(0);
        assertEquals(2, log.size());
        assertTrue(log.stream().allMatch(e -> e instanceof LogEntry.Decided<KeyValue>), log.toString());
        for (OmniPaxos<KeyValue> server : servers.values()) {
            assertEquals(log, server.readDecidedSuffix(0));
        }
    }

    private static OmniPaxosConfig peerConfig(long pid, List<Long> peers) {
        return OmniPaxosConfig.builder().configurationId(1).pid(pid).peers(peers).batchSize(100).build();
    }

    /**
     * Rounds of: every server ticks and sends (as the loop does on its timer), then every frame in
     * flight goes through the tutorial's loop at its receiver; until {@code done}.
     */
    private static void run(Map<Long, OmniPaxos<KeyValue>> servers, Deque<Object[]> inFlight,
                            ReadmeSnippets.Network network, BooleanSupplier done) {
        MessageCodec<KeyValue> codec = new MessageCodec<>(new ReadmeSnippets.KeyValueCodec());
        for (int round = 0; round < MAX_ROUNDS && !done.getAsBoolean(); round++) {
            for (OmniPaxos<KeyValue> server : servers.values()) {
                server.tick();
                for (Message<KeyValue> message : server.outgoingMessages()) {
                    network.send(message.to(), codec.encode(message));
                }
            }
            for (int delivered = inFlight.size(); delivered > 0; delivered--) {
                Object[] next = inFlight.poll();
                ReadmeSnippets.networkLoop(servers.get((Long) next[0]), new ReadmeSnippets.KeyValueCodec(),
                        (byte[]) next[1], network);
            }
        }
        assertTrue(done.getAsBoolean(), "not done after " + MAX_ROUNDS + " rounds");
    }

    /** The fenced blocks of {@code file} in the given language, in order. */
    static List<Block> blocks(Path file, String language) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```" + language)) {
                continue;
            }
            int indent = lines.get(i).indexOf('`');
            List<String> body = new ArrayList<>();
            int j = i + 1;
            for (; j < lines.size() && !lines.get(j).strip().equals("```"); j++) {
                String line = lines.get(j);
                body.add(line.length() >= indent && line.substring(0, indent).isBlank() ? line.substring(indent) : line);
            }
            blocks.add(new Block(file, i + 1, body));
            i = j;
        }
        return blocks;
    }

    /** The lines without their indentation and trailing blanks, empty lines left out. */
    private static List<String> normalized(List<String> lines) {
        return lines.stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    private static boolean containsRun(List<String> haystack, List<String> run) {
        return !run.isEmpty() && Collections.indexOfSubList(haystack, run) >= 0;
    }
}
