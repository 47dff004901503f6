package io.omnipaxos.storage.support;

import io.omnipaxos.Ballot;
import io.omnipaxos.storage.StorageOp;
import java.util.List;

/**
 * The two numbers that decide whether a storage call is valid: the compacted index and the log
 * length. Storages use it to check every argument before they change anything, and to dry-run a
 * {@code writeAtomically} batch so that an invalid op in the middle leaves nothing applied.
 *
 * <p>Ranges checked (clarifying the {@code Storage} SPI, which leaves some of them implicit):
 * entries, ballots and snapshots are non-null; {@code appendOnPrefix}, {@code trim} and {@code
 * setCompactedIdx} take an index in {@code [compactedIdx, logLength]}; {@code setSnapshot} takes
 * any index {@code >= compactedIdx} (beyond the log end, the log jumps to it); {@code
 * setDecidedIdx} takes any index {@code >= 0} (the storage does not second-guess the protocol's
 * decided index, which may be {@code logLength + 1} when a stop-sign is decided); {@code
 * setStopSign} takes any stop-sign or null.
 */
public final class LogBounds {

    private long compactedIdx;
    private long logLength;

    /** Starts a simulation from the given state. */
    public LogBounds(long compactedIdx, long logLength) {
        this.compactedIdx = compactedIdx;
        this.logLength = logLength;
    }

    /** Returns the simulated log length. */
    public long logLength() {
        return logLength;
    }

    /** Returns the simulated compacted index. */
    public long compactedIdx() {
        return compactedIdx;
    }

    /** Checks every op in order against the state the earlier ops leave, without applying any. */
    public static void checkBatch(List<? extends StorageOp<?>> ops, long compactedIdx, long logLength) {
        if (ops == null) {
            throw new IllegalArgumentException("ops must not be null");
        }
        LogBounds sim = new LogBounds(compactedIdx, logLength);
        for (int i = 0; i < ops.size(); i++) {
            StorageOp<?> op = ops.get(i);
            try {
                sim.check(op);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("op " + i + " of " + ops.size() + " (" + opName(op)
                        + ") is invalid, nothing was applied: " + e.getMessage(), e);
            }
        }
    }

    /** Checks one op and advances the simulated state as the op would. */
    public void check(StorageOp<?> op) {
        if (op == null) {
            throw new IllegalArgumentException("op must not be null");
        }
        if (op instanceof StorageOp.AppendEntry<?> a) {
            requireEntry(a.entry(), logLength);
            logLength++;
        } else if (op instanceof StorageOp.AppendEntries<?> a) {
            logLength += requireEntries(a.entries());
        } else if (op instanceof StorageOp.AppendOnPrefix<?> a) {
            requireInLog("appendOnPrefix fromIdx", a.fromIdx());
            logLength = a.fromIdx() + requireEntries(a.entries());
        } else if (op instanceof StorageOp.Trim<?> t) {
            requireInLog("trim idx", t.idx());
            compactedIdx = t.idx();
        } else if (op instanceof StorageOp.SetCompactedIdx<?> c) {
            requireInLog("compacted idx", c.idx());
            compactedIdx = c.idx();
        } else if (op instanceof StorageOp.SetSnapshot<?> snap) {
            requireSnapshot(snap.idx(), snap.snapshot());
            compactedIdx = snap.idx();
            logLength = Math.max(logLength, snap.idx());
        }
        // SetPromise, SetAcceptedRound, SetDecidedIdx and SetStopSign validate themselves on
        // construction (a null stop-sign is valid: it removes the stored one).
    }

    /** Throws unless {@code snapshot} is non-null and {@code idx >= compactedIdx}. */
    public void requireSnapshot(long idx, Object snapshot) {
        if (snapshot == null) {
            throw new IllegalArgumentException("snapshot for index " + idx + " must not be null");
        }
        if (idx < compactedIdx) {
            throw new IllegalArgumentException("snapshot idx must be >= compactedIdx=" + compactedIdx + ", got " + idx);
        }
    }

    /** Throws unless {@code idx} is in {@code [compactedIdx, logLength]}. */
    public void requireInLog(String what, long idx) {
        if (idx < compactedIdx || idx > logLength) {
            throw new IllegalArgumentException(what + " must be in [compactedIdx=" + compactedIdx
                    + ", logLength=" + logLength + "], got " + idx);
        }
    }

    /** Throws unless {@code compactedIdx <= from <= to <= logLength}. */
    public void requireReadable(long from, long to) {
        if (from < compactedIdx || from > to || to > logLength) {
            throw new IllegalArgumentException("entries [" + from + ", " + to + ") are not readable: need "
                    + "compactedIdx=" + compactedIdx + " <= from <= to <= logLength=" + logLength);
        }
    }

    /** Throws unless {@code entry} is non-null; {@code idx} is where it would go. */
    public static void requireEntry(Object entry, long idx) {
        if (entry == null) {
            throw new IllegalArgumentException("entry for index " + idx + " must not be null");
        }
    }

    /** Throws unless the list and all its elements are non-null; returns its size. */
    public static int requireEntries(List<?> entries) {
        if (entries == null) {
            throw new IllegalArgumentException("entries must not be null");
        }
        int i = 0;
        for (Object e : entries) {
            if (e == null) {
                throw new IllegalArgumentException("entries[" + i + "] must not be null");
            }
            i++;
        }
        return i;
    }

    /** Throws unless {@code ballot} is non-null; {@code what} names it; returns it. */
    public static Ballot requireBallot(String what, Ballot ballot) {
        if (ballot == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return ballot;
    }

    /** Throws unless {@code idx >= 0}. */
    public static void requireNonNegative(String what, long idx) {
        if (idx < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + idx);
        }
    }

    private static String opName(Object op) {
        return op == null ? "null" : op.getClass().getSimpleName();
    }
}
