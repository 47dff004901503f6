package io.omnipaxos.storage.persistent;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.omnipaxos.storage.TestStringCodec;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Real crashes of the asynchronous mode: a child JVM ({@link AsyncKillNineChild}) writes one store
 * of {@link SyncPolicy#ASYNCHRONOUS} from a writer thread while its main thread calls {@link
 * PersistentStorage#sync()} and prints what each sync acknowledged; this test kills it with SIGKILL
 * at a seeded random moment (after 0 to {@value #MAX_ACKS_BEFORE_KILL} acknowledgements), reopens
 * the store itself and checks, by replaying the same seeded writes on a {@code MemoryStorage}
 * model ({@link PrefixCheck}), that the reopened store holds exactly the first k writes of that
 * life, each whole, for some k at least the last count acknowledged; then the next life writes on.
 * Lives alternate between a decided index that is committed with every sync and one that lags.
 *
 * <p>{@code -Dkill.count=N} lives (default {@value #DEFAULT_LIVES}) and {@code -Dkill.seed=S}
 * (default {@value #DEFAULT_SEED}); a failure names the seed and the life. Children start as in
 * {@link KillNineTest} (C1 only, serial GC, a class-data archive).
 */
class AsyncKillNineTest extends ChildProcessTest {

    static final int DEFAULT_LIVES = 16;
    static final long DEFAULT_SEED = 7;
    static final int MAX_ACKS_BEFORE_KILL = 80;
    private static final long STEP_TIMEOUT_MILLIS = 60_000;
    /** How many writes past the last acknowledged one the replay looks for the reopened state. */
    private static final long MAX_WRITES_PAST_ACKNOWLEDGED = 1_000_000;

    /** The store's configuration, in the child and here. */
    static PersistentStorageConfig<String> config(Path storeDir, boolean decidedLags) {
        return PersistentStorageConfig.at(storeDir).codec(new TestStringCodec()).syncPolicy(SyncPolicy.ASYNCHRONOUS)
                .decidedIdxFlushInterval(decidedLags ? Duration.ofDays(1) : Duration.ZERO).checkpointEvery(1_000);
    }

    @Test
    void killNineReopensAPrefixOfTheWritesHoldingEveryAcknowledgedOne() throws Exception {
        int lives = Integer.getInteger("kill.count", DEFAULT_LIVES);
        long seed = Long.getLong("kill.seed", DEFAULT_SEED);
        Random random = new Random(seed);
        Path store = dir.resolve("store");
        KillNineTest.ChildJvm jvm = KillNineTest.ChildJvm.prepare(Files.createDirectories(dir.resolve("work")),
                AsyncKillNineChild.class, List.of("0", "0", "false", "warmup"));
        MemoryStorage<String> model = new MemoryStorage<>();
        long start = System.nanoTime();
        long acknowledgedTotal = 0;
        long heldTotal = 0;
        for (int life = 0; life < lives; life++) {
            String where = "kill.seed=" + seed + " life " + life;
            boolean decidedLags = life % 2 == 1;
            child = jvm.start(List.of(store.toString(), Integer.toString(life), Long.toString(seed),
                    Boolean.toString(decidedLags)), life);
            expectLine("OPEN", where);
            long acknowledged = readAcknowledgements(random.nextInt(MAX_ACKS_BEFORE_KILL + 1), where);
            child.destroy();
            String line;
            while ((line = child.nextLine(STEP_TIMEOUT_MILLIS)) != null) { // what it wrote before it died
                acknowledged = Math.max(acknowledged, parseAck(line, where));
            }
            child = null;
            try (PersistentStorage<String> reopened = PersistentStorage.open(config(store, decidedLags))) {
                long held = PrefixCheck.findPrefix(model, new AsyncWorkload(seed, "life" + life), acknowledged,
                        acknowledged + MAX_WRITES_PAST_ACKNOWLEDGED, reopened, decidedLags, where);
                assertTrue(held >= acknowledged, where);
                acknowledgedTotal += acknowledged;
                heldTotal += held;
            }
        }
        assertTrue(acknowledgedTotal > lives, "seed " + seed + ": only " + acknowledgedTotal + " writes acknowledged in "
                + lives + " lives");
        System.out.printf("async kill -9: %d lives (seed %d), %,d writes acknowledged, %,d held after the kills, %.1f s%n",
                lives, seed, acknowledgedTotal, heldTotal, (System.nanoTime() - start) / 1e9);
    }

    /** Reads {@code count} acknowledgements; returns the last count acknowledged (0 for none). */
    private long readAcknowledgements(int count, String where) throws InterruptedException {
        long acknowledged = 0;
        for (int i = 0; i < count; i++) {
            String line = child.nextLine(STEP_TIMEOUT_MILLIS);
            if (line == null) {
                fail(where + ": the child ended before its kill moment\n" + child.stderrTail());
            }
            acknowledged = parseAck(line, where);
        }
        return acknowledged;
    }

    private void expectLine(String expected, String where) throws InterruptedException {
        String line = child.nextLine(STEP_TIMEOUT_MILLIS);
        if (!expected.equals(line)) {
            fail(where + ": expected " + expected + " from the child, got " + line + "\n" + child.stderrTail());
        }
    }

    private static long parseAck(String line, String where) {
        if (!line.startsWith("ACK ")) {
            throw new AssertionError(where + ": unexpected line from the child: " + line);
        }
        return Long.parseLong(line.substring(4));
    }
}
