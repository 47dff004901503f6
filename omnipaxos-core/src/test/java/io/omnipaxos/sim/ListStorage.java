package io.omnipaxos.sim;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageOp;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The simplest correct in-memory {@link Storage}, for the core's own tests (the core cannot depend
 * on the storage module, which depends on it). Keeping the object across a simulated crash models
 * a disk.
 */
public final class ListStorage<T> implements Storage<T> {

    private final ArrayList<T> entries = new ArrayList<>();
    private long compactedIdx;
    private Ballot promise = Ballot.NONE;
    private Ballot acceptedRound = Ballot.NONE;
    private long decidedIdx;
    private T snapshot;
    private StopSign stopSign;
    /** With {@link #keepingSnapshotsEncoded}: the codec snapshots are kept in, and the current one's bytes. */
    private EntryCodec<T> snapshotCodec;
    private byte[] snapshotBytes;
    private int snapshotReads;

    /**
     * Keeps each snapshot in {@code codec}'s bytes too and offers them ({@link #getSnapshotBytes}),
     * as a storage that writes snapshots encoded does.
     */
    public ListStorage<T> keepingSnapshotsEncoded(EntryCodec<T> codec) {
        snapshotCodec = codec;
        snapshotBytes = snapshot == null ? null : encode(snapshot);
        return this;
    }

    /** How often {@link #getSnapshot} was called: each call of a real storage decodes the snapshot. */
    public int snapshotReads() {
        return snapshotReads;
    }

    /** A separate storage holding the same state (entries are shared: they are immutable values). */
    public ListStorage<T> copy() {
        ListStorage<T> copy = new ListStorage<>();
        copy.entries.addAll(entries);
        copy.compactedIdx = compactedIdx;
        copy.promise = promise;
        copy.acceptedRound = acceptedRound;
        copy.decidedIdx = decidedIdx;
        copy.snapshot = snapshot;
        copy.stopSign = stopSign;
        copy.snapshotCodec = snapshotCodec;
        copy.snapshotBytes = snapshotBytes;
        return copy;
    }

    @Override
    public void writeAtomically(List<StorageOp<T>> ops) {
        for (StorageOp<T> op : ops) {
            op.applyTo(this);
        }
    }

    @Override
    public void appendEntry(T entry) {
        entries.add(entry);
    }

    @Override
    public void appendEntries(List<T> newEntries) {
        entries.addAll(newEntries);
    }

    @Override
    public void appendOnPrefix(long fromIdx, List<T> newEntries) {
        check(fromIdx >= compactedIdx && fromIdx <= getLogLength(), "appendOnPrefix fromIdx " + fromIdx);
        entries.subList((int) (fromIdx - compactedIdx), entries.size()).clear();
        entries.addAll(newEntries);
    }

    @Override
    public List<T> getEntries(long from, long to) {
        check(from >= compactedIdx && from <= to && to <= getLogLength(), "getEntries(" + from + ", " + to + ")");
        return new ArrayList<>(entries.subList((int) (from - compactedIdx), (int) (to - compactedIdx)));
    }

    @Override
    public long getLogLength() {
        return compactedIdx + entries.size();
    }

    @Override
    public void setPromise(Ballot newPromise) {
        promise = newPromise;
    }

    @Override
    public Ballot getPromise() {
        return promise;
    }

    @Override
    public void setAcceptedRound(Ballot round) {
        acceptedRound = round;
    }

    @Override
    public Ballot getAcceptedRound() {
        return acceptedRound;
    }

    @Override
    public void setDecidedIdx(long idx) {
        decidedIdx = idx;
    }

    @Override
    public long getDecidedIdx() {
        return decidedIdx;
    }

    @Override
    public void trim(long idx) {
        check(idx >= compactedIdx && idx <= getLogLength(), "trim " + idx);
        if (idx > compactedIdx) {
            snapshot = null;
            snapshotBytes = null;
        }
        entries.subList(0, (int) (idx - compactedIdx)).clear();
        compactedIdx = idx;
    }

    @Override
    public void setSnapshot(long idx, T newSnapshot) {
        check(idx >= compactedIdx, "setSnapshot " + idx);
        if (idx >= getLogLength()) {
            entries.clear();
        } else {
            entries.subList(0, (int) (idx - compactedIdx)).clear();
        }
        compactedIdx = idx;
        snapshot = newSnapshot;
        snapshotBytes = snapshotCodec == null ? null : encode(newSnapshot);
    }

    @Override
    public Optional<T> getSnapshot() {
        snapshotReads++;
        return Optional.ofNullable(snapshot);
    }

    @Override
    public Optional<byte[]> getSnapshotBytes(EntryCodec<T> codec) {
        return codec == snapshotCodec ? Optional.ofNullable(snapshotBytes) : Optional.empty();
    }

    private byte[] encode(T value) {
        ByteBuffer out = ByteBuffer.allocate(snapshotCodec.encodedSize(value));
        snapshotCodec.encode(value, out);
        return out.array();
    }

    @Override
    public void setStopSign(StopSign newStopSign) {
        stopSign = newStopSign;
    }

    @Override
    public Optional<StopSign> getStopSign() {
        return Optional.ofNullable(stopSign);
    }

    @Override
    public void setCompactedIdx(long idx) {
        compactedIdx = idx;
    }

    @Override
    public long getCompactedIdx() {
        return compactedIdx;
    }

    @Override
    public void close() {}

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException(what + " out of range");
        }
    }
}
