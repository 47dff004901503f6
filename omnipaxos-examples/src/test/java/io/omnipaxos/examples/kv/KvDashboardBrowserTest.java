package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: three node processes with HTTP ports, the page served by one of
 * them opened in headless Chromium (Debian's {@code chromium}; {@code .ci/run} installs it), which
 * runs the page's script against the live nodes; the test reads the DOM the script built ({@code
 * --dump-dom}). Before the kill the page must show the leader the cluster reports and every node
 * running with every link up; after kill -9 of the leader, within a few seconds, the killed node
 * down and the new leader, the one the cluster reports. Screenshots of both moments go to {@code
 * target/dashboard/} as test artifacts. Needs a {@code chromium} (or {@code chromium-browser}) on the
 * path; without one the test is skipped with a message saying so.
 */
class KvDashboardBrowserTest {

    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);
    /** How long after the kill the page may take to show the new leader. */
    private static final Duration SHOWN_WITHIN = Duration.ofSeconds(10);
    /** Virtual time Chromium gives the page's script: several polls of every node. */
    private static final int PAGE_MILLIS = 3_000;
    private static final Pattern NODE_STATE = Pattern.compile("id=\"node-(\\d+)\" data-state=\"(\\w+)\"");
    private static final Pattern LEADER = Pattern.compile("id=\"leader\" data-leader=\"(\\d*)\"");
    private static final Pattern LINK = Pattern.compile("id=\"link-(\\d+)-(\\d+)\" data-link=\"(\\w+)\"");

    @TempDir
    Path dir;

    private KvCluster cluster;

    @AfterEach
    void stop() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theDashboardShowsTheLeaderThenTheKilledLeaderDownAndItsSuccessor() throws Exception {
        Optional<String> chromium = chromium();
        assumeTrue(chromium.isPresent(), "no chromium on the PATH (apt-get install chromium; .ci/run does)");
        cluster = new KvCluster(dir, 3).http().startAll();
        long leader = cluster.awaitLeaderPid(LEADER_TIMEOUT);
        long viewer = leader == 1 ? 2 : 1; // a node that stays up serves the page
        Path artifacts = Files.createDirectories(Path.of("target", "dashboard"));

        Page before = open(chromium.get(), cluster.dashboardUrl(viewer), artifacts.resolve("before-kill.png"));
        assertEquals(String.valueOf(leader), before.leader(), "the page's leader\n" + before.dom());
        assertEquals(Map.of(1L, "running", 2L, "running", 3L, "running"), before.nodeStates(), before.dom());
        before.links().forEach((link, state) -> assertEquals("up", state, "link " + link + "\n" + before.dom()));
        assertEquals(6, before.links().size(), "a 3 x 3 matrix without its diagonal\n" + before.dom());

        cluster.kill(leader);
        long killed = System.nanoTime();
        Page after = null;
        while (System.nanoTime() - killed < SHOWN_WITHIN.toNanos()) {
            after = open(chromium.get(), cluster.dashboardUrl(viewer), artifacts.resolve("after-kill.png"));
            if (after.showsDownWithAnotherLeader(leader)) {
                break;
            }
        }
        Page shown = after;
        assertTrue(shown != null && shown.showsDownWithAnotherLeader(leader), "within " + SHOWN_WITHIN
                + " of the kill the page should show node " + leader + " down and another leader\n"
                + (shown == null ? "" : shown.dom()));
        long newLeader = cluster.awaitLeaderPid(LEADER_TIMEOUT);
        assertEquals(String.valueOf(newLeader), shown.leader(), "the page's leader is the cluster's");
        assertNotEquals(leader, newLeader);
        assertEquals("unknown", shown.links().get(leader + "-" + viewer), "the killed node's own view is unknown");
        assertEquals("down", shown.links().get(viewer + "-" + leader), "the viewer's link to the killed node");
        System.out.printf("dashboard: node %d shown down and node %d leading %d ms after the kill%n", leader,
                newLeader, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
    }

    /** What the page's script built, from the DOM Chromium dumped. */
    private record Page(String dom) {

        String leader() {
            Matcher m = LEADER.matcher(dom);
            return m.find() ? m.group(1) : "(no leader element)";
        }

        Map<Long, String> nodeStates() {
            Map<Long, String> states = new TreeMap<>();
            for (Matcher m = NODE_STATE.matcher(dom); m.find(); ) {
                states.put(Long.parseLong(m.group(1)), m.group(2));
            }
            return states;
        }

        /** Link states by "from-to". */
        Map<String, String> links() {
            Map<String, String> links = new TreeMap<>();
            for (Matcher m = LINK.matcher(dom); m.find(); ) {
                if (!m.group(1).equals(m.group(2))) {
                    links.put(m.group(1) + "-" + m.group(2), m.group(3));
                }
            }
            return links;
        }

        boolean showsDownWithAnotherLeader(long killed) {
            return "down".equals(nodeStates().get(killed)) && !leader().isEmpty()
                    && !leader().equals(String.valueOf(killed));
        }
    }

    /** Opens {@code url} in headless Chromium; returns the DOM after {@link #PAGE_MILLIS} of the page's time. */
    private Page open(String chromium, String url, Path screenshot) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "chromium");
        List<String> base = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                "--virtual-time-budget=" + PAGE_MILLIS));
        List<String> dump = new ArrayList<>(base);
        dump.addAll(List.of("--dump-dom", url));
        String dom = run(dump, dir.resolve("chromium-dom"));
        List<String> shot = new ArrayList<>(base);
        shot.addAll(List.of("--hide-scrollbars", "--window-size=900,1000", "--screenshot=" + screenshot.toAbsolutePath(),
                url));
        run(shot, dir.resolve("chromium-shot"));
        return new Page(dom);
    }

    /** Runs {@code command} with its output in {@code files}.out and .err; returns the output. */
    private static String run(List<String> command, Path files) throws IOException, InterruptedException {
        Path out = Path.of(files + ".out");
        Path err = Path.of(files + ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 60 s: " + command + "\n" + Files.readString(err));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static Optional<String> chromium() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin");
        for (String name : List.of("chromium", "chromium-browser")) {
            Optional<Path> found = Stream.of(path.split(":")).map(d -> Path.of(d, name)).filter(Files::isExecutable)
                    .findFirst();
            if (found.isPresent()) {
                return Optional.of(found.get().toString());
            }
        }
        return Optional.empty();
    }
}
