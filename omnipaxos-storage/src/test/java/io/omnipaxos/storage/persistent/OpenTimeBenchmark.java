package io.omnipaxos.storage.persistent;

import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.EntryCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures how long opening a large {@link PersistentStorage} takes, and append throughput.
 *
 * <p>Usage: {@code OpenTimeBenchmark [dir] [entries] [batch]} (defaults:
 * {@code target/open-bench}, 10,000,000, 1,000). If {@code dir} already holds a store of at
 * least {@code entries} entries it is only opened, so running the program twice measures the
 * open in a fresh JVM too. Entries are 16 bytes; the sync policy is the default (safe) one, so
 * every batch of {@code batch} plain appends is fsynced.
 */
public final class OpenTimeBenchmark {

    private OpenTimeBenchmark() {
    }

    /** Runs the measurement; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/open-bench");
        long n = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        PersistentStorageConfig<byte[]> config = PersistentStorageConfig.at(dir).codec(new Fixed16Codec());
        System.out.printf("dir=%s entries=%,d batch=%,d entryBytes=16 sync=%s%n", dir, n, batch, config.syncPolicy());
        if (!Files.exists(dir.resolve(PersistentStorage.STATE_FILE)) || logLength(config) < n) {
            write(config, n, batch);
        }
        for (int i = 1; i <= 3; i++) {
            long t0 = System.nanoTime();
            PersistentStorage<byte[]> s = PersistentStorage.open(config);
            long openNanos = System.nanoTime() - t0;
            long len = s.getLogLength();
            long t1 = System.nanoTime();
            int read = s.getEntries(len - 1_000, len).size();
            long readNanos = System.nanoTime() - t1;
            System.out.printf("open #%d: %,d entries in %.1f ms; read of the last %d entries %.1f ms%n", i, len,
                    openNanos / 1e6, read, readNanos / 1e6);
            s.close();
        }
        printMemory();
    }

    /** Opens once (the first open in this JVM: classes not loaded yet) and reports how long it took. */
    private static long logLength(PersistentStorageConfig<byte[]> config) {
        long t0 = System.nanoTime();
        try (PersistentStorage<byte[]> s = PersistentStorage.open(config)) {
            System.out.printf("first open in this JVM (includes class loading): %,d entries in %.1f ms%n",
                    s.getLogLength(), (System.nanoTime() - t0) / 1e6);
            return s.getLogLength();
        }
    }

    private static void write(PersistentStorageConfig<byte[]> config, long n, int batch) {
        try (PersistentStorage<byte[]> s = PersistentStorage.open(config)) {
            long start = s.getLogLength();
            List<byte[]> entries = new ArrayList<>(batch);
            long t0 = System.nanoTime();
            for (long i = start; i < n; i += batch) {
                entries.clear();
                for (long j = i; j < Math.min(n, i + batch); j++) {
                    entries.add(ByteBuffer.allocate(16).putLong(j).putLong(~j).array());
                }
                s.appendEntries(entries);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("appended %,d entries in %.1f s: %,.0f entries/s (%,.0f fsynced batches/s)%n", n - start,
                    secs, (n - start) / secs, (n - start) / (double) batch / secs);
        }
    }

    private static void printMemory() throws IOException {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.out.printf("heap used after GC: %.1f MiB%n", (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM") || line.startsWith("VmRSS")) {
                System.out.println(line.replaceAll("\\s+", " "));
            }
        }
    }

    /** 16-byte entries. */
    static final class Fixed16Codec implements EntryCodec<byte[]> {
        @Override
        public void encode(byte[] entry, ByteBuffer out) {
            out.put(entry);
        }

        @Override
        public int encodedSize(byte[] entry) {
            return entry.length;
        }

        @Override
        public byte[] decode(ByteBuffer in) {
            if (in.remaining() != 16) {
                throw new DecodeException("expected 16 bytes, got " + in.remaining());
            }
            byte[] b = new byte[16];
            in.get(b);
            return b;
        }
    }
}
