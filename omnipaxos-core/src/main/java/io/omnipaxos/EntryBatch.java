package io.omnipaxos;

import java.util.ArrayList;
import java.util.List;

/**
 * The leader's batch of entries appended in the accept phase and not yet written, and the one place
 * that decides when it is flushed (written to storage and replicated). A batch is flushed:
 * <ul>
 *   <li>{@link Trigger#FULL} when it holds {@code batch_size} entries or {@code max_message_bytes}
 *       of them, or the next entry would not fit the message (checked at every append);</li>
 *   <li>{@link Trigger#TICK} on every flush tick ({@code flush_batch_tick_timeout}), whatever it
 *       holds;</li>
 *   <li>{@link Trigger#DRAIN} when the application takes the outgoing messages while nothing the
 *       leader replicated is undecided: light load then goes out at once, while under load entries
 *       keep collecting.</li>
 * </ul>
 * A flush is a storage write, so {@code append}, {@code tick} and {@code outgoingMessages} may all
 * write to storage on a leader.
 */
final class EntryBatch<T> {

    /** Why a flush is considered. */
    enum Trigger { FULL, TICK, DRAIN }

    private final int batchSize;
    private final EntryBudget<T> budget;
    private ArrayList<T> entries = new ArrayList<>();
    /** The entry bytes of {@link #entries} (0 without an entry codec): at most max_message_bytes. */
    private long bytes;

    EntryBatch(int batchSize, EntryBudget<T> budget) {
        this.batchSize = batchSize;
        this.budget = budget;
    }

    /** Whether {@code entry} would not fit in the same message as the batch: flush first. */
    boolean wouldOverflow(T entry) {
        return !entries.isEmpty() && bytes + budget.sizeOf(entry) > budget.maxBytes();
    }

    void add(T entry) {
        entries.add(entry);
        bytes += budget.sizeOf(entry);
    }

    /**
     * Whether the batch is to be flushed now.
     *
     * @param trigger what asks
     * @param nothingInFlight whether everything the leader replicated is decided (for {@link Trigger#DRAIN})
     */
    boolean isDue(Trigger trigger, boolean nothingInFlight) {
        if (entries.isEmpty()) {
            return false;
        }
        return switch (trigger) {
            case FULL -> entries.size() >= batchSize || budget.isFull(bytes);
            case TICK -> true;
            case DRAIN -> nothingInFlight;
        };
    }

    /** Hands out the entries and empties the batch. */
    List<T> takeAll() {
        List<T> out = entries;
        entries = new ArrayList<>(Math.min(batchSize, 1024));
        bytes = 0;
        return out;
    }

    int size() {
        return entries.size();
    }
}
