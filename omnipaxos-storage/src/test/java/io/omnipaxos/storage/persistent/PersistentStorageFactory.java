package io.omnipaxos.storage.persistent;

import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.sim.StorageFactory;
import io.omnipaxos.storage.Storage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link StorageFactory} for the simulator that gives each server a {@link PersistentStorage} in
 * its own subfolder ({@code base/<pid>}). {@link #reopen} models a crash: the old instance is closed
 * with {@link PersistentStorage#crashForTests()} (nothing pending is committed, as after kill -9)
 * and the same folder is opened again, which replays the log tail.
 *
 * <p>The settings never depend on the wall clock, so a seed replays exactly: the decided index is
 * either committed on every change ({@link Duration#ZERO}) or never on its own (it rides along with
 * other commits), the two extremes of the lag the SPI allows.
 */
public final class PersistentStorageFactory implements StorageFactory, AutoCloseable {

    /** Long enough that a test never reaches it: the decided index is only carried by other commits. */
    private static final Duration NEVER = Duration.ofDays(365);

    private final Path base;
    private final PersistentStorageConfig<String> template;
    private final Map<Long, PersistentStorage<String>> open = new TreeMap<>();
    private int reopenCount;

    private PersistentStorageFactory(Path base, PersistentStorageConfig<String> template) {
        this.base = base;
        this.template = template;
    }

    /**
     * Stores under {@code base}; {@code decidedLags} picks the decided-index policy described above,
     * {@code checkpointEvery} how many plain appends go between checkpoint commits.
     */
    public static PersistentStorageFactory at(Path base, boolean decidedLags, int checkpointEvery) {
        return at(base, decidedLags, checkpointEvery, SyncPolicy.SYNC_EVERY_WRITE);
    }

    /**
     * As {@link #at(Path, boolean, int)} with a sync policy. {@link SyncPolicy#OS_PAGE_CACHE} is
     * enough for what the simulator models (a process crash between two steps: the page cache
     * survives) and saves the fsyncs, which dominate its run time on a real disk.
     */
    public static PersistentStorageFactory at(Path base, boolean decidedLags, int checkpointEvery, SyncPolicy sync) {
        PersistentStorageConfig<String> template = PersistentStorageConfig.at(base).codec(StringCodec.INSTANCE)
                .decidedIdxFlushInterval(decidedLags ? NEVER : Duration.ZERO).checkpointEvery(checkpointEvery)
                .syncPolicy(sync);
        return new PersistentStorageFactory(base, template);
    }

    @Override
    public Storage<String> create(long pid) {
        if (open.containsKey(pid)) {
            throw new IllegalStateException("storage of server " + pid + " is already open");
        }
        return openFor(pid);
    }

    @Override
    public Storage<String> reopen(long pid, Storage<String> crashed) {
        PersistentStorage<String> current = open.remove(pid);
        if (current != crashed) {
            throw new IllegalStateException("server " + pid + " crashed with " + crashed + " but its open storage is "
                    + current);
        }
        current.crashForTests();
        reopenCount++;
        return openFor(pid);
    }

    /** How many crashes were modelled by reopening a folder. */
    public int reopenCount() {
        return reopenCount;
    }

    private PersistentStorage<String> openFor(long pid) {
        PersistentStorage<String> storage = PersistentStorage.open(config(pid));
        open.put(pid, storage);
        return storage;
    }

    private PersistentStorageConfig<String> config(long pid) {
        return PersistentStorageConfig.at(base.resolve(Long.toString(pid))).codec(template.codec())
                .decidedIdxFlushInterval(template.decidedIdxFlushInterval())
                .checkpointEvery(template.checkpointEvery()).syncPolicy(template.syncPolicy());
    }

    /** Closes every storage still open (the end of a test, not a crash). */
    @Override
    public void close() {
        RuntimeException first = null;
        for (PersistentStorage<String> storage : open.values()) {
            try {
                storage.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
