package io.omnipaxos.storage.persistent;

import io.omnipaxos.codec.EntryCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how a {@link PersistentStorage} keeps its data. Immutable; each setter returns a
 * changed copy:
 *
 * <pre>{@code
 * PersistentStorageConfig<KeyValue> conf = PersistentStorageConfig.at(Path.of("/var/lib/node2"))
 *         .codec(myKeyValueCodec);
 * Storage<KeyValue> storage = PersistentStorage.open(conf);
 * }</pre>
 *
 * <p>The asynchronous mode is opted into with {@code .syncPolicy(SyncPolicy.ASYNCHRONOUS)}.
 *
 * @param <T> the user's entry type (fixed by {@link #codec})
 */
public final class PersistentStorageConfig<T> {

    /** Default for {@link #checkpointEvery}: bounds the log tail replayed on open. */
    public static final int DEFAULT_CHECKPOINT_EVERY = 65_536;

    /** Default for {@link #decidedIdxFlushInterval}. */
    public static final Duration DEFAULT_DECIDED_FLUSH = Duration.ofMillis(100);

    private final Path dir;
    private final EntryCodec<T> codec;
    private final SyncPolicy syncPolicy;
    private final int checkpointEvery;
    private final Duration decidedIdxFlushInterval;
    private final boolean verifyWholeLogOnOpen;

    private PersistentStorageConfig(Path dir, EntryCodec<T> codec, SyncPolicy syncPolicy, int checkpointEvery,
            Duration decidedIdxFlushInterval, boolean verifyWholeLogOnOpen) {
        this.dir = dir;
        this.codec = codec;
        this.syncPolicy = syncPolicy;
        this.checkpointEvery = checkpointEvery;
        this.decidedIdxFlushInterval = decidedIdxFlushInterval;
        this.verifyWholeLogOnOpen = verifyWholeLogOnOpen;
    }

    /** Starts a configuration for the folder {@code dir} (created on open if missing); set a codec next. */
    public static PersistentStorageConfig<Object> at(Path dir) {
        if (dir == null) {
            throw new IllegalArgumentException("dir must not be null");
        }
        return new PersistentStorageConfig<>(dir, null, SyncPolicy.SYNC_EVERY_WRITE, DEFAULT_CHECKPOINT_EVERY,
                DEFAULT_DECIDED_FLUSH, false);
    }

    /** Sets the codec that turns entries into bytes; required. */
    public <U> PersistentStorageConfig<U> codec(EntryCodec<U> entryCodec) {
        if (entryCodec == null) {
            throw new IllegalArgumentException("codec must not be null");
        }
        return new PersistentStorageConfig<>(dir, entryCodec, syncPolicy, checkpointEvery, decidedIdxFlushInterval,
                verifyWholeLogOnOpen);
    }

    /**
     * Sets the sync policy; the default, {@link SyncPolicy#SYNC_EVERY_WRITE}, is the safe synchronous
     * one. {@link SyncPolicy#ASYNCHRONOUS} is as safe, but writes become durable only through {@link
     * PersistentStorage#sync()}, which the application calls (typically on a thread of its own) and
     * whose count it reports to the server with {@code OmniPaxos.persisted}.
     */
    public PersistentStorageConfig<T> syncPolicy(SyncPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("syncPolicy must not be null");
        }
        return new PersistentStorageConfig<>(dir, codec, policy, checkpointEvery, decidedIdxFlushInterval,
                verifyWholeLogOnOpen);
    }

    /**
     * Plain appends are made durable by the log alone, without a MapDB commit; after this many such
     * records one commit records them, so that opening replays at most this many records.
     */
    public PersistentStorageConfig<T> checkpointEvery(int records) {
        if (records < 1) {
            throw new IllegalArgumentException("checkpointEvery must be >= 1, got " + records);
        }
        return new PersistentStorageConfig<>(dir, codec, syncPolicy, records, decidedIdxFlushInterval,
                verifyWholeLogOnOpen);
    }

    /**
     * How long a {@code setDecidedIdx} may stay only in memory before a commit records it (the
     * decided index may lag on disk: a recovering server learns it again from the leader).
     * {@link Duration#ZERO} commits every change.
     */
    public PersistentStorageConfig<T> decidedIdxFlushInterval(Duration interval) {
        if (interval == null || interval.isNegative()) {
            throw new IllegalArgumentException("decidedIdxFlushInterval must be >= 0, got " + interval);
        }
        return new PersistentStorageConfig<>(dir, codec, syncPolicy, checkpointEvery, interval, verifyWholeLogOnOpen);
    }

    /**
     * If true, opening reads every retained record and checks its checksum (time proportional to the
     * log). By default opening checks only the tail and the last entry; other records are checked
     * whenever they are read, and a bad one throws then.
     */
    public PersistentStorageConfig<T> verifyWholeLogOnOpen(boolean verify) {
        return new PersistentStorageConfig<>(dir, codec, syncPolicy, checkpointEvery, decidedIdxFlushInterval, verify);
    }

    /** The storage folder. */
    public Path dir() {
        return dir;
    }

    /** The entry codec, or null if not set yet. */
    public EntryCodec<T> codec() {
        return codec;
    }

    /** The sync policy. */
    public SyncPolicy syncPolicy() {
        return syncPolicy;
    }

    /** Plain-append records between checkpoint commits. */
    public int checkpointEvery() {
        return checkpointEvery;
    }

    /** How long a decided index may lag on disk. */
    public Duration decidedIdxFlushInterval() {
        return decidedIdxFlushInterval;
    }

    /** Whether opening verifies every record. */
    public boolean verifyWholeLogOnOpen() {
        return verifyWholeLogOnOpen;
    }

    @Override
    public String toString() {
        return "PersistentStorageConfig[dir=" + dir + ", codec=" + Objects.toString(codec) + ", sync=" + syncPolicy
                + ", checkpointEvery=" + checkpointEvery + ", decidedFlush=" + decidedIdxFlushInterval
                + ", verifyWholeLogOnOpen=" + verifyWholeLogOnOpen + "]";
    }
}
