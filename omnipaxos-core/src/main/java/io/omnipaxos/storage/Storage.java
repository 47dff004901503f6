package io.omnipaxos.storage;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.EntryCodec;
import java.util.List;
import java.util.Optional;

/**
 * Where an OmniPaxos server keeps its log and its protocol state.
 *
 * <p><b>Indices.</b> All indices are absolute log positions starting at 0. The log holds the
 * entries {@code [getCompactedIdx(), getLogLength())}; entries below the compacted index were
 * trimmed away. {@code getLogLength()} counts the trimmed prefix too. A compacted prefix may be
 * represented by a snapshot ({@link #setSnapshot}). A stop-sign ({@link #setStopSign}), if stored,
 * occupies the slot just after the last entry, index {@code getLogLength()}; the decided index
 * counts it, so it may be {@code getLogLength() + 1} when the stop-sign is decided.
 *
 * <p><b>Durability contract.</b> A write is durable when the call returns: after a crash, a
 * storage reopened at the same place returns every value written by a call that returned. (A
 * storage may document a weaker policy that the user opts into; {@code setDecidedIdx} alone may
 * lag, because a decided index can be learned again from the leader.) The core never lets out a
 * message that depends on a write before that write has returned: everything it asks storage to
 * do while handling an input is done before the input's outgoing messages are released. An
 * asynchronous storage ({@link #isAsynchronous}) instead reports durability later, and the server
 * waits for that report before the messages that depend on it leave.
 *
 * <p><b>Atomicity.</b> {@link #writeAtomically} applies a list of operations all or nothing, also
 * across a crash. The core uses it for writes that belong together (a synchronised log suffix with
 * its accepted round and decided index).
 *
 * <p><b>Failures.</b> Every method reports a failure by throwing {@link StorageException}; the core
 * never swallows it, and the server must be considered crashed. Arguments that break the documented
 * ranges are programming errors and throw {@link IllegalArgumentException}.
 *
 * <p>A storage is used by one {@code OmniPaxos} instance from one thread at a time.
 *
 * @param <T> the user's entry type
 */
public interface Storage<T> extends AutoCloseable {

    /**
     * Whether this storage is asynchronous: its writes return before they are durable. Default
     * false: every write is durable when it returns, and nothing else is asked of the storage.
     *
     * <p><b>The asynchronous contract.</b> Every call of a method that changes state ({@link
     * #writeAtomically}, the appends, the setters, {@link #trim}) is one <em>write</em>, numbered
     * 1, 2, 3, ... from the moment the server is built on this storage. A write changes what the
     * getters return as soon as it returns (the server reads its own writes), but becomes durable
     * later, and writes become durable in the order they were made: after a crash the storage
     * reopens with every write up to some point and none after it, and a {@link #writeAtomically}
     * is still all or nothing. The application reports progress by calling {@code
     * OmniPaxos.persisted(n)} when the first {@code n} writes are durable (typically from the
     * thread that fsyncs, handed back to the thread that drives the server). Until then the server
     * holds back every message that announces durable state (a {@code Promise}, an {@code
     * Accepted}, and the messages that name the server's promise, which a crash must not make it
     * forget: a new leader's {@code Prepare} and a refusal, {@code NotAccepted}), and a leader
     * counts itself in a quorum only with its durable log, while it sends its entries to the
     * followers at once, in parallel with its own write.
     */
    default boolean isAsynchronous() {
        return false;
    }

    /** Applies {@code ops} in order, all or nothing. */
    void writeAtomically(List<StorageOp<T>> ops);

    /** Appends one entry at index {@link #getLogLength()}. */
    void appendEntry(T entry);

    /** Appends entries at index {@link #getLogLength()}, in order. */
    void appendEntries(List<T> entries);

    /**
     * Removes every entry at index {@code fromIdx} and above, then appends {@code entries}.
     *
     * @param fromIdx in {@code [getCompactedIdx(), getLogLength()]}
     */
    void appendOnPrefix(long fromIdx, List<T> entries);

    /** Returns the entries {@code [from, to)}; requires {@code getCompactedIdx() <= from <= to <= getLogLength()}. */
    List<T> getEntries(long from, long to);

    /** Returns the entries from {@code from} to the end of the log. */
    default List<T> getSuffix(long from) {
        return getEntries(from, getLogLength());
    }

    /** Returns the length of the log, including the compacted prefix. */
    long getLogLength();

    /** Stores the highest ballot this server has promised. */
    void setPromise(Ballot promise);

    /** Returns the promised ballot, or {@link Ballot#NONE} if none was ever stored. */
    Ballot getPromise();

    /** Stores the round in which this server last accepted entries. */
    void setAcceptedRound(Ballot acceptedRound);

    /** Returns the accepted round, or {@link Ballot#NONE} if none was ever stored. */
    Ballot getAcceptedRound();

    /** Stores the decided index: the number of log entries known to be decided. */
    void setDecidedIdx(long decidedIdx);

    /** Returns the decided index, 0 if none was ever stored. */
    long getDecidedIdx();

    /**
     * Removes the entries below {@code idx} and records {@code idx} as the compacted index. A stored
     * snapshot is dropped if {@code idx} is above the compacted index (it no longer covers the prefix).
     *
     * @param idx in {@code [getCompactedIdx(), getLogLength()]}
     */
    void trim(long idx);

    /**
     * Replaces the log prefix below {@code idx} by {@code snapshot}: removes the entries below
     * {@code idx}, records {@code idx} as the compacted index and keeps {@code snapshot} as the state
     * of that prefix. If the log is shorter than {@code idx}, it becomes empty with length {@code
     * idx} (a follower that installs a leader's snapshot). The stop-sign is not touched.
     *
     * @param idx at least {@link #getCompactedIdx()}
     */
    void setSnapshot(long idx, T snapshot);

    /**
     * The snapshot of the prefix below {@link #getCompactedIdx()}, or empty if no snapshot was stored
     * or a later {@link #trim} moved the compacted index past it (then it no longer covers the prefix
     * and is dropped).
     */
    Optional<T> getSnapshot();

    /**
     * The stored snapshot as {@code codec} encodes it, if this storage keeps it in that form (it
     * encodes with that very codec instance): a leader then sends a follower that lacks the compacted
     * prefix these bytes in parts, without decoding the snapshot and encoding it again (for a
     * snapshot of tens of MB, hundreds of milliseconds of its event loop at every sync). The
     * storage never changes the array afterwards, and callers must not change it. The default, for
     * storages that keep snapshots as objects or encode them otherwise, is empty.
     *
     * @param codec the entry codec the instance was built with
     */
    default Optional<byte[]> getSnapshotBytes(EntryCodec<T> codec) {
        return Optional.empty();
    }

    /** Stores the stop-sign that ends the log, at slot {@link #getLogLength()}; null removes it. */
    void setStopSign(StopSign stopSign);

    /** The stored stop-sign, if any. */
    Optional<StopSign> getStopSign();

    /** Records {@code idx} as the compacted index without removing entries (e.g. after a snapshot). */
    void setCompactedIdx(long idx);

    /** Returns the index below which entries are compacted, 0 if nothing was. */
    long getCompactedIdx();

    /** Releases files and other resources; the storage cannot be used afterwards. */
    @Override
    void close();
}
