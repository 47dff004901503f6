package io.omnipaxos.storage.persistent;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of {@link AsyncKillNineTest}: one {@link PersistentStorage} in the asynchronous mode,
 * written by a writer thread with an {@link AsyncWorkload} while the main thread syncs, until it
 * is killed.
 *
 * <p>Arguments: {@code dir life seed decidedLags [warmup]}. It prints {@code OPEN} once the store is
 * open, then {@code ACK n} (flushed at once) after every {@link PersistentStorage#sync()} that made
 * more writes durable: n writes of this life are acknowledged. The writer stays at most {@link
 * #MAX_IN_FLIGHT} writes ahead of the last sync, which bounds how far the parent must replay. With
 * {@code warmup} it stops by itself after a short run (to record a class-data archive); otherwise
 * after {@link KillNineChild#MAX_LIFE_MILLIS}, or when its standard input closes.
 */
public final class AsyncKillNineChild {

    /** Writes the writer may make beyond the last sync. */
    static final int MAX_IN_FLIGHT = 500;
    private static final int WARMUP_WRITES = 3_000;

    private AsyncKillNineChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: AsyncKillNineChild dir life seed decidedLags [warmup]");
        }
        KillNineChild.stopWhenParentGoes();
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 12), false, StandardCharsets.UTF_8);
        boolean warmup = args.length > 4 && args[4].equals("warmup");
        PersistentStorage<String> store = PersistentStorage.open(
                AsyncKillNineTest.config(Path.of(args[0]), Boolean.parseBoolean(args[3])));
        AsyncWorkload workload = new AsyncWorkload(Long.parseLong(args[2]), "life" + args[1]);
        AtomicLong durable = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                while (!warmup || workload.made() < WARMUP_WRITES) {
                    if (workload.made() - durable.get() >= MAX_IN_FLIGHT) {
                        LockSupport.parkNanos(50_000);
                    } else {
                        workload.next(store);
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "writer");
        out.println("OPEN");
        out.flush();
        writer.start();
        long deadline = System.nanoTime() + KillNineChild.MAX_LIFE_MILLIS * 1_000_000L;
        while (writer.isAlive() && System.nanoTime() < deadline) {
            long synced = store.sync();
            if (synced > durable.get()) {
                durable.set(synced);
                out.println("ACK " + synced);
                out.flush();
            } else {
                LockSupport.parkNanos(100_000);
            }
        }
        if (failure.get() != null || writer.isAlive()) {
            throw new IllegalStateException("the writer failed or was not killed in time", failure.get());
        }
        writer.join();
        store.close();
        System.exit(0); // Chronicle leaves non-daemon threads behind; a class-data archive needs a normal exit
    }
}
