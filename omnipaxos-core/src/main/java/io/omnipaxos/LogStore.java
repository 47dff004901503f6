package io.omnipaxos;

import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's view of its {@link Storage}: every write goes through to storage first and then to
 * a cache of the small state, so reads of the protocol state never touch storage. If a write
 * throws, the cache is left unchanged and the exception propagates: the server must stop.
 *
 * <p>Indices count log slots: the entries {@code [compactedIdx, entriesEnd)} and, if a stop-sign is
 * stored, one more slot for it, so {@link #logLength()} is {@code entriesEnd + 1} then.
 */
final class LogStore<T> {

    private final Storage<T> storage;
    /** Tracks which writes are durable and what they made durable (see {@link Durability}). */
    private final Durability durability;
    private Ballot promise;
    private Ballot acceptedRound;
    private long decidedIdx;
    private long entriesEnd;
    private long compactedIdx;
    /**
     * Whether a snapshot stands for the compacted prefix (false: it was trimmed, or nothing is
     * compacted); null until first needed, so that opening a store never decodes its snapshot.
     */
    private Boolean snapshotStored;
    private StopSign stopSign;

    LogStore(Storage<T> storage) {
        this.storage = storage;
        this.promise = storage.getPromise();
        this.acceptedRound = storage.getAcceptedRound();
        this.decidedIdx = storage.getDecidedIdx();
        this.entriesEnd = storage.getLogLength();
        this.compactedIdx = storage.getCompactedIdx();
        this.stopSign = storage.getStopSign().orElse(null);
        this.durability = new Durability(storage.isAsynchronous(), promise, acceptedRound, logLength());
        checkInvariants();
    }

    /** Records one storage write just issued, with the state it leaves. */
    private void issued() {
        durability.issued(promise, acceptedRound, logLength());
    }

    /** Storage writes issued since this server started. */
    long writesIssued() {
        return durability.issued();
    }

    /** One tick passed (for the write latency the durability measures in ticks). */
    void tick() {
        durability.tick();
    }

    /** Ticks the writes made durable so far waited to become durable, summed. */
    long writeWaitTicks() {
        return durability.waitedTicks();
    }

    /** The longest any write waited to become durable, in ticks. */
    long longestWriteWaitTicks() {
        return durability.longestWaitTicks();
    }

    /** Storage writes known durable (all issued ones with a synchronous storage). */
    long writesDurable() {
        return durability.durable();
    }

    /**
     * The first {@code writes} storage writes are durable.
     *
     * @throws IllegalArgumentException if more writes than were issued
     */
    void persisted(long writes) {
        durability.persisted(writes);
    }

    /** The promise as far as it is durable. */
    Ballot durablePromise() {
        return durability.promise();
    }

    /** The accepted round as far as it is durable. */
    Ballot durableAcceptedRound() {
        return durability.acceptedRound();
    }

    /** The log length as far as it is durable (with {@link #durableAcceptedRound()}). */
    long durableLogLength() {
        return durability.logLength();
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

    /** The number of log slots: entries, the compacted prefix, and the stop-sign if there is one. */
    long logLength() {
        return stopSign == null ? entriesEnd : entriesEnd + 1;
    }

    /** The index after the last entry; the stop-sign, if any, sits at this index. */
    long entriesEnd() {
        return entriesEnd;
    }

    long compactedIdx() {
        return compactedIdx;
    }

    /** The stop-sign at the end of the log, or null. */
    StopSign stopSign() {
        return stopSign;
    }

    /** The stop-sign if it is decided: the configuration is finished. */
    Optional<StopSign> decidedStopSign() {
        return stopSign != null && decidedIdx > entriesEnd ? Optional.of(stopSign) : Optional.empty();
    }

    /** The snapshot of the compacted prefix, read from storage (it may be large, so it is not cached). */
    Optional<T> snapshot() {
        return storage.getSnapshot();
    }

    /** The snapshot of the compacted prefix as {@code codec} encodes it, if the storage keeps it so. */
    Optional<byte[]> snapshotBytes(EntryCodec<T> codec) {
        return storage.getSnapshotBytes(codec);
    }

    /** Whether the storage holds any state from an earlier run. */
    boolean hasState() {
        return !promise.equals(Ballot.NONE) || logLength() > 0;
    }

    void setPromise(Ballot newPromise) {
        storage.setPromise(newPromise);
        promise = newPromise;
        issued();
    }

    void appendEntries(List<T> entries) {
        requireNoStopSign(entries);
        storage.appendEntries(entries);
        entriesEnd += entries.size();
        issued();
    }

    /** Appends entries and raises the decided index in one atomic write. */
    void appendAndDecide(List<T> entries, long newDecidedIdx) {
        if (newDecidedIdx == decidedIdx) {
            appendEntries(entries);
            return;
        }
        requireNoStopSign(entries);
        storage.writeAtomically(List.of(
                new StorageOp.AppendEntries<>(entries), new StorageOp.SetDecidedIdx<>(newDecidedIdx)));
        entriesEnd += entries.size();
        decidedIdx = newDecidedIdx;
        issued();
    }

    /** Puts the stop-sign in the slot after the last entry, raising the decided index in the same write. */
    void appendStopSign(StopSign newStopSign, long newDecidedIdx) {
        Invariants.check(stopSign == null, "a log holds at most one stop-sign");
        Invariants.atMost("decidedIdx", newDecidedIdx, "logLength with the stop-sign", entriesEnd + 1);
        storage.writeAtomically(List.of(
                new StorageOp.SetStopSign<>(newStopSign), new StorageOp.SetDecidedIdx<>(Math.max(decidedIdx, newDecidedIdx))));
        stopSign = newStopSign;
        decidedIdx = Math.max(decidedIdx, newDecidedIdx);
        issued();
    }

    void setDecidedIdx(long newDecidedIdx) {
        Invariants.atMost("decidedIdx", newDecidedIdx, "logLength", logLength());
        storage.setDecidedIdx(newDecidedIdx);
        decidedIdx = newDecidedIdx;
        issued();
    }

    /**
     * Replaces the log slots from {@code fromIdx} on with {@code suffix} and then {@code newStopSign}
     * (if not null), and records the accepted round and decided index, atomically: a crash leaves
     * either the old log and round or the new ones. A {@code fromIdx} past the last entry keeps our
     * stop-sign (the sender knows we have it), and then there is nothing to replace.
     */
    void syncLog(long fromIdx, List<T> suffix, StopSign newStopSign, Ballot newAcceptedRound, long newDecidedIdx) {
        Invariants.atMost("decidedIdx", decidedIdx, "sync index", fromIdx);
        Invariants.atMost("sync index", fromIdx, "logLength", logLength());
        Invariants.atMost("compactedIdx", compactedIdx, "sync index", fromIdx);
        List<StorageOp<T>> ops = new ArrayList<>(4);
        StopSign resultStopSign = stopSign;
        if (fromIdx <= entriesEnd) {
            ops.add(new StorageOp.AppendOnPrefix<>(fromIdx, suffix));
            if (stopSign != null || newStopSign != null) {
                ops.add(new StorageOp.SetStopSign<>(newStopSign));
            }
            resultStopSign = newStopSign;
        } else {
            Invariants.check(suffix.isEmpty() && newStopSign == null, "a sync past our stop-sign carries nothing");
        }
        ops.add(new StorageOp.SetAcceptedRound<>(newAcceptedRound));
        ops.add(new StorageOp.SetDecidedIdx<>(newDecidedIdx));
        storage.writeAtomically(ops);
        if (fromIdx <= entriesEnd) {
            entriesEnd = fromIdx + suffix.size();
        }
        stopSign = resultStopSign;
        acceptedRound = newAcceptedRound;
        decidedIdx = newDecidedIdx;
        issued();
        checkInvariants();
    }

    /**
     * Replaces the log by {@code snapshot} of the decided prefix {@code [0, snapshotIdx)}, then
     * {@code suffix} and {@code newStopSign} (if not null), with the accepted round and decided
     * index, in one atomic write. Used when we lack entries that the sender compacted.
     */
    void installSnapshot(long snapshotIdx, T snapshot, List<T> suffix, StopSign newStopSign, Ballot newAcceptedRound,
            long newDecidedIdx) {
        Invariants.atMost("compactedIdx", compactedIdx, "snapshot index", snapshotIdx);
        Invariants.atMost("snapshot index", snapshotIdx, "new decidedIdx", newDecidedIdx);
        storage.writeAtomically(List.of(
                new StorageOp.SetSnapshot<>(snapshotIdx, snapshot),
                new StorageOp.AppendOnPrefix<>(snapshotIdx, suffix),
                new StorageOp.SetStopSign<>(newStopSign),
                new StorageOp.SetAcceptedRound<>(newAcceptedRound),
                new StorageOp.SetDecidedIdx<>(newDecidedIdx)));
        compactedIdx = snapshotIdx;
        snapshotStored = Boolean.TRUE;
        entriesEnd = snapshotIdx + suffix.size();
        stopSign = newStopSign;
        acceptedRound = newAcceptedRound;
        decidedIdx = newDecidedIdx;
        issued();
        checkInvariants();
    }

    /** Removes the entries below {@code idx} and records it as the compacted index. */
    void trim(long idx) {
        Invariants.atMost("trim index", idx, "decidedIdx", decidedIdx);
        Invariants.atMost("trim index", idx, "entriesEnd", entriesEnd);
        storage.trim(idx);
        compactedIdx = idx;
        snapshotStored = Boolean.FALSE;
        issued();
    }

    /**
     * Replaces the decided entries below {@code idx} by a snapshot: the stored snapshot of the
     * compacted prefix (if any) merged with a snapshot of the entries from the compacted index on.
     *
     * @return false, changing nothing, if the prefix was trimmed without a snapshot: a snapshot
     *     must cover the log from index 0
     */
    boolean snapshotPrefix(long idx, Snapshot<T> snapshots) {
        checkSnapshotIdx(idx);
        Optional<T> base = storage.getSnapshot();
        if (base.isEmpty() && compactedIdx > 0) {
            return false;
        }
        T delta = snapshots.create(storage.getEntries(compactedIdx, idx));
        storePrefixSnapshot(idx, base.isPresent() ? snapshots.merge(base.get(), delta) : delta);
        return true;
    }

    /**
     * Replaces the decided entries below {@code idx} by the application's own snapshot of them.
     *
     * @return false, changing nothing, if the prefix was trimmed without a snapshot (see {@link #snapshotPrefix})
     */
    boolean installOwnSnapshot(long idx, T snapshot) {
        checkSnapshotIdx(idx);
        if (compactedIdx > 0 && !hasStoredSnapshot()) {
            return false;
        }
        storePrefixSnapshot(idx, snapshot);
        return true;
    }

    private void checkSnapshotIdx(long idx) {
        Invariants.atMost("snapshot index", idx, "decidedIdx", decidedIdx);
        Invariants.atMost("snapshot index", idx, "entriesEnd", entriesEnd);
    }

    private boolean hasStoredSnapshot() {
        if (snapshotStored == null) {
            snapshotStored = storage.getSnapshot().isPresent(); // once per store: later changes keep it known
        }
        return snapshotStored;
    }

    private void storePrefixSnapshot(long idx, T snapshot) {
        storage.setSnapshot(idx, snapshot);
        compactedIdx = idx;
        snapshotStored = Boolean.TRUE;
        issued();
    }

    List<T> entries(long from, long to) {
        return storage.getEntries(from, to);
    }

    private void requireNoStopSign(List<T> entries) {
        Invariants.check(stopSign == null || entries.isEmpty(), "no entry follows a stop-sign");
    }

    void checkInvariants() {
        durability.checkInvariants(promise);
        Invariants.atMost("compactedIdx", compactedIdx, "decidedIdx", decidedIdx);
        Invariants.atMost("compactedIdx", compactedIdx, "entriesEnd", entriesEnd);
        Invariants.atMost("decidedIdx", decidedIdx, "logLength", logLength());
        if (acceptedRound.compareTo(promise) > 0) {
            throw new IllegalStateException("OmniPaxos invariant broken: acceptedRound " + acceptedRound
                    + " > promise " + promise);
        }
    }
}
