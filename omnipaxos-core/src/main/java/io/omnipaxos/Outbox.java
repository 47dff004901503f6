package io.omnipaxos;

import io.omnipaxos.messages.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bounded buffer of messages waiting for the user to send them. It remembers the position of
 * the last message to each destination so that a newer decided or accepted index can be folded
 * into a message that has not left yet instead of queueing another one.
 *
 * <p>With an asynchronous storage a message that announces durable state (a promise, an accepted
 * length) is held until the storage writes issued before it are durable: it carries a barrier, the
 * number of writes that must be durable first, and leaves with the first drain after {@link
 * #release} reaches it. Held messages keep their order; messages without a barrier (heartbeats,
 * the leader's own sends) are not held behind them.
 */
final class Outbox<T> {

    private final int capacity;
    private final ArrayList<Message<T>> messages = new ArrayList<>();
    /** pid -> position in {@link #messages} of the last message queued to that pid. */
    private final Map<Long, Integer> lastPositionByPid = new HashMap<>();
    /** Messages waiting for their barrier, in the order they were queued (barriers never decrease). */
    private final ArrayDeque<Held<T>> held = new ArrayDeque<>();
    /** The number of storage writes known durable. */
    private long durableWrites;
    private long droppedCount;

    private record Held<T>(long barrier, Message<T> message) {}

    Outbox(int capacity) {
        this.capacity = capacity;
    }

    /** Queues {@code message}; if the buffer is full the message is dropped and counted, like a lost one. */
    void add(Message<T> message) {
        if (size() >= capacity) {
            droppedCount++;
            return;
        }
        messages.add(message);
        lastPositionByPid.put(message.to(), messages.size() - 1);
    }

    /**
     * Queues {@code message} to leave once the first {@code barrier} storage writes are durable;
     * {@code durable} writes are known durable now.
     */
    void addAfterWrites(Message<T> message, long barrier, long durable) {
        release(durable);
        if (barrier <= durableWrites) {
            add(message);
        } else if (size() >= capacity) {
            droppedCount++;
        } else {
            held.addLast(new Held<>(barrier, message));
        }
    }

    /**
     * The last message queued to {@code pid} that may still be replaced by one that needs the first
     * {@code barrier} writes durable, or null: a held message to {@code pid} if it is the newest held
     * one, else (if {@code barrier} is already durable) the last ready one.
     */
    Message<T> lastTo(long pid, long barrier) {
        Held<T> last = held.peekLast();
        if (last != null) {
            return last.message().to() == pid ? last.message() : null;
        }
        if (barrier > durableWrites) {
            return null;
        }
        Integer position = lastPositionByPid.get(pid);
        return position == null ? null : messages.get(position);
    }

    /** The last message queued to {@code pid} without a barrier, or null. */
    Message<T> lastTo(long pid) {
        Integer position = lastPositionByPid.get(pid);
        return position == null ? null : messages.get(position);
    }

    /** Replaces the message {@link #lastTo(long, long)} returned, now to leave after {@code barrier} writes. */
    void replaceLast(Message<T> replacement, long barrier) {
        Held<T> last = held.peekLast();
        if (last != null) {
            held.removeLast();
            held.addLast(new Held<>(Math.max(barrier, last.barrier()), replacement));
        } else {
            replaceLast(replacement);
        }
    }

    /** Replaces the last message queued to {@code replacement.to()}; there must be one. */
    void replaceLast(Message<T> replacement) {
        Integer position = lastPositionByPid.get(replacement.to());
        Invariants.check(position != null, "replaceLast without a queued message", replacement.to());
        messages.set(position, replacement);
    }

    /** The first {@code writes} storage writes are durable: held messages up to there may leave. */
    void release(long writes) {
        durableWrites = Math.max(durableWrites, writes);
        while (!held.isEmpty() && held.peekFirst().barrier() <= durableWrites) {
            Message<T> message = held.removeFirst().message();
            messages.add(message);
            lastPositionByPid.put(message.to(), messages.size() - 1);
        }
    }

    /** Moves every message that may leave into {@code into}, oldest first; held ones stay. */
    void drainTo(List<Message<T>> into) {
        into.addAll(messages);
        messages.clear();
        lastPositionByPid.clear();
    }

    /** Messages queued, held ones included. */
    int size() {
        return messages.size() + held.size();
    }

    /** Messages held until storage writes are durable. */
    int heldCount() {
        return held.size();
    }

    /** Messages dropped because the buffer was full, since the server started. */
    long droppedCount() {
        return droppedCount;
    }
}
