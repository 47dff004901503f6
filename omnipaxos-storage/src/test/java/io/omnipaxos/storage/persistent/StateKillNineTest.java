package io.omnipaxos.storage.persistent;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Real crashes of the state files alone: a child JVM ({@link StateKillNineChild}) commits states
 * (with snapshots of up to 1.5 MB) as fast as it can; this test kills it with SIGKILL at a seeded
 * random moment, then starts the next life on the same folder, which must open (never refuse: a
 * kill cannot damage the file that holds the newest commit), load exactly a state the child
 * committed, and hold at least the last commit the child reported. Some kills land while the child
 * is still opening. MapDB on its own fails this: killed in the middle of a commit, its file
 * reopened damaged after 3 of 120 kills in a measurement (values cut short), and 8 more kills
 * before its first commit left a file that could not open.
 *
 * <p>{@code -Dkill.count=N} lives (default {@value #DEFAULT_LIVES}) and {@code -Dkill.seed=S}
 * (default {@value #DEFAULT_SEED}); a failure names the seed and the life.
 */
class StateKillNineTest extends ChildProcessTest {

    static final int DEFAULT_LIVES = 40;
    static final long DEFAULT_SEED = 11;
    private static final int MAX_COMMITS_BEFORE_KILL = 60;
    private static final int KILL_WHILE_OPENING_PERCENT = 15;
    private static final long STEP_TIMEOUT_MILLIS = 60_000;

    @Test
    void killNineNeverLosesACommitNorLeavesAStateThatCannotOpen() throws Exception {
        int lives = Integer.getInteger("kill.count", DEFAULT_LIVES);
        long seed = Long.getLong("kill.seed", DEFAULT_SEED);
        Random random = new Random(seed);
        Path store = dir.resolve("store");
        KillNineTest.ChildJvm jvm = KillNineTest.ChildJvm.prepare(Files.createDirectories(dir.resolve("work")),
                StateKillNineChild.class, List.of("0", "0", "warmup"));
        long reported = 0;
        long start = System.nanoTime();
        for (int life = 0; life <= lives; life++) {
            String where = "kill.seed=" + seed + " life " + life;
            child = jvm.start(List.of(store.toString(), Integer.toString(life), Long.toString(seed)), life);
            boolean whileOpening = life < lives && random.nextInt(100) < KILL_WHILE_OPENING_PERCENT;
            if (whileOpening) {
                Thread.sleep(random.nextInt(300));
            } else {
                long opened = opened(where);
                assertTrue(opened >= reported, where + ": opened at commit " + opened + ", but commit " + reported
                        + " was reported");
                reported = Math.max(reported, opened);
                int kill = life == lives ? 0 : random.nextInt(MAX_COMMITS_BEFORE_KILL + 1);
                for (int i = 0; i < kill; i++) {
                    reported = Math.max(reported, committed(child.nextLine(STEP_TIMEOUT_MILLIS), where));
                }
            }
            child.destroy();
            String line;
            while ((line = child.nextLine(STEP_TIMEOUT_MILLIS)) != null) {
                if (!line.startsWith("OPEN ")) {
                    reported = Math.max(reported, committed(line, where));
                }
            }
            child = null;
        }
        assertTrue(reported > lives, "seed " + seed + ": only " + reported + " commits in " + lives + " lives");
        System.out.printf("state kill -9: %d lives (seed %d), %,d commits reported, %.1f s%n", lives, seed, reported,
                (System.nanoTime() - start) / 1e9);
    }

    /** The commit the child opened at; fails on anything else. */
    private long opened(String where) throws InterruptedException {
        String line = child.nextLine(STEP_TIMEOUT_MILLIS);
        if (line == null || !line.startsWith("OPEN ")) {
            fail(where + ": the child did not open: " + line + "\n" + child.stderrTail());
        }
        return Long.parseLong(line.substring(5));
    }

    private long committed(String line, String where) {
        if (line == null || !line.startsWith("C ")) {
            fail(where + ": unexpected line from the child: " + line + "\n" + child.stderrTail());
        }
        return Long.parseLong(line.substring(2));
    }
}
