package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the records after the last committed one, on open, and decides what each is (see the
 * recovery rules in {@link PersistentStorage}): a plain record that continues the log is adopted
 * (in the asynchronous mode with the other records of its write, once the record that ends the
 * write is there: a write cut short is dropped whole);
 * the first batch record starts an uncommitted batch, which is ignored with everything after it; a
 * record whose checksum fails is a torn write if it is the last record, and corruption otherwise.
 *
 * <p>An intact plain record after the first batch record proves the state file is older than the
 * log: a plain record is written only once every batch before it is committed (synchronously, a
 * batch is committed before its call returns; asynchronously, appends write batch records until a
 * commit covers every earlier batch; a failed commit fails the store, a crash is followed by an
 * open that commits past the batch), so a plain record can only follow a batch whose commit
 * happened, and that commit is missing from the state. Opening is refused, as
 * the state may hold an older promise than the node made (see also {@link CommitMark}).
 */
final class TailReplay {

    private static final Logger LOG = LoggerFactory.getLogger(PersistentStorage.class);

    /** What the replay found. */
    record Result(long logLength, long lastQueueIdx, long adopted, long ignored) {
    }

    private TailReplay() {
    }

    /**
     * Replays the tail after {@code coveredQueueIdx} onto {@code runs}.
     *
     * @param logLength the committed log length
     * @param coveredQueueIdx the last queue index the committed state covers, -1 for none
     * @param stateFile the state file, named when it proves older than the log
     */
    static Result replay(QueueLog log, RunMap runs, long logLength, long coveredQueueIdx, Object stateFile) {
        positionAfter(log, coveredQueueIdx);
        Replay replay = new Replay(runs, logLength, coveredQueueIdx);
        LogRecord r;
        while ((r = log.next()) != null) {
            replay.last = r.queueIndex();
            if (replay.inUncommittedBatch) {
                if (r.intact() && r.isPlain()) {
                    throw new StorageException(log.lastReadPlace() + ": a plain record (log index " + r.logicalIdx()
                            + ") follows a batch that state file " + stateFile + " does not cover, so that batch was"
                            + " committed and the state file is older than its log (restored from an older copy?);"
                            + " refusing to open, as the node could hold an older promise than it made");
                }
                replay.ignored++;
            } else if (!r.intact()) {
                rejectUnlessLast(log, r, replay.length + replay.open.size());
                LOG.warn("log {}: dropped the torn last record at queue index {}",
                        log.readerFileOrDir(), Long.toHexString(r.queueIndex()));
                replay.ignored++;
            } else if (!r.isPlain()) {
                requireNoOpenWrite(log, replay, r);
                replay.inUncommittedBatch = true;
                replay.ignored++;
            } else {
                replay.plain(log, r);
            }
        }
        replay.ignored += replay.open.size(); // the records of a write that a crash cut short
        if (replay.ignored > 0) {
            LOG.warn("log {}: ignored {} record(s) of a write that never completed "
                    + "(its call did not return before the crash)", log.dir(), replay.ignored);
        }
        return new Result(replay.length, replay.last, replay.adopted, replay.ignored);
    }

    /**
     * The state of one replay. Plain records are adopted a write at a time: the {@link
     * LogRecord#PLAIN_CONTINUED} records of the asynchronous mode wait in {@link #open} until the
     * {@link LogRecord#PLAIN} record that ends their write arrives (a synchronous store writes
     * only PLAIN records, each adopted at once, as a crash in the middle of a plain append may
     * leave any prefix of it).
     */
    private static final class Replay {
        private final RunMap runs;
        /** Queue indices of the records of the write in progress, holding log indices from {@link #length}. */
        private final List<Long> open = new ArrayList<>();
        private long length;
        private long last;
        private long adopted;
        private long ignored;
        private boolean inUncommittedBatch;

        Replay(RunMap runs, long length, long last) {
            this.runs = runs;
            this.length = length;
            this.last = last;
        }

        void plain(QueueLog log, LogRecord r) {
            long expected = length + open.size();
            if (r.logicalIdx() != expected) {
                throw new StorageException(log.lastReadPlace() + ": record at queue index 0x"
                        + Long.toHexString(r.queueIndex()) + " holds log index " + r.logicalIdx() + " where log index "
                        + expected + " was expected; refusing to open");
            }
            open.add(r.queueIndex());
            if (r.endsPlainWrite()) {
                for (long queueIdx : open) {
                    runs.extend(length++, queueIdx);
                }
                adopted += open.size();
                open.clear();
            }
        }
    }

    /** A batch record cannot follow a plain write that has not ended: the writer finishes one write first. */
    private static void requireNoOpenWrite(QueueLog log, Replay replay, LogRecord batch) {
        if (!replay.open.isEmpty()) {
            throw new StorageException(log.lastReadPlace() + ": batch record at queue index 0x"
                    + Long.toHexString(batch.queueIndex()) + " follows an unfinished plain write of log indices ["
                    + replay.length + ", " + (replay.length + replay.open.size()) + "); refusing to open");
        }
    }

    private static void positionAfter(QueueLog log, long coveredQueueIdx) {
        if (coveredQueueIdx < 0) {
            log.seekStart();
            return;
        }
        if (!log.seek(coveredQueueIdx) || log.next() == null) {
            throw new StorageException("log file " + log.fileOf(coveredQueueIdx) + " has no record at queue index 0x"
                    + Long.toHexString(coveredQueueIdx) + ", which the state file says was written; "
                    + "the file is missing or cut short");
        }
    }

    private static void rejectUnlessLast(QueueLog log, LogRecord bad, long expectedIdx) {
        String place = log.lastReadPlace();
        if (log.next() != null) {
            throw new StorageException(place + ": record at queue index 0x"
                    + Long.toHexString(bad.queueIndex()) + " (log index " + expectedIdx + ") is corrupt "
                    + "(checksum mismatch) and is not the last record; refusing to open");
        }
    }
}
