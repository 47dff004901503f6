package io.omnipaxos.storage.persistent;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.storage.StorageOp;
import java.util.List;

/**
 * What a {@link PersistentStorage} holds now, the state its getters return: the small state (promise,
 * accepted round, decided and compacted index, snapshot, stop-sign) and the {@link LogicalLog}. Its
 * changes write log records but never commit: {@link PersistentStorage} decides when {@link
 * #toDurable()} is committed. Validation happens before anything here is called.
 *
 * <p>Changed by the writer under the store's lock; a sync thread reads it (through {@link
 * #toDurable()} and {@link #oldestNeededQueueIdx()}) only under that lock.
 *
 * @param <T> the user's entry type
 */
final class StoreState<T> {

    private final LogicalLog<T> log;
    private Ballot promise;
    private Ballot acceptedRound;
    private long decidedIdx;
    private long compactedIdx;
    /** The entry codec's bytes of the snapshot of {@code [0, compactedIdx)}, or null; never changed in place. */
    private byte[] snapshotBytes;
    /** The stop-sign at the slot after the log's last entry, or null. */
    private StopSign stopSign;

    /** The state {@code committed} describes, on the log recovered from it. */
    StoreState(DurableState committed, LogicalLog<T> log) {
        this.log = log;
        this.promise = committed.promise();
        this.acceptedRound = committed.acceptedRound();
        this.decidedIdx = committed.decidedIdx();
        this.compactedIdx = committed.compactedIdx();
        this.snapshotBytes = committed.snapshot();
        this.stopSign = committed.stopSign();
    }

    LogicalLog<T> log() {
        return log;
    }

    Ballot promise() {
        return promise;
    }

    Ballot acceptedRound() {
        return acceptedRound;
    }

    long decidedIdx() {
        return decidedIdx;
    }

    long compactedIdx() {
        return compactedIdx;
    }

    /** The encoded snapshot, or null. */
    byte[] snapshotBytes() {
        return snapshotBytes;
    }

    StopSign stopSign() {
        return stopSign;
    }

    void setPromise(Ballot ballot) {
        promise = ballot;
    }

    void setAcceptedRound(Ballot ballot) {
        acceptedRound = ballot;
    }

    void setDecidedIdx(long idx) {
        decidedIdx = idx;
    }

    void setStopSign(StopSign newStopSign) {
        stopSign = newStopSign;
    }

    /**
     * Appends {@code entries} as one write's records: every record of {@code kind} but the last, which
     * is of {@code lastKind} (the asynchronous mode marks the end of a plain write so that a write
     * cut short by a crash is dropped whole).
     */
    void append(List<T> entries, byte kind, byte lastKind) {
        int last = entries.size() - 1;
        for (int i = 0; i <= last; i++) {
            log.append(i == last ? lastKind : kind, entries.get(i));
        }
    }

    /**
     * Applies one validated op, writing batch records for log ops; returns whether it wrote any.
     * {@code snapshot} is the encoded snapshot of a SetSnapshot op.
     */
    boolean apply(StorageOp<T> op, byte[] snapshot) {
        if (op instanceof StorageOp.AppendEntry<T> a) {
            log.append(LogRecord.BATCH, a.entry());
            return true;
        } else if (op instanceof StorageOp.AppendEntries<T> a) {
            a.entries().forEach(e -> log.append(LogRecord.BATCH, e));
            return !a.entries().isEmpty();
        } else if (op instanceof StorageOp.AppendOnPrefix<T> a) {
            log.truncate(a.fromIdx());
            a.entries().forEach(e -> log.append(LogRecord.BATCH, e));
            return !a.entries().isEmpty();
        } else if (op instanceof StorageOp.SetPromise<T> p) {
            promise = p.promise();
        } else if (op instanceof StorageOp.SetAcceptedRound<T> r) {
            acceptedRound = r.acceptedRound();
        } else if (op instanceof StorageOp.SetDecidedIdx<T> d) {
            decidedIdx = d.decidedIdx();
        } else if (op instanceof StorageOp.Trim<T> t) {
            trimTo(t.idx());
        } else if (op instanceof StorageOp.SetCompactedIdx<T> c) {
            compactTo(c.idx());
        } else if (op instanceof StorageOp.SetSnapshot<T> snap) {
            installSnapshot(snap.idx(), snapshot);
        } else if (op instanceof StorageOp.SetStopSign<T> ss) {
            stopSign = ss.stopSign();
        }
        return false;
    }

    void compactTo(long idx) {
        compactedIdx = idx;
        log.dropBelow(idx);
    }

    /** A trim past the compacted index drops the snapshot, which covers only the old prefix. */
    void trimTo(long idx) {
        if (idx > compactedIdx) {
            snapshotBytes = null;
        }
        compactTo(idx);
    }

    /** Replaces the prefix below {@code idx} by {@code encoded}; beyond the log end, the log jumps to idx. */
    void installSnapshot(long idx, byte[] encoded) {
        log.extendTo(idx);
        compactTo(idx);
        snapshotBytes = encoded;
    }

    /** What a commit now records: the whole state, covering every record written so far. */
    DurableState toDurable() {
        return new DurableState(promise, acceptedRound, decidedIdx, compactedIdx, log.length(), log.lastQueueIdx(),
                log.runsBytes(), snapshotBytes, stopSign);
    }

    /** The oldest queue record a commit now would need ({@link LogicalLog#oldestNeededQueueIdx}). */
    long oldestNeededQueueIdx() {
        return log.oldestNeededQueueIdx(compactedIdx);
    }

    /** Throws IllegalArgumentException unless {@code s} is null or within {@link StopSignCodec}'s limits. */
    static void requireEncodable(StopSign s) {
        if (s != null) {
            StopSignCodec.encode(s);
        }
    }

    @Override
    public String toString() {
        return "log=[" + compactedIdx + ", " + log.length() + "), runs=" + log.runCount() + ", snapshot="
                + (snapshotBytes == null ? "none" : snapshotBytes.length + " bytes") + ", stopSign=" + stopSign;
    }
}
