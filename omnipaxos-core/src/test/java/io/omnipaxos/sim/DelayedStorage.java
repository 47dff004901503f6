package io.omnipaxos.sim;

import io.omnipaxos.Ballot;
import io.omnipaxos.StopSign;
import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageOp;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An asynchronous {@link Storage} for the simulator: every write applies at once to what the
 * getters return (a live copy) and reaches the "disk" (the durable {@link ListStorage}) only when
 * the simulator completes it, in order. A crash loses the writes not completed: {@link #reopen}
 * starts again from the disk.
 */
public final class DelayedStorage implements Storage<String> {

    private final ListStorage<String> durable;
    private final ListStorage<String> live;
    private final ArrayDeque<Consumer<ListStorage<String>>> pending = new ArrayDeque<>();
    /** Writes completed since this instance was opened: what {@code persisted} is told. */
    private long completed;

    public DelayedStorage() {
        this(new ListStorage<>());
    }

    private DelayedStorage(ListStorage<String> durable) {
        this.durable = durable;
        this.live = durable.copy();
    }

    /** After a crash: the completed writes only, with a fresh write count. */
    public DelayedStorage reopen() {
        return new DelayedStorage(durable);
    }

    /** Writes issued and not completed yet. */
    public int pendingWrites() {
        return pending.size();
    }

    /**
     * Completes the oldest {@code count} pending writes (all that are pending if fewer).
     *
     * @return the writes completed since this storage was opened
     */
    public long complete(int count) {
        for (int i = 0; i < count && !pending.isEmpty(); i++) {
            pending.removeFirst().accept(durable);
            completed++;
        }
        return completed;
    }

    private void write(Consumer<ListStorage<String>> op) {
        op.accept(live);
        pending.addLast(op);
    }

    @Override
    public boolean isAsynchronous() {
        return true;
    }

    @Override
    public void writeAtomically(List<StorageOp<String>> ops) {
        List<StorageOp<String>> copy = List.copyOf(ops);
        write(s -> s.writeAtomically(copy));
    }

    @Override
    public void appendEntry(String entry) {
        write(s -> s.appendEntry(entry));
    }

    @Override
    public void appendEntries(List<String> entries) {
        List<String> copy = List.copyOf(entries);
        write(s -> s.appendEntries(copy));
    }

    @Override
    public void appendOnPrefix(long fromIdx, List<String> entries) {
        List<String> copy = List.copyOf(entries);
        write(s -> s.appendOnPrefix(fromIdx, copy));
    }

    @Override
    public List<String> getEntries(long from, long to) {
        return live.getEntries(from, to);
    }

    @Override
    public long getLogLength() {
        return live.getLogLength();
    }

    @Override
    public void setPromise(Ballot promise) {
        write(s -> s.setPromise(promise));
    }

    @Override
    public Ballot getPromise() {
        return live.getPromise();
    }

    @Override
    public void setAcceptedRound(Ballot acceptedRound) {
        write(s -> s.setAcceptedRound(acceptedRound));
    }

    @Override
    public Ballot getAcceptedRound() {
        return live.getAcceptedRound();
    }

    @Override
    public void setDecidedIdx(long decidedIdx) {
        write(s -> s.setDecidedIdx(decidedIdx));
    }

    @Override
    public long getDecidedIdx() {
        return live.getDecidedIdx();
    }

    @Override
    public void trim(long idx) {
        write(s -> s.trim(idx));
    }

    @Override
    public void setSnapshot(long idx, String snapshot) {
        write(s -> s.setSnapshot(idx, snapshot));
    }

    @Override
    public Optional<String> getSnapshot() {
        return live.getSnapshot();
    }

    @Override
    public void setStopSign(StopSign stopSign) {
        write(s -> s.setStopSign(stopSign));
    }

    @Override
    public Optional<StopSign> getStopSign() {
        return live.getStopSign();
    }

    @Override
    public void setCompactedIdx(long idx) {
        write(s -> s.setCompactedIdx(idx));
    }

    @Override
    public long getCompactedIdx() {
        return live.getCompactedIdx();
    }

    @Override
    public void close() {}
}
