package io.omnipaxos;

import io.omnipaxos.messages.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bounded buffer of messages waiting for the user to send them. It remembers the position of
 * the last message to each destination so that a newer decided or accepted index can be folded
 * into a message that has not left yet instead of queueing another one.
 */
final class Outbox<T> {

    private final int capacity;
    private final ArrayList<Message<T>> messages = new ArrayList<>();
    /** pid -> position in {@link #messages} of the last message queued to that pid. */
    private final Map<Long, Integer> lastPositionByPid = new HashMap<>();
    private long droppedCount;

    Outbox(int capacity) {
        this.capacity = capacity;
    }

    /** Queues {@code message}; if the buffer is full the message is dropped and counted, like a lost one. */
    void add(Message<T> message) {
        if (messages.size() >= capacity) {
            droppedCount++;
            return;
        }
        messages.add(message);
        lastPositionByPid.put(message.to(), messages.size() - 1);
    }

    /** The last message queued to {@code pid} that has not been taken yet, or null. */
    Message<T> lastTo(long pid) {
        Integer position = lastPositionByPid.get(pid);
        return position == null ? null : messages.get(position);
    }

    /** Replaces the last message queued to {@code replacement.to()}; there must be one. */
    void replaceLast(Message<T> replacement) {
        Integer position = lastPositionByPid.get(replacement.to());
        Invariants.check(position != null, "replaceLast without a queued message", replacement.to());
        messages.set(position, replacement);
    }

    /** Moves every queued message into {@code into}, oldest first. */
    void drainTo(List<Message<T>> into) {
        into.addAll(messages);
        messages.clear();
        lastPositionByPid.clear();
    }

    int size() {
        return messages.size();
    }

    /** Messages dropped because the buffer was full, since the server started. */
    long droppedCount() {
        return droppedCount;
    }
}
