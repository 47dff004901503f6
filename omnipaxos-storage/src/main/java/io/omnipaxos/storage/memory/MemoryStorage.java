package io.omnipaxos.storage.memory;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.StorageOp;
import io.omnipaxos.storage.support.LogBounds;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Storage} that keeps everything on the heap.
 *
 * <p><b>Durability:</b> for the lifetime of this object only. A test that keeps the object across
 * a simulated crash (drops the {@code OmniPaxos} instance, builds a new one on the same storage)
 * models a disk that survived the crash; dropping the object models losing the disk.
 *
 * <p><b>Speed and memory:</b> entries live in one growable array; {@link #appendEntries} is one
 * array store per entry. {@link #trim} releases the trimmed entries and shrinks the array when it
 * is mostly empty, so memory is bounded by what is retained. {@link #setCompactedIdx} only
 * records the index: the entries below it become unreadable but are released by the next
 * {@link #trim}.
 *
 * <p><b>Snapshot and stop-sign:</b> kept as the objects given (not copied). {@link #setSnapshot}
 * releases the entries it replaces as {@link #trim} does; beyond the log end the log becomes empty
 * with the new length. A {@link #trim} past the compacted index drops the snapshot, which no
 * longer covers the prefix; {@link #setCompactedIdx} keeps it. The stop-sign is independent of the
 * entries.
 *
 * <p><b>Validation:</b> every argument is checked before anything changes; an invalid one throws
 * {@link IllegalArgumentException} naming the value and leaves the storage as it was, also inside
 * {@link #writeAtomically}.
 *
 * <p><b>Not thread-safe:</b> as the SPI says, one thread at a time.
 *
 * @param <T> the user's entry type
 */
public final class MemoryStorage<T> implements Storage<T> {

    private final EntryArray log = new EntryArray();
    private Ballot promise = Ballot.NONE;
    private Ballot acceptedRound = Ballot.NONE;
    private long decidedIdx;
    private long compactedIdx;
    /** The state of the prefix below {@code compactedIdx}, or null. */
    private T snapshot;
    /** The stop-sign at slot {@code log.endIdx()}, or null. */
    private StopSign stopSign;
    private boolean closed;

    /** Creates an empty storage. */
    public MemoryStorage() {
    }

    @Override
    public void writeAtomically(List<StorageOp<T>> ops) {
        ensureOpen();
        LogBounds.checkBatch(ops, compactedIdx, log.endIdx());
        for (StorageOp<T> op : ops) {
            op.applyTo(this);
        }
    }

    @Override
    public void appendEntry(T entry) {
        ensureOpen();
        LogBounds.requireEntry(entry, log.endIdx());
        log.add(entry);
    }

    @Override
    public void appendEntries(List<T> entries) {
        ensureOpen();
        if (entries == null) {
            throw new IllegalArgumentException("entries must not be null");
        }
        log.addAll(entries);
    }

    @Override
    public void appendOnPrefix(long fromIdx, List<T> entries) {
        ensureOpen();
        bounds().requireInLog("appendOnPrefix fromIdx", fromIdx);
        LogBounds.requireEntries(entries);
        // entries below compactedIdx may still be held (setCompactedIdx), so truncate can't underflow.
        log.truncate(fromIdx);
        log.addAll(entries);
    }

    @Override
    public List<T> getEntries(long from, long to) {
        ensureOpen();
        bounds().requireReadable(from, to);
        return log.copy(from, to);
    }

    @Override
    public long getLogLength() {
        ensureOpen();
        return log.endIdx();
    }

    @Override
    public void setPromise(Ballot promise) {
        ensureOpen();
        this.promise = LogBounds.requireBallot("promise", promise);
    }

    @Override
    public Ballot getPromise() {
        ensureOpen();
        return promise;
    }

    @Override
    public void setAcceptedRound(Ballot acceptedRound) {
        ensureOpen();
        this.acceptedRound = LogBounds.requireBallot("acceptedRound", acceptedRound);
    }

    @Override
    public Ballot getAcceptedRound() {
        ensureOpen();
        return acceptedRound;
    }

    @Override
    public void setDecidedIdx(long decidedIdx) {
        ensureOpen();
        LogBounds.requireNonNegative("decidedIdx", decidedIdx);
        this.decidedIdx = decidedIdx;
    }

    @Override
    public long getDecidedIdx() {
        ensureOpen();
        return decidedIdx;
    }

    @Override
    public void trim(long idx) {
        ensureOpen();
        bounds().requireInLog("trim idx", idx);
        if (idx > compactedIdx) {
            snapshot = null; // it covers [0, compactedIdx) only, not the entries trimmed now
        }
        log.dropPrefix(idx);
        compactedIdx = idx;
    }

    @Override
    public void setSnapshot(long idx, T newSnapshot) {
        ensureOpen();
        bounds().requireSnapshot(idx, newSnapshot);
        log.dropPrefix(idx); // beyond the log end: empty, and the next entry goes to idx
        compactedIdx = idx;
        snapshot = newSnapshot;
    }

    @Override
    public Optional<T> getSnapshot() {
        ensureOpen();
        return Optional.ofNullable(snapshot);
    }

    @Override
    public void setStopSign(StopSign newStopSign) {
        ensureOpen();
        stopSign = newStopSign;
    }

    @Override
    public Optional<StopSign> getStopSign() {
        ensureOpen();
        return Optional.ofNullable(stopSign);
    }

    @Override
    public void setCompactedIdx(long idx) {
        ensureOpen();
        bounds().requireInLog("compacted idx", idx);
        compactedIdx = idx;
    }

    @Override
    public long getCompactedIdx() {
        ensureOpen();
        return compactedIdx;
    }

    /** Marks the storage closed; later calls throw {@link StorageException}. */
    @Override
    public void close() {
        closed = true;
    }

    /** The length of the backing array, for tests that check trimmed entries are released. */
    int capacityForTests() {
        return log.capacity();
    }

    private LogBounds bounds() {
        return new LogBounds(compactedIdx, log.endIdx());
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException("MemoryStorage is closed");
        }
    }

    @Override
    public String toString() {
        return "MemoryStorage[log=[" + compactedIdx + ", " + log.endIdx() + "), decided=" + decidedIdx
                + ", promise=" + promise + ", accepted=" + acceptedRound + ", snapshot=" + (snapshot != null)
                + ", stopSign=" + stopSign + "]";
    }
}
