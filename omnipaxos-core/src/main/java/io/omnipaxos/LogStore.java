package io.omnipaxos;

import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageOp;
import java.util.List;

/**
 * The server's view of its {@link Storage}: every write goes through to storage first and then to
 * a cache of the small state, so reads of the protocol state never touch storage. If a write
 * throws, the cache is left unchanged and the exception propagates: the server must stop.
 */
final class LogStore<T> {

    private final Storage<T> storage;
    private Ballot promise;
    private Ballot acceptedRound;
    private long decidedIdx;
    private long logLength;
    private long compactedIdx;

    LogStore(Storage<T> storage) {
        this.storage = storage;
        this.promise = storage.getPromise();
        this.acceptedRound = storage.getAcceptedRound();
        this.decidedIdx = storage.getDecidedIdx();
        this.logLength = storage.getLogLength();
        this.compactedIdx = storage.getCompactedIdx();
        checkInvariants();
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

    long logLength() {
        return logLength;
    }

    long compactedIdx() {
        return compactedIdx;
    }

    /** Whether the storage holds any state from an earlier run. */
    boolean hasState() {
        return !promise.equals(Ballot.NONE) || logLength > 0;
    }

    void setPromise(Ballot newPromise) {
        storage.setPromise(newPromise);
        promise = newPromise;
    }

    void appendEntries(List<T> entries) {
        storage.appendEntries(entries);
        logLength += entries.size();
    }

    /** Appends entries and raises the decided index in one atomic write. */
    void appendAndDecide(List<T> entries, long newDecidedIdx) {
        if (newDecidedIdx == decidedIdx) {
            appendEntries(entries);
            return;
        }
        storage.writeAtomically(List.of(
                new StorageOp.AppendEntries<>(entries), new StorageOp.SetDecidedIdx<>(newDecidedIdx)));
        logLength += entries.size();
        decidedIdx = newDecidedIdx;
    }

    void setDecidedIdx(long newDecidedIdx) {
        Invariants.atMost("decidedIdx", newDecidedIdx, "logLength", logLength);
        storage.setDecidedIdx(newDecidedIdx);
        decidedIdx = newDecidedIdx;
    }

    /**
     * Replaces the log from {@code fromIdx} on with {@code suffix} and records the accepted round and
     * decided index, atomically: a crash leaves either the old log and round or the new ones.
     */
    void syncLog(long fromIdx, List<T> suffix, Ballot newAcceptedRound, long newDecidedIdx) {
        Invariants.atMost("decidedIdx", decidedIdx, "sync index", fromIdx);
        Invariants.atMost("sync index", fromIdx, "logLength", logLength);
        Invariants.atMost("compactedIdx", compactedIdx, "sync index", fromIdx);
        storage.writeAtomically(List.of(
                new StorageOp.AppendOnPrefix<>(fromIdx, suffix),
                new StorageOp.SetAcceptedRound<>(newAcceptedRound),
                new StorageOp.SetDecidedIdx<>(newDecidedIdx)));
        logLength = fromIdx + suffix.size();
        acceptedRound = newAcceptedRound;
        decidedIdx = newDecidedIdx;
        checkInvariants();
    }

    /** Removes the entries below {@code idx} and records it as the compacted index. */
    void trim(long idx) {
        Invariants.atMost("trim index", idx, "decidedIdx", decidedIdx);
        storage.trim(idx);
        compactedIdx = idx;
    }

    List<T> entries(long from, long to) {
        return storage.getEntries(from, to);
    }

    void checkInvariants() {
        Invariants.atMost("compactedIdx", compactedIdx, "decidedIdx", decidedIdx);
        Invariants.atMost("decidedIdx", decidedIdx, "logLength", logLength);
        if (acceptedRound.compareTo(promise) > 0) {
            throw new IllegalStateException("OmniPaxos invariant broken: acceptedRound " + acceptedRound
                    + " > promise " + promise);
        }
    }
}
