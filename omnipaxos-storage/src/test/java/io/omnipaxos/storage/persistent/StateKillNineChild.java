package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * The child JVM of {@link StateKillNineTest}: opens a store's state ({@link StoreFolder#openState})
 * and commits state after state as fast as it can, until it is killed.
 *
 * <p>Commit k holds promise round k and a run table of a length and content derived from k; every
 * {@value #SNAPSHOT_EVERY}th commit also takes a new snapshot (50 KB to 1.5 MB, its bytes derived
 * from its number, kept as the compacted index). On open the child checks that what it loaded is
 * exactly such a state and prints {@code OPEN k} (or {@code BAD reason} and exits 1); after each
 * commit returns it prints {@code C k}, flushed. Arguments: {@code dir life seed [warmup]}; with
 * {@code warmup} it stops after a few commits.
 */
public final class StateKillNineChild {

    static final int SNAPSHOT_EVERY = 7;
    private static final int WARMUP_COMMITS = 40;

    private StateKillNineChild() {}

    public static void main(String[] args) {
        KillNineChild.stopWhenParentGoes();
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        boolean warmup = args.length > 3 && args[3].equals("warmup");
        StateStore store = StoreFolder.openState(Path.of(args[0]));
        DurableState s = store.load();
        String bad = check(s);
        if (bad != null) {
            out.println("BAD " + bad);
            out.flush();
            System.exit(1);
        }
        long k = s.promise().n();
        out.println("OPEN " + k);
        out.flush();
        long deadline = System.nanoTime() + KillNineChild.MAX_LIFE_MILLIS * 1_000_000L;
        while (System.nanoTime() < deadline && !(warmup && k >= WARMUP_COMMITS)) {
            k++;
            long snapshotNumber = k / SNAPSHOT_EVERY;
            byte[] snapshot = k % SNAPSHOT_EVERY == 0 || s.snapshot() == null ? snapshot(snapshotNumber) : s.snapshot();
            long compacted = snapshot == s.snapshot() ? s.compactedIdx() : snapshotNumber;
            s = new DurableState(new Ballot(k, 0, 1), new Ballot(k / 2, 0, 2), k, compacted, k, -1, runs(k), snapshot, null);
            store.commit(s);
            out.println("C " + k);
            out.flush();
        }
        store.close();
        System.exit(0);
    }

    /** Why {@code s} is not a state this child commits, or null if it is one. */
    static String check(DurableState s) {
        long k = s.promise().n();
        if (k == 0) {
            return s.snapshot() == null && s.logLength() == 0 ? null : "an empty promise with a state: " + s;
        }
        if (s.decidedIdx() != k || s.logLength() != k || !s.acceptedRound().equals(new Ballot(k / 2, 0, 2))) {
            return "commit " + k + " holds other fields: " + s;
        }
        if (!Arrays.equals(runs(k), s.runs())) {
            return "commit " + k + " holds another run table (" + s.runs().length + " bytes)";
        }
        if (s.snapshot() == null || !Arrays.equals(snapshot(s.compactedIdx()), s.snapshot())) {
            return "commit " + k + " holds another snapshot than number " + s.compactedIdx();
        }
        return null;
    }

    private static byte[] runs(long k) {
        byte[] b = new byte[16 + (int) (k * 37 % 4000)];
        new Random(k).nextBytes(b);
        return b;
    }

    private static byte[] snapshot(long number) {
        byte[] b = new byte[50_000 + (int) (number * 7919 % 1_450_000)];
        new Random(-number).nextBytes(b);
        return b;
    }
}
