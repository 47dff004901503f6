package io.omnipaxos.storage.persistent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.omnipaxos.Ballot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real crashes: a child JVM ({@link KillNineChild}) runs three servers on {@link PersistentStorage}
 * under load; this test kills it with SIGKILL ({@link Process#destroyForcibly()}) at a seeded random
 * moment, restarts it on the same folders and checks, from what the restarted child reads back
 * before it builds its servers, that
 * <ul>
 *   <li>every entry a server reported decided before a kill is in that server's log, at the same
 *       index, with the same value (and no two servers ever decided different values at an index);</li>
 *   <li>no server's promised ballot went backwards.</li>
 * </ul>
 * Most kills come after a random number of decided entries, some while the child is still opening
 * its stores (recovery itself interrupted).
 *
 * <p>{@code -Dkill.count=N} (default {@value #DEFAULT_KILLS}) and {@code -Dkill.seed=S} (default
 * {@value #DEFAULT_SEED}); a failure names the seed and the life. Startup of a child costs most of
 * the run time, so children run with C1 only, serial GC and a class-data archive recorded by one
 * warm-up child (see {@link ChildJvm}).
 */
class KillNineTest extends ChildProcessTest {

    static final int DEFAULT_KILLS = 30;
    static final long DEFAULT_SEED = 42;
    private static final long STEP_TIMEOUT_MILLIS = 60_000;
    /** Share of kills that land while the child is opening its stores. */
    private static final int KILL_WHILE_OPENING_PERCENT = 15;
    private static final int MAX_DECIDED_LINES_BEFORE_KILL = 3_000;

    /** What the restarted children must find: per server, reported decided entries not yet checked. */
    private final Map<Long, TreeMap<Long, String>> unverified = new TreeMap<>();
    private final Map<Long, Ballot> promises = new TreeMap<>();
    private final Map<Long, Long> openedLength = new TreeMap<>();
    private final List<String> chosen = new ArrayList<>();
    private long seed;
    private int life;
    private long decidedReports;

    @Test
    void killNineLosesNoReportedDecidedEntryAndNoPromise() throws Exception {
        int kills = Integer.getInteger("kill.count", DEFAULT_KILLS);
        seed = Long.getLong("kill.seed", DEFAULT_SEED);
        Random random = new Random(seed);
        Path data = Files.createDirectories(dir.resolve("data"));
        ChildJvm jvm = ChildJvm.prepare(dir);
        for (long pid = 1; pid <= KillNineChild.SERVERS; pid++) {
            unverified.put(pid, new TreeMap<>());
            promises.put(pid, Ballot.NONE);
        }
        long start = System.nanoTime();
        for (life = 0; life <= kills; life++) {
            child = jvm.start(data, life, seed, listFrom());
            boolean last = life == kills;
            boolean whileOpening = !last && random.nextInt(100) < KILL_WHILE_OPENING_PERCENT;
            int decidedBeforeKill = random.nextInt(MAX_DECIDED_LINES_BEFORE_KILL + 1);
            int linesAfterOpen = whileOpening ? random.nextInt(3) : -1;
            readUntilKillMoment(whileOpening, linesAfterOpen, last ? 0 : decidedBeforeKill);
            child.destroy();
            drainAfterKill();
            child = null;
        }
        assertTrue(chosen.size() > kills, "seed " + seed + ": only " + chosen.size() + " entries decided in "
                + kills + " lives");
        System.out.printf("kill -9: %d kills (seed %d), %,d entries decided, %,d decided reports, %.1f s%n",
                kills, seed, chosen.size(), decidedReports, (System.nanoTime() - start) / 1e9);
    }

    /** Per server, the first index whose entry the next child must list (-1: nothing to check). */
    private long[] listFrom() {
        long[] from = new long[KillNineChild.SERVERS];
        for (int i = 0; i < from.length; i++) {
            TreeMap<Long, String> pending = unverified.get(i + 1L);
            from[i] = pending.isEmpty() ? -1 : pending.firstKey();
        }
        return from;
    }

    /**
     * Reads and checks lines until the kill moment: {@code linesAfterOpen} lines after the first
     * OPEN if {@code whileOpening}, else {@code decidedLines} D lines for new indices after READY.
     */
    private void readUntilKillMoment(boolean whileOpening, int linesAfterOpen, int decidedLines) throws Exception {
        long newFrom = chosen.size();
        boolean opening = false;
        boolean ready = false;
        int afterOpen = 0;
        int decided = 0;
        while (true) {
            if (whileOpening && opening && afterOpen >= linesAfterOpen) {
                return;
            }
            if (ready && decided >= decidedLines) {
                return;
            }
            String line = child.nextLine(STEP_TIMEOUT_MILLIS);
            if (line == null) {
                fail(where() + ": the child ended or went silent before its kill moment (opening=" + opening
                        + ", ready=" + ready + ", decided=" + decided + ")\n" + child.stderrTail());
            }
            String kind = check(line);
            opening |= kind.equals("OPEN");
            afterOpen += opening ? 1 : 0;
            ready |= kind.equals("READY");
            // Count only entries decided for the first time: a restarted server re-reports its log
            // from the decided index it recovered, which may lag far behind.
            decided += kind.equals("D") && Long.parseLong(line.split(" ")[2]) >= newFrom ? 1 : 0;
        }
    }

    /** After the kill: checks every line the child wrote before it died. */
    private void drainAfterKill() throws Exception {
        String line;
        while ((line = child.nextLine(STEP_TIMEOUT_MILLIS)) != null) {
            check(line);
        }
    }

    /** Checks one reported line against everything reported before; returns its kind. */
    private String check(String line) {
        String[] f = line.split(" ", 4);
        switch (f[0]) {
            case "OPEN" -> { // OPEN pid logLength decidedIdx promise
                String[] open = line.split(" ");
                onOpen(Long.parseLong(open[1]), Long.parseLong(open[2]), parseBallot(open[4]));
            }
            case "L" -> onListed(Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]);
            case "LEND" -> onListEnd(Long.parseLong(f[1]));
            case "D" -> onDecided(Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]);
            case "P" -> onPromise(Long.parseLong(f[1]), parseBallot(f[2]));
            case "READY" -> {
            }
            default -> fail(where() + ": unexpected line from the child: " + line);
        }
        return f[0];
    }

    private void onOpen(long pid, long logLength, Ballot promise) {
        Ballot before = promises.get(pid);
        assertTrue(promise.compareTo(before) >= 0,
                () -> where() + ": server " + pid + " reopened with promise " + promise + " below " + before);
        promises.put(pid, promise);
        openedLength.put(pid, logLength);
    }

    private void onListed(long pid, long idx, String value) {
        String expected = unverified.get(pid).remove(idx);
        if (expected != null) {
            assertEquals(expected, value, () -> where() + ": server " + pid + " reported " + expected
                    + " decided at " + idx + " but its reopened log holds " + value);
        }
    }

    private void onListEnd(long pid) {
        TreeMap<Long, String> missing = unverified.get(pid);
        if (!missing.isEmpty()) {
            fail(where() + ": server " + pid + " reopened with log length " + openedLength.get(pid) + " but had reported "
                    + missing.size() + " more decided entries, first " + missing.firstEntry() + ", last "
                    + missing.lastEntry());
        }
    }

    private void onDecided(long pid, long idx, String value) {
        while (chosen.size() <= idx) {
            chosen.add(null);
        }
        String before = chosen.get((int) idx);
        if (before != null && !before.equals(value)) {
            fail(where() + ": server " + pid + " decided " + value + " at " + idx + " where " + before + " was decided");
        }
        chosen.set((int) idx, value);
        unverified.get(pid).put(idx, value);
        decidedReports++;
    }

    private void onPromise(long pid, Ballot promise) {
        Ballot before = promises.get(pid);
        assertTrue(promise.compareTo(before) >= 0,
                () -> where() + ": server " + pid + " promise went back from " + before + " to " + promise);
        promises.put(pid, promise);
    }

    private static Ballot parseBallot(String text) {
        long[] parts = Arrays.stream(text.split("\\.")).mapToLong(Long::parseLong).toArray();
        return new Ballot(parts[0], (int) parts[1], parts[2]);
    }

    private String where() {
        return "kill.seed=" + seed + " life " + life;
    }

    /** Starts children: command line, the class-data archive, output and error handling. */
    static final class ChildJvm {

        private final List<String> command;
        private final Path stderrDir;

        private ChildJvm(List<String> command, Path stderrDir) {
            this.command = command;
            this.stderrDir = stderrDir;
        }

        /**
         * Builds the child's command line: the test class path, the Chronicle flags surefire passes in
         * {@code chronicle.jvm.flags}, C1 only and serial GC (a child lives about a second), and a
         * class-data archive of the classes a child loads, recorded by one warm-up child that exits
         * normally ({@code -XX:ArchiveClassesAtExit}). Such an archive accepts only jar files on the
         * class path, so the class folders are packed into jars first. {@code -Dkill.cds=false}
         * leaves the archive out; without it a child needs about twice as long to start.
         */
        static ChildJvm prepare(Path workDir) throws IOException, InterruptedException {
            return prepare(workDir, KillNineChild.class, List.of("0", "0", "-1", "-1", "-1", "warmup"));
        }

        /**
         * As {@link #prepare(Path)} for children of class {@code main}; the warm-up child gets a
         * folder of its own, then {@code warmUpArgs}, and must exit normally after a short run.
         */
        static ChildJvm prepare(Path workDir, Class<?> main, List<String> warmUpArgs)
                throws IOException, InterruptedException {
            String javaHome = System.getProperty("java.home");
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> base = new ArrayList<>(List.of(Path.of(javaHome, "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xshare:auto",
                    "-Djna.tmpdir=" + workDir.resolve("jna")));
            String flags = System.getProperty("chronicle.jvm.flags", "");
            for (String flag : flags.trim().split("\\s+")) {
                if (!flag.isEmpty()) {
                    base.add(flag);
                }
            }
            Path stderrDir = Files.createDirectories(workDir.resolve("stderr"));
            if (Boolean.parseBoolean(System.getProperty("kill.cds", "true"))) {
                String jarPath = ClassPathJars.packFolders(classPath, Files.createDirectories(workDir.resolve("cp")));
                Path archive = workDir.resolve("child.jsa");
                List<String> record = new ArrayList<>(base);
                record.add("-XX:ArchiveClassesAtExit=" + archive);
                record.addAll(List.of("-cp", jarPath, main.getName()));
                if (warmUp(record, workDir, warmUpArgs) && Files.exists(archive)) {
                    base.add("-XX:SharedArchiveFile=" + archive);
                    classPath = jarPath;
                } else {
                    System.out.println("kill -9: no class-data archive (see " + workDir.resolve("warmup.log")
                            + "); children start without it");
                }
            }
            base.addAll(List.of("-cp", classPath, main.getName()));
            return new ChildJvm(base, stderrDir);
        }

        private static boolean warmUp(List<String> command, Path workDir, List<String> warmUpArgs)
                throws IOException, InterruptedException {
            List<String> args = new ArrayList<>(command);
            args.add(workDir.resolve("warmup").toString());
            args.addAll(warmUpArgs);
            Process p = new ProcessBuilder(args).redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("warmup.log").toFile()).start();
            if (!p.waitFor(STEP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                return false;
            }
            return p.exitValue() == 0;
        }

        Child start(Path data, int life, long seed, long[] listFrom) throws IOException {
            List<String> args = new ArrayList<>(List.of(data.toString(), Integer.toString(life), Long.toString(seed)));
            for (long from : listFrom) {
                args.add(Long.toString(from));
            }
            return start(args, life);
        }

        /** Starts life {@code life} of a child with {@code childArgs}; its error output goes to a file per life. */
        Child start(List<String> childArgs, int life) throws IOException {
            List<String> args = new ArrayList<>(command);
            args.addAll(childArgs);
            Path stderr = stderrDir.resolve("life-" + life + ".txt");
            Process process = new ProcessBuilder(args).redirectError(stderr.toFile()).start();
            return new Child(process, stderr);
        }
    }

    /** One running child: its output lines arrive on a queue filled by a reader thread. */
    static final class Child {

        private static final String EOF = "\u0000EOF";
        private final Process process;
        private final Path stderr;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Thread reader;

        Child(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            this.reader = new Thread(this::readAll, "kill-child-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void readAll() {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the pipe breaks when the child dies: end of output
            } finally {
                lines.add(EOF);
            }
        }

        /** The next line, or null at the end of the output; fails if none comes within the timeout. */
        String nextLine(long timeoutMillis) throws InterruptedException {
            String line = lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("no output from the child within " + timeoutMillis + " ms\n" + stderrTail());
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                return null;
            }
            return line;
        }

        /** SIGKILL on Linux; waits until the process is gone. */
        void destroy() {
            process.destroyForcibly();
            try {
                if (!process.waitFor(STEP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("child " + process.pid() + " still alive after SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String stderrTail() {
            try {
                List<String> all = Files.readAllLines(stderr);
                return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
            } catch (IOException e) {
                return "(no stderr: " + e + ")";
            }
        }
    }
}
