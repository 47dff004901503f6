package io.omnipaxos.storage;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import java.util.List;
import java.util.Objects;

/**
 * One write in a {@link Storage#writeAtomically} batch. Each variant means the same as the
 * {@link Storage} method of the same name.
 *
 * @param <T> the user's entry type
 */
public sealed interface StorageOp<T> {

    /** Performs this operation on {@code storage} by calling the method of the same name. */
    void applyTo(Storage<T> storage);

    /** See {@link Storage#appendEntry}. */
    record AppendEntry<T>(T entry) implements StorageOp<T> {
        @Override
        public void applyTo(Storage<T> storage) {
            storage.appendEntry(entry);
        }
    }

    /** See {@link Storage#appendEntries}. */
    record AppendEntries<T>(List<T> entries) implements StorageOp<T> {
        /** Validates the list. */
        public AppendEntries {
            Objects.requireNonNull(entries, "entries");
        }

        @Override
        public void applyTo(Storage<T> storage) {
            storage.appendEntries(entries);
        }
    }

    /** See {@link Storage#appendOnPrefix}. */
    record AppendOnPrefix<T>(long fromIdx, List<T> entries) implements StorageOp<T> {
        /** Validates the index and the list. */
        public AppendOnPrefix {
            if (fromIdx < 0) {
                throw new IllegalArgumentException("fromIdx must be >= 0, got " + fromIdx);
            }
            Objects.requireNonNull(entries, "entries");
        }

        @Override
        public void applyTo(Storage<T> storage) {
            storage.appendOnPrefix(fromIdx, entries);
        }
    }

    /** See {@link Storage#setPromise}. */
    record SetPromise<T>(Ballot promise) implements StorageOp<T> {
        /** Validates the ballot. */
        public SetPromise {
            Objects.requireNonNull(promise, "promise");
        }

        @Override
        public void applyTo(Storage<T> storage) {
            storage.setPromise(promise);
        }
    }

    /** See {@link Storage#setAcceptedRound}. */
    record SetAcceptedRound<T>(Ballot acceptedRound) implements StorageOp<T> {
        /** Validates the ballot. */
        public SetAcceptedRound {
            Objects.requireNonNull(acceptedRound, "acceptedRound");
        }

        @Override
        public void applyTo(Storage<T> storage) {
            storage.setAcceptedRound(acceptedRound);
        }
    }

    /** See {@link Storage#setDecidedIdx}. */
    record SetDecidedIdx<T>(long decidedIdx) implements StorageOp<T> {
        /** Validates the index. */
        public SetDecidedIdx {
            if (decidedIdx < 0) {
                throw new IllegalArgumentException("decidedIdx must be >= 0, got " + decidedIdx);
            }
        }

        @Override
        public void applyTo(Storage<T> storage) {
            storage.setDecidedIdx(decidedIdx);
        }
    }

    /** See {@link Storage#trim}. */
    record Trim<T>(long idx) implements StorageOp<T> {
        /** Validates the index. */
        public Trim {
            if (idx < 0) {
                throw new IllegalArgumentException("trim idx must be >= 0, got " + idx);
            }
        }

        @Override
        public void applyTo(Storage<T> storage) {
            storage.trim(idx);
        }
    }

    /** See {@link Storage#setCompactedIdx}. */
    record SetCompactedIdx<T>(long idx) implements StorageOp<T> {
        /** Validates the index. */
        public SetCompactedIdx {
            if (idx < 0) {
                throw new IllegalArgumentException("compacted idx must be >= 0, got " + idx);
            }
        }

        @Override
        public void applyTo(Storage<T> storage) {
            storage.setCompactedIdx(idx);
        }
    }

    /** See {@link Storage#setSnapshot}. */
    record SetSnapshot<T>(long idx, T snapshot) implements StorageOp<T> {
        /** Validates the index and the snapshot. */
        public SetSnapshot {
            if (idx < 0) {
                throw new IllegalArgumentException("snapshot idx must be >= 0, got " + idx);
            }
            Objects.requireNonNull(snapshot, "snapshot");
        }

        @Override
        public void applyTo(Storage<T> storage) {
            storage.setSnapshot(idx, snapshot);
        }
    }

    /** See {@link Storage#setStopSign}; a null stop-sign removes the stored one. */
    record SetStopSign<T>(StopSign stopSign) implements StorageOp<T> {
        @Override
        public void applyTo(Storage<T> storage) {
            storage.setStopSign(stopSign);
        }
    }
}
