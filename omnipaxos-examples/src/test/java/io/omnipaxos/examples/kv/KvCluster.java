package io.omnipaxos.examples.kv;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.client.KvException;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.server.KvServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Three (or more) real node processes on loopback for tests: free ports, TOML files and data
 * folders in a temporary folder, child JVMs on the test classpath with the Chronicle flags.
 * {@link #close()} kills every process it started.
 */
final class KvCluster implements AutoCloseable {

    /** Chronicle Queue's module flags on Java 17+ (the root pom's chronicle.jvm.flags). */
    private static final List<String> JVM_FLAGS = List.of("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
            "-Dchronicle.announcer.disable=true", "-Djna.tmpdir=target/jna-tmp", "-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    /** How a JVM's answer to SIGQUIT starts. */
    private static final String THREAD_DUMP = "Full thread dump";

    private final Path dir;
    /** Every node's address, members of the first configuration and nodes added later alike. */
    private final Map<Long, NodeAddress> nodes = new HashMap<>();
    /** What each node's TOML file says it is a member of. */
    private final Map<Long, Membership> memberships = new HashMap<>();
    private final Map<Long, Process> processes = new HashMap<>();
    private final Map<Long, String> tlsTables = new HashMap<>();
    /** Nodes started with {@code --memory}. */
    private final Set<Long> memoryNodes = new HashSet<>();
    private long snapshotInterval = -1;
    /**
     * Ticks (of 2 ms) per heartbeat round: 150 (300 ms) unless a test needs more patience. The
     * nodes tick at the wall-clock rate ({@code TickClock}) while the test JVM and three node JVMs
     * share the machine (two cores in CI), whose GC pauses and JIT warm-up stall a loop for up to
     * ~0.3 s: a 200 ms round lost a leader in the middle of a test.
     */
    private int electionTicks = 150;
    /** Whether every node serves GETs on followers ({@code network.follower_reads}). */
    private boolean followerReads;
    /** Every node's network.max_client_connections; 0: the key is left out. */
    private int maxClientConnections;
    /** Every node's network.max_unsent_replies_mib; 0: the key is left out. */
    private int maxUnsentRepliesMib;
    /** The namespaces the nodes run in ({@link #inNamespaces}), or null: all on loopback. */
    private NetnsLab namespaces;
    /** Whether nodes start with --fault-injection ({@link #faultInjection()}). */
    private boolean faultInjection;
    private final HttpClient httpClient = HttpClient.newHttpClient();
    /** The http_port of each node's row in the nodes table, if {@link #http()} gave it one. */
    private final Map<Long, Integer> httpPorts = new HashMap<>();

    /** The configuration a node's TOML file names, and whether the node joins it as a new node. */
    private record Membership(int configurationId, List<Long> members, boolean join) {}

    KvCluster(Path dir, int size) throws IOException {
        this.dir = dir;
        List<Integer> ports = FreePorts.take(2 * size);
        List<Long> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            long pid = i + 1;
            nodes.put(pid, new NodeAddress(pid, "127.0.0.1", ports.get(2 * i), ports.get(2 * i + 1)));
            members.add(pid);
        }
        for (long pid : members) {
            memberships.put(pid, new Membership(1, List.copyOf(members), false));
        }
    }

    /**
     * Adds node {@code pid} as a new member of configuration {@code configurationId} with nodes
     * {@code members}: its TOML file says {@code join = true} and lists every address known so far
     * (old nodes too, as sources of the state), written now (for {@code kv reconfigure}) and again
     * by {@link #start}, which starts it.
     */
    void addJoiner(long pid, int configurationId, List<Long> members) throws IOException {
        List<Integer> ports = FreePorts.take(2);
        nodes.put(pid, new NodeAddress(pid, "127.0.0.1", ports.get(0), ports.get(1)));
        memberships.put(pid, new Membership(configurationId, List.copyOf(members), true));
        writeToml(pid);
    }

    /** The TOML file of node {@code pid} (written by {@link #start}, and for a joiner by {@link #addJoiner}). */
    Path toml(long pid) {
        return dir.resolve("node" + pid + ".toml");
    }

    /** Makes node {@code pid} run TLS with the given table body (call before {@link #start}). */
    void tls(long pid, String tlsTable) {
        tlsTables.put(pid, tlsTable);
    }

    /** Makes node {@code pid} run on MemoryStorage ({@code --memory}) at every start (call before {@link #start}). */
    KvCluster memory(long pid) {
        memoryNodes.add(pid);
        return this;
    }

    /**
     * Makes every node's heartbeat round {@code ticks} ticks of 2 ms (call before {@link #start}): for
     * tests whose load makes a leader answer heartbeats late.
     */
    KvCluster electionTicks(int ticks) {
        this.electionTicks = ticks;
        return this;
    }

    /** Makes every node snapshot its map every {@code entries} decided entries (call before {@link #start}). */
    KvCluster snapshotInterval(long entries) {
        this.snapshotInterval = entries;
        return this;
    }

    /** Makes every node serve GETs on followers (call before {@link #start}). */
    KvCluster followerReads() {
        this.followerReads = true;
        return this;
    }

    /** Gives every node {@code network.max_client_connections} (call before {@link #start}). */
    KvCluster maxClientConnections(int connections) {
        this.maxClientConnections = connections;
        return this;
    }

    /** Gives every node {@code network.max_unsent_replies_mib} (call before {@link #start}). */
    KvCluster maxUnsentRepliesMib(int mebibytes) {
        this.maxUnsentRepliesMib = mebibytes;
        return this;
    }

    /** Gives every node known so far an http_port (its dashboard, /metrics and /status). */
    KvCluster http() throws IOException {
        List<Long> pids = nodes.keySet().stream().sorted().toList();
        List<Integer> ports = FreePorts.take(pids.size());
        for (int i = 0; i < pids.size(); i++) {
            httpPorts.put(pids.get(i), ports.get(i));
        }
        return this;
    }

    /**
     * Runs each node in its namespace of {@code lab}, at its address there (the test reaches them
     * through the lab's links; their HTTP ports, on 127.0.0.1 of their namespace, it does not).
     * Before the nodes start; the caller closes the lab after the cluster.
     */
    KvCluster inNamespaces(NetnsLab lab) {
        namespaces = lab;
        for (NodeAddress a : List.copyOf(nodes.values())) {
            nodes.put(a.pid(), new NodeAddress(a.pid(), lab.address(a.pid()), a.peerPort(), a.clientPort()));
        }
        return this;
    }

    /** Starts every node with {@code --fault-injection} (and an http_port), so that {@link #cutLinks} works. */
    KvCluster faultInjection() throws IOException {
        faultInjection = true;
        return httpPorts.isEmpty() ? http() : this;
    }

    /**
     * Node {@code pid} drops every message from {@code dropIn} and sends nothing to {@code dropOut}
     * from now on (empty sets heal it); a restart forgets it. After {@link #faultInjection()}. A
     * node still starting is waited for, up to 30 seconds.
     *
     * @return the node's answer: its link faults as JSON, with the counts of messages dropped so far
     * @throws IllegalStateException if the node refuses
     */
    String cutLinks(long pid, Set<Long> dropIn, Set<Long> dropOut) throws IOException, InterruptedException {
        String query = "drop_in=" + joined(dropIn) + "&drop_out=" + joined(dropOut);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort(pid) + "/faults?" + query))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        HttpResponse<String> response = null;
        while (response == null) {
            try {
                response = httpClient.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException notListeningYet) {
                if (System.nanoTime() > deadline) {
                    throw notListeningYet;
                }
                Thread.sleep(50);
            }
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("node " + pid + " refused /faults?" + query + ": " + response.statusCode()
                    + " " + response.body());
        }
        return response.body();
    }

    private static String joined(Set<Long> pids) {
        return String.join(",", pids.stream().sorted().map(String::valueOf).toList());
    }

    /** Node {@code pid}'s http_port (after {@link #http()}). */
    int httpPort(long pid) {
        Integer port = httpPorts.get(pid);
        if (port == null) {
            throw new IllegalStateException("node " + pid + " has no http_port: call http() first");
        }
        return port;
    }

    /** Node {@code pid}'s dashboard URL (after {@link #http()}). */
    String dashboardUrl(long pid) {
        return "http://127.0.0.1:" + httpPort(pid) + "/";
    }

    Map<Long, NodeAddress> nodes() {
        return nodes;
    }

    Path dir() {
        return dir;
    }

    /** Starts every node. */
    KvCluster startAll() throws IOException {
        for (long pid : nodes.keySet()) {
            start(pid);
        }
        return this;
    }

    /** Starts (or restarts, on the same data folder) node {@code pid}. */
    void start(long pid) throws IOException {
        Path toml = writeToml(pid);
        List<String> command = new ArrayList<>();
        if (namespaces != null) {
            command.addAll(namespaces.exec(pid));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(KvServer.class.getName());
        command.add(toml.toString());
        if (memoryNodes.contains(pid)) {
            command.add("--memory");
        }
        if (faultInjection) {
            command.add("--fault-injection");
        }
        Path out = output(pid);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
        processes.put(pid, process);
    }

    /** kill -9 of node {@code pid}. */
    void kill(long pid) throws InterruptedException {
        Process process = processes.remove(pid);
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * Waits until node {@code pid}'s process exits on its own; returns its exit status. On timeout
     * the failure shows every node's console.
     */
    int awaitExit(long pid, Duration timeout) throws InterruptedException {
        Process process = processes.get(pid);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("node " + pid + " still runs after " + timeout + diagnostics(pid));
        }
        return process.exitValue();
    }

    /** Deletes node {@code pid}'s data folder and everything in it (the node must be down). */
    void wipe(long pid) throws IOException {
        if (alive(pid)) {
            throw new IllegalStateException("node " + pid + " runs: kill it before wiping its data folder");
        }
        Path data = dataDir(pid);
        if (Files.exists(data)) {
            try (Stream<Path> paths = Files.walk(data)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** Node {@code pid}'s data folder (as its TOML file names it, relative to its working directory). */
    Path dataDir(long pid) {
        return dir.resolve("data/node" + pid);
    }

    /**
     * Everything node {@code pid} printed (its console: one line per notable event); empty if it
     * printed nothing yet or the file cannot be read at the moment (the tests poll it). Bytes that
     * are not UTF-8 (a character cut in half by a write under way) read as U+FFFD rather than as
     * an empty console.
     */
    String console(long pid) {
        return readLeniently(output(pid));
    }

    private static String readLeniently(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Node {@code pid}'s log file (everything it logged, not only its console); empty if unreadable. */
    String log(long pid) {
        return readLeniently(dir.resolve("logs/node" + pid + ".log"));
    }

    /** Whether node {@code pid}'s process runs. */
    boolean alive(long pid) {
        Process process = processes.get(pid);
        return process != null && process.isAlive();
    }

    /** The resident memory of node {@code pid}'s process (VmRSS of /proc/PID/status), for test output. */
    String residentMemory(long pid) {
        Process process = processes.get(pid);
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        try {
            return Files.readAllLines(status).stream().filter(line -> line.startsWith("VmRSS:"))
                    .map(line -> line.substring(6).trim()).findFirst().orElse("(no VmRSS)");
        } catch (IOException e) {
            return "(cannot read " + status + ": " + e.getMessage() + ")";
        }
    }

    /**
     * Waits until node {@code pid}'s console contains {@code text}; on timeout the failure shows
     * every node's console, so that a slow or stuck node can be told from one that died.
     */
    void awaitConsole(long pid, String text, Duration timeout) throws InterruptedException {
        awaitConsole(pid, text, 1, timeout);
    }

    /**
     * As {@link #awaitConsole(long, String, Duration)}, until {@code text} appears {@code times} times;
     * fails at once if the node's process has exited.
     */
    void awaitConsole(long pid, String text, int times, Duration timeout) throws InterruptedException {
        String what = "node " + pid + " to print '" + text + "'" + (times > 1 ? " " + times + " times" : "");
        Process process = processes.get(pid);
        try {
            await(what, timeout, () -> {
                if (occurrences(console(pid), text) >= times) {
                    return true;
                }
                if (process != null && !process.isAlive()) {
                    throw new AssertionError("node " + pid + " exited with status " + process.exitValue()
                            + " while waiting for " + what);
                }
                return false;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + diagnostics(pid), e);
        }
    }

    private static int occurrences(String haystack, String text) {
        int count = 0;
        for (int at = haystack.indexOf(text); at >= 0; at = haystack.indexOf(text, at + text.length())) {
            count++;
        }
        return count;
    }

    /**
     * What a failed wait shows, node {@code first} (the one waited for) first: each node's state,
     * console and the end of its log file, then a thread dump of each running node (SIGQUIT, which
     * the JVM answers on its standard output), so that a report cut short keeps the consoles.
     */
    private String diagnostics(long first) throws InterruptedException {
        Map<Long, Integer> dumpsBefore = requestThreadDumps();
        List<Long> order = new ArrayList<>(nodes.keySet());
        order.sort(Comparator.comparing((Long node) -> node != first).thenComparing(node -> node));
        StringBuilder consoles = new StringBuilder();
        StringBuilder dumps = new StringBuilder();
        for (long node : order) {
            String console = console(node);
            int dumpAt = threadDumpStart(console, dumpsBefore.get(node));
            consoles.append("\n--- node ").append(node).append(" (").append(state(node)).append(") console:\n")
                    .append(console, 0, dumpAt);
            consoles.append("\n--- node ").append(node).append(" log file (end):\n").append(logTail(node, 40));
            if (dumpAt < console.length()) {
                dumps.append("\n--- node ").append(node).append(" thread dump:\n").append(console.substring(dumpAt));
            }
        }
        return consoles.append(dumps).toString();
    }

    /** Sends SIGQUIT to every running node and waits up to 5 s for the dumps; returns how many each had before. */
    private Map<Long, Integer> requestThreadDumps() throws InterruptedException {
        Map<Long, Integer> dumpsBefore = new HashMap<>();
        for (Map.Entry<Long, Process> node : processes.entrySet()) {
            if (!node.getValue().isAlive()) {
                continue;
            }
            dumpsBefore.put(node.getKey(), occurrences(console(node.getKey()), THREAD_DUMP));
            try {
                new ProcessBuilder("kill", "-3", Long.toString(node.getValue().pid())).start().waitFor();
            } catch (IOException e) {
                // no thread dump then; the consoles still show
            }
        }
        try {
            await("thread dumps", Duration.ofSeconds(5), () -> dumpsBefore.entrySet().stream()
                    .allMatch(d -> occurrences(console(d.getKey()), THREAD_DUMP) > d.getValue()));
        } catch (AssertionError e) {
            // a node stuck in native code: show what there is
        }
        return dumpsBefore;
    }

    /**
     * Where the thread dump requested after {@code dumpsBefore} earlier ones starts in {@code
     * console} (at its time stamp line), or the console's length if there is none.
     */
    private static int threadDumpStart(String console, Integer dumpsBefore) {
        if (dumpsBefore == null) {
            return console.length();
        }
        int at = -1;
        for (int i = 0; i <= dumpsBefore; i++) {
            at = console.indexOf(THREAD_DUMP, at + 1);
            if (at < 0) {
                return console.length();
            }
        }
        return at >= 2 ? console.lastIndexOf('\n', at - 2) + 1 : 0;
    }

    /** Whether node {@code pid} runs, has exited (and how) or was not started or was killed. */
    private String state(long pid) {
        Process process = processes.get(pid);
        if (process == null) {
            return "not running: never started, or killed by the test";
        }
        return process.isAlive() ? "running" : "exited with status " + process.exitValue();
    }

    private String logTail(long pid, int lines) {
        List<String> all = log(pid).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Waits until some node answers {@code client} (a leader is elected and serving), failing after {@code timeout}. */
    static void awaitLeader(KvClient client, Duration timeout) throws InterruptedException {
        await("a leader that answers", timeout, () -> {
            try {
                client.get("warm-up");
                return true;
            } catch (KvException e) {
                return false;
            }
        });
    }

    /**
     * Writes "big", a value of the largest size a key may hold (a PUT and APPENDs of the largest
     * request), and "small" = "s"; returns the pid of the leader that answered.
     */
    long writeBigAndSmall(Duration timeout) throws InterruptedException {
        try (KvClient client = client()) {
            awaitLeader(client, timeout);
            String chunk = "v".repeat(KvCommand.MAX_VALUE_BYTES);
            client.put("big", chunk);
            for (int i = 1; i < KvStateMachine.MAX_STORED_VALUE_BYTES / KvCommand.MAX_VALUE_BYTES; i++) {
                client.append("big", chunk);
            }
            client.put("small", "s");
            return client.lastAnsweringPid();
        }
    }

    /** Waits until a leader answers; returns its pid. */
    long awaitLeaderPid(Duration timeout) throws InterruptedException {
        try (KvClient client = client()) {
            awaitLeader(client, timeout);
            return client.lastAnsweringPid();
        }
    }

    Path output(long pid) {
        return dir.resolve("node" + pid + ".out");
    }

    /** The pids of every node of the cluster, running or not. */
    Set<Long> pids() {
        return nodes.keySet();
    }

    /** The pids of every other node of the cluster than {@code pid}. */
    Set<Long> othersThan(long pid) {
        Set<Long> others = new HashSet<>(nodes.keySet());
        others.remove(pid);
        return others;
    }

    /** A client of this cluster with short timeouts. */
    KvClient client() {
        return clientOf(nodes.keySet());
    }

    /** A client that knows only the addresses of {@code pids} (others it may learn from NOT_LEADER replies). */
    KvClient clientOf(Collection<Long> pids) {
        Map<Long, NodeAddress> known = new HashMap<>(nodes);
        known.keySet().retainAll(pids);
        return new KvClient(known, null, null, Duration.ofMillis(500), Duration.ofSeconds(20));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : processes.values()) {
            process.destroyForcibly();
        }
        for (Process process : processes.values()) {
            process.waitFor();
        }
        processes.clear();
    }

    /** Waits until {@code condition} holds, failing after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private Path writeToml(long pid) throws IOException {
        StringBuilder toml = new StringBuilder();
        Membership membership = memberships.get(pid);
        List<Long> peers = membership.members().stream().filter(p -> p != pid).sorted().toList();
        toml.append("configuration_id = ").append(membership.configurationId()).append("\npid = ").append(pid)
                .append("\npeers = ").append(peers)
                .append("\nlogger_file_path = \"logs/node").append(pid).append(".log\"\n")
                .append("election_tick_timeout = ").append(electionTicks)
                .append("\nresend_message_tick_timeout = ").append(2 * electionTicks).append('\n')
                .append("flush_batch_tick_timeout = 1\nbatch_size = 100\n\n[network]\nnodes = [\n");
        for (NodeAddress a : nodes.values()) {
            toml.append("  { pid = ").append(a.pid()).append(", host = \"").append(a.host()).append("\", peer_port = ")
                    .append(a.peerPort()).append(", client_port = ").append(a.clientPort());
            if (httpPorts.containsKey(a.pid())) {
                toml.append(", http_port = ").append(httpPorts.get(a.pid()));
            }
            toml.append(" },\n");
        }
        toml.append("]\ndata_dir = \"data/node").append(pid).append("\"\ntick_interval_ms = 2\n");
        if (membership.join()) {
            toml.append("join = true\n");
        }
        if (snapshotInterval >= 0) {
            toml.append("snapshot_interval = ").append(snapshotInterval).append('\n');
        }
        if (followerReads) {
            toml.append("follower_reads = true\n");
        }
        if (maxClientConnections > 0) {
            toml.append("max_client_connections = ").append(maxClientConnections).append('\n');
        }
        if (maxUnsentRepliesMib > 0) {
            toml.append("max_unsent_replies_mib = ").append(maxUnsentRepliesMib).append('\n');
        }
        if (tlsTables.containsKey(pid)) {
            toml.append("\n[network.tls]\n").append(tlsTables.get(pid)).append('\n');
        }
        Path file = toml(pid);
        Files.writeString(file, toml);
        return file;
    }
}
