package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the records after the last committed one, on open, and decides what each is (see the
 * recovery rules in {@link PersistentStorage}): a plain record that continues the log is adopted;
 * the first batch record starts an uncommitted batch, which is ignored with everything after it; a
 * record whose checksum fails is a torn write if it is the last record, and corruption otherwise.
 *
 * <p>An intact plain record after the first batch record proves the state file is older than the
 * log: a batch is committed before anything else is written (a failed commit fails the store, a
 * crash is followed by an open that commits past the batch), so a plain record can only follow a
 * batch whose commit happened, and that commit is missing from the state. Opening is refused, as
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
        long length = logLength;
        long last = coveredQueueIdx;
        long adopted = 0;
        long ignored = 0;
        boolean inUncommittedBatch = false;
        LogRecord r;
        while ((r = log.next()) != null) {
            last = r.queueIndex();
            if (inUncommittedBatch) {
                if (r.intact() && r.isPlain()) {
                    throw new StorageException(log.lastReadPlace() + ": a plain record (log index " + r.logicalIdx()
                            + ") follows a batch that state file " + stateFile + " does not cover, so that batch was"
                            + " committed and the state file is older than its log (restored from an older copy?);"
                            + " refusing to open, as the node could hold an older promise than it made");
                }
                ignored++;
            } else if (!r.intact()) {
                rejectUnlessLast(log, r, length);
                LOG.warn("log {}: dropped the torn last record at queue index {}",
                        log.readerFileOrDir(), Long.toHexString(r.queueIndex()));
                ignored++;
            } else if (!r.isPlain()) {
                inUncommittedBatch = true;
                ignored++;
            } else if (r.logicalIdx() != length) {
                throw new StorageException(log.lastReadPlace() + ": record at queue index 0x"
                        + Long.toHexString(r.queueIndex()) + " holds log index " + r.logicalIdx() + " where log index "
                        + length + " was expected; refusing to open");
            } else {
                runs.extend(length++, r.queueIndex());
                adopted++;
            }
        }
        if (ignored > 0) {
            LOG.warn("log {}: ignored {} record(s) of a write that never completed "
                    + "(its call did not return before the crash)", log.dir(), ignored);
        }
        return new Result(length, last, adopted, ignored);
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
