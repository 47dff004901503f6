package io.omnipaxos.storage.persistent;

import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.storage.StorageException;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only record file: a Chronicle queue of {@link LogRecord}s. It knows nothing about the
 * logical log; {@link PersistentStorage} maps logical indices to the queue indices returned here.
 *
 * <p><b>Roll cycle.</b> {@link RollCycles#FIVE_MINUTELY}: one file per five minutes (UTC), up to
 * 2^30 records each (3.5 million records/s, eight times the fastest durable rate measured) and an
 * index entry every 256 records, so {@code moveToIndex} scans at most 256 records. Short cycles
 * let compaction free the disk soon: a file is deleted as soon as every record in it lies below
 * the compacted index, so a store compacted regularly holds its retained records plus at most
 * five minutes of log. Stores created by earlier versions keep their own cycle ({@link
 * LargeRollCycles#LARGE_DAILY}: one file per day), which Chronicle reads from the queue's
 * metadata. Chronicle indices jump at a roll, so callers never assume two records are adjacent
 * unless they were appended back to back in the same cycle.
 *
 * <p><b>Deleting old files.</b> {@link #deleteFilesBefore} deletes the cycle files that lie wholly
 * below a queue index the caller no longer needs, oldest first, then refreshes Chronicle's cached
 * directory listing and moves the reader off any deleted cycle so Chronicle releases its mapping
 * (on Linux the space is freed once the last mapping goes). The appender's cycle is never among
 * them: the caller keeps the file of the last record written. The smallest unit that can be freed
 * is a whole cycle file, so a store holds at most the retained records plus the older part of
 * their oldest cycle.
 *
 * <p><b>Sync.</b> Chronicle's own {@code sync()} uses {@code MS_ASYNC} by default (it schedules the
 * write-back and returns), so {@link #sync} forces the cycle files written since the last sync
 * with {@code fsync}, which also writes back pages dirtied through the memory map. When a record
 * went into a cycle file created since the last sync, it also forces the folder, so the new file's
 * name survives a machine crash ({@link FolderSync}); opening forces the folder once too. A sync
 * is two halves, so that another thread can do the slow one: {@link #takeUnsynced} notes what to
 * force (with the writer, under the store's lock) and {@link Unsynced#force} forces it (on any
 * thread, while the writer goes on appending).
 *
 * <p><b>Reading.</b> {@link #open} first checks the end of the newest file ({@link TailCheck}), so
 * no damaged length there reaches Chronicle; {@link #next} refuses any record longer than {@link
 * #MAX_RECORD_BYTES} before allocating it, and reports every failure to read with the file.
 */
final class QueueLog implements AutoCloseable {

    static final RollCycle ROLL_CYCLE = RollCycles.FIVE_MINUTELY;

    /**
     * The largest record, in bytes (kind, logical index, entry and checksum), that the queue holds,
     * so the largest length a reader ever accepts from the disk. It is Chronicle's own limit: a
     * document is at most the queue's overlap size (a quarter of its block size, 64 MiB by
     * default), and Chronicle's appender refuses longer ones; {@link #open} checks the queue agrees.
     */
    static final int MAX_RECORD_BYTES = 16 << 20;
    private static final String SUFFIX = SingleChronicleQueue.SUFFIX;
    private static final Logger LOG = LoggerFactory.getLogger(PersistentStorage.class);

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final ExcerptTailer tailer;
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[256];
    /** The cycle file of the last record appended (null: none yet). */
    private File lastWrittenFile;
    /** Whether a record went into {@link #lastWrittenFile} since the last sync took it. */
    private boolean lastWrittenUnsynced;
    /** Files left by a roll since the last sync: their last records, and Chronicle's end-of-file marker. */
    private final List<File> rolledUnsynced = new ArrayList<>();
    /** Turns cycle file names into cycle numbers, as the queue names them. */
    private final RollingResourcesCache cycleNames;
    /** No cycle file older than this exists (Integer.MAX_VALUE while there is none). */
    private int oldestCycle;
    /** No cycle file newer than this exists (Integer.MIN_VALUE while there is none). */
    private int newestCycle;
    /** A cycle file was created since the folder was last synced: the next {@link #sync} syncs it. */
    private boolean folderUnsynced;
    /** The byte offset, in {@link #readerFileOrDir()}, of the record {@link #next} returned last (-1: none). */
    private long lastReadAt = -1;

    private QueueLog(Path dir, SingleChronicleQueue queue) {
        this.dir = dir;
        this.queue = queue;
        this.appender = queue.createAppender();
        this.tailer = queue.createTailer();
        // The SPI allows use from one thread at a time, not always the same thread.
        appender.singleThreadedCheckDisabled(true);
        tailer.singleThreadedCheckDisabled(true);
        // After the appender: an existing queue's own roll cycle may replace the one we asked for.
        this.cycleNames = new RollingResourcesCache(queue.rollCycle(), queue.epoch(),
                name -> dir.resolve(name + SUFFIX).toFile(), QueueLog::cycleName);
        List<CycleFile> files = cycleFiles();
        this.oldestCycle = files.isEmpty() ? Integer.MAX_VALUE : files.get(0).cycle();
        this.newestCycle = files.isEmpty() ? Integer.MIN_VALUE : files.get(files.size() - 1).cycle();
    }

    /**
     * Opens (or creates) the queue in {@code dir}, checking the end of its newest file and
     * repairing what a crash left incomplete there ({@link TailCheck}) before anything reads it.
     *
     * @param clock picks the roll cycle of new records ({@code null}: the system clock); tests pass
     *     a settable clock to make several cycle files quickly
     * @param coveredQueueIdx the last queue index the committed state covers (-1: none): the check
     *     starts a little before it
     * @throws StorageException naming the file (and byte offset) if the queue cannot be opened or
     *     its newest file is damaged
     */
    static QueueLog open(Path dir, TimeProvider clock, long coveredQueueIdx) {
        SingleChronicleQueue q;
        boolean creating = !Files.isDirectory(dir);
        try {
            IncompleteTailRepair.discardHalfCreatedFiles(dir);
            SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(dir).rollCycle(ROLL_CYCLE);
            if (clock != null) {
                builder.timeProvider(clock);
            }
            q = builder.build();
        } catch (RuntimeException e) {
            throw new StorageException("cannot open log queue " + dir + ": " + e, e);
        }
        try {
            if (q.overlapSize() < MAX_RECORD_BYTES) {
                throw new StorageException("log queue " + dir + " holds documents of at most " + q.overlapSize()
                        + " bytes, fewer than MAX_RECORD_BYTES " + MAX_RECORD_BYTES);
            }
            TailCheck.run(q, coveredQueueIdx);
            if (creating) {
                FolderSync.force(dir.getParent()); // the queue folder's own entry
            }
            FolderSync.force(dir); // what the queue just created, or a crash left unsynced
            return new QueueLog(dir, q);
        } catch (RuntimeException e) {
            q.close();
            throw e instanceof StorageException se ? se : new StorageException("cannot open log queue " + dir + ": " + e, e);
        }
    }

    /** The folder of the queue. */
    Path dir() {
        return dir;
    }

    /**
     * Appends one record and returns its queue index; {@code size} is {@code codec.encodedSize(entry)}.
     *
     * @throws StorageException if the encoded entry does not fit in {@link #MAX_RECORD_BYTES}
     */
    <T> long append(byte kind, long logicalIdx, EntryCodec<T> codec, T entry, int size) {
        if (size < 0 || size > MAX_RECORD_BYTES - LogRecord.HEADER - LogRecord.TRAILER) {
            throw new StorageException("the entry for log index " + logicalIdx + " encodes to " + size
                    + " bytes; a log record holds at most " + (MAX_RECORD_BYTES - LogRecord.HEADER - LogRecord.TRAILER));
        }
        int length = LogRecord.HEADER + size + LogRecord.TRAILER;
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        ByteBuffer buf = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(kind).putLong(logicalIdx);
        ByteBuffer out = buf.slice().limit(size);
        codec.encode(entry, out);
        if (out.position() != size) {
            throw new StorageException("codec " + codec + " wrote " + out.position() + " bytes for log index "
                    + logicalIdx + " but encodedSize said " + size);
        }
        crc.reset();
        crc.update(scratch, 0, LogRecord.HEADER + size);
        buf.position(LogRecord.HEADER + size);
        buf.putInt((int) crc.getValue());
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(scratch, 0, length);
        }
        noteWritten(appender.currentFile());
        long q = appender.lastIndexAppended();
        int cycle = queue.rollCycle().toCycle(q);
        oldestCycle = Math.min(oldestCycle, cycle);
        if (cycle > newestCycle) { // Chronicle created a cycle file for this record
            newestCycle = cycle;
            folderUnsynced = true;
        }
        return q;
    }

    private void noteWritten(File file) {
        if (!file.equals(lastWrittenFile)) {
            if (lastWrittenFile != null) {
                rolledUnsynced.add(lastWrittenFile); // a roll, maybe in the middle of a batch: sync both files
            }
            lastWrittenFile = file;
        }
        lastWrittenUnsynced = true;
    }

    /** Forces every record appended so far to the disk, and the folder entry of a new cycle file. */
    void sync() {
        takeUnsynced().force();
    }

    /**
     * What a sync must force to make every record appended so far durable; forgets it, so the next
     * call returns only what is appended after this one. Cheap: no I/O. Call it on the writer's
     * side of the store's lock, then {@link Unsynced#force} outside it (another thread may append
     * meanwhile: the force covers at least everything appended before this call).
     */
    Unsynced takeUnsynced() {
        List<File> files = new ArrayList<>(rolledUnsynced);
        if (lastWrittenUnsynced) {
            files.add(lastWrittenFile);
        }
        Unsynced unsynced = new Unsynced(files, folderUnsynced ? dir : null);
        rolledUnsynced.clear();
        lastWrittenUnsynced = false;
        folderUnsynced = false;
        return unsynced;
    }

    /**
     * Cycle files written since the previous sync and, if a cycle file was created, the folder that
     * names it (else null). Forcing touches only the files, never the queue's objects, so it is safe
     * while the writer appends: every page written before {@link #takeUnsynced} is forced.
     */
    record Unsynced(List<File> files, Path folder) {

        /** Whether there is nothing to force. */
        boolean isEmpty() {
            return files.isEmpty() && folder == null;
        }

        /** Forces the files (fsync), then the folder. */
        void force() {
            for (File file : files) {
                QueueLog.force(file);
            }
            if (folder != null) {
                FolderSync.force(folder);
            }
        }
    }

    private static void force(File file) {
        try (FileChannel ch = FileChannel.open(file.toPath(), StandardOpenOption.WRITE)) {
            ch.force(false);
        } catch (IOException e) {
            throw new StorageException("cannot sync log file " + file + ": " + e, e);
        }
    }

    /** The index of the last record in the queue, or -1 if it has none. */
    long lastIndex() {
        long last = queue.lastIndex();
        return last < 0 ? -1 : last;
    }

    /**
     * Positions the reader so that {@link #next} returns the record at {@code queueIndex}; returns
     * false if there is no such record.
     *
     * @throws StorageException naming the file if Chronicle cannot get there (a damaged file)
     */
    boolean seek(long queueIndex) {
        try {
            return tailer.moveToIndex(queueIndex);
        } catch (RuntimeException e) {
            throw new StorageException("log file " + fileOf(queueIndex) + ": cannot find queue index 0x"
                    + Long.toHexString(queueIndex) + " (damaged file?): " + e, e);
        }
    }

    /** Positions the reader at the first record. */
    void seekStart() {
        tailer.toStart();
    }

    /**
     * Reads the next record, or returns null at the end of the queue. A record longer than {@link
     * #MAX_RECORD_BYTES} is refused before anything is allocated for it ({@link TailCheck} keeps
     * such lengths out of the newest file; this guards every other read).
     *
     * @throws StorageException naming the file and the byte offset of a record that cannot be read
     */
    LogRecord next() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            Bytes<?> bytes = dc.wire().bytes();
            long length = bytes.readRemaining();
            lastReadAt = bytes.readPosition() - 4; // the body follows a 4-byte header
            if (length > MAX_RECORD_BYTES) {
                throw new StorageException("log file " + readerFileOrDir() + ": the record at byte "
                        + lastReadAt + " (queue index 0x" + Long.toHexString(dc.index()) + ") claims "
                        + length + " bytes, more than any record (" + MAX_RECORD_BYTES + "); the file is damaged");
            }
            byte[] raw = new byte[(int) length];
            bytes.read(raw);
            return LogRecord.parse(dc.index(), raw);
        } catch (StorageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StorageException("log file " + readerFileOrDir() + ": cannot read the record after queue index 0x"
                    + Long.toHexString(tailer.lastReadIndex()) + ": " + e, e);
        }
    }

    /** Where the record {@link #next} returned last is, for error messages: its file and byte offset. */
    String lastReadPlace() {
        return "log file " + readerFileOrDir() + ", byte " + lastReadAt;
    }

    /** The cycle file that holds (or would hold) {@code queueIndex}, for error messages. */
    String fileOf(long queueIndex) {
        return cycleNames.resourceFor(queue.rollCycle().toCycle(queueIndex)).path.toString();
    }

    /** The file the reader is in, for error messages. */
    String readerFileOrDir() {
        File f = tailer.currentFile();
        return f == null ? dir.toString() : f.toString();
    }

    /**
     * Deletes every cycle file whose cycle lies wholly below the cycle of {@code keepQueueIdx}, a
     * record that must exist; returns the deleted files. The caller guarantees that no record below
     * {@code keepQueueIdx} is needed any more, now or after a crash.
     */
    List<Path> deleteFilesBefore(long keepQueueIdx) {
        List<Path> files = releaseFilesBefore(keepQueueIdx);
        if (!files.isEmpty()) {
            deleteReleased(dir, files);
            refreshListing();
        }
        return files;
    }

    /**
     * The first half of {@link #deleteFilesBefore}, for the writer: finds the cycle files wholly
     * below the cycle of {@code keepQueueIdx} and lets go of them (the reader moves to {@code
     * keepQueueIdx}, so Chronicle releases a deleted cycle it may still map), without deleting
     * them: unlinking a file of gigabytes whose pages are cached takes the kernel hundreds of ms,
     * which {@link #deleteReleased} may spend on another thread. Then {@link #refreshListing}.
     */
    List<Path> releaseFilesBefore(long keepQueueIdx) {
        int keepCycle = queue.rollCycle().toCycle(keepQueueIdx);
        if (keepCycle <= oldestCycle) {
            return List.of(); // the common case, decided without touching the file system
        }
        List<Path> released = new ArrayList<>();
        for (CycleFile f : cycleFiles()) {
            if (f.cycle() < keepCycle) {
                released.add(f.path());
            }
        }
        oldestCycle = keepCycle;
        if (!released.isEmpty()) {
            tailer.moveToIndex(keepQueueIdx);
        }
        return released;
    }

    /** Deletes {@code files} of the queue in {@code dir}, released by {@link #releaseFilesBefore}. Any thread. */
    static void deleteReleased(Path dir, List<Path> files) {
        for (Path file : files) {
            delete(file);
        }
        LOG.info("log {}: deleted {} file(s) that only held records no state needs any more: {}", dir,
                files.size(), files);
    }

    /** Makes Chronicle list the queue's files anew, after {@link #deleteReleased}. */
    void refreshListing() {
        queue.refreshDirectoryListing();
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (NoSuchFileException e) {
            // already gone: a deletion interrupted by a crash, finished by someone else
        } catch (IOException e) {
            throw new StorageException("cannot delete the unreferenced log file " + file + ": " + e, e);
        }
    }

    /** A cycle file of this queue and its cycle number. */
    private record CycleFile(Path path, int cycle) {
    }

    /** The queue's cycle files, oldest first; a {@code .cq4} file whose name is not a cycle is left out. */
    private List<CycleFile> cycleFiles() {
        List<CycleFile> out = new ArrayList<>();
        for (File f : dataFiles(dir)) {
            try {
                out.add(new CycleFile(f.toPath(), cycleNames.parseCount(cycleName(f))));
            } catch (RuntimeException e) {
                LOG.warn("log {}: {} is not named like a cycle file of this queue; leaving it alone", dir, f);
            }
        }
        out.sort(Comparator.comparingInt(CycleFile::cycle));
        return out;
    }

    private static String cycleName(File file) {
        String name = file.getName();
        return name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
    }

    /** Whether the folder holds any queue data file. */
    static boolean hasDataFiles(Path dir) {
        return dataFiles(dir).length > 0;
    }

    /** The queue's cycle ({@code .cq4}) files in {@code dir}, in no order; none if it does not exist. */
    static File[] dataFiles(Path dir) {
        File[] files = dir.toFile().listFiles((d, name) -> name.endsWith(SUFFIX));
        return files == null ? new File[0] : files;
    }

    @Override
    public void close() {
        queue.close();
    }
}
