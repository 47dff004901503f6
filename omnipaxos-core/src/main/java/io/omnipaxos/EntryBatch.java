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

    /**
     * A batch taken for writing: its entries and, for each, the pid of the server that forwarded it,
     * its session and its number there (all 0 for entries appended on this server; null arrays when
     * all were), and the proposal id of each entry appended here (read only where the entry was
     * appended here; null before this server appended any).
     */
    record Taken<T>(List<T> entries, long[] forwarders, long[] sessions, long[] seqs, long[] ids) {}

    private final int batchSize;
    private final EntryBudget<T> budget;
    private ArrayList<T> entries = new ArrayList<>();
    /** The entry bytes of {@link #entries} (0 without an entry codec): at most max_message_bytes. */
    private long bytes;
    /** Per entry: the forwarder's pid and number, allocated with the first forwarded entry. */
    private long[] forwarders;
    private long[] sessions;
    private long[] seqs;
    /**
     * Per entry: the proposal id of an entry appended here (0 for a forwarded one), allocated with
     * the first such entry and reused by later batches: a taken batch's ids are read only while it
     * is written ({@link Taken} does not outlive the flush).
     */
    private long[] ids;

    EntryBatch(int batchSize, EntryBudget<T> budget) {
        this.batchSize = batchSize;
        this.budget = budget;
    }

    /** Whether {@code entry} would not fit in the same message as the batch: flush first. */
    boolean wouldOverflow(T entry) {
        return !entries.isEmpty() && bytes + budget.sizeOf(entry) > budget.maxBytes();
    }

    /** Adds an entry appended on this server as proposal {@code id}. */
    void add(T entry, long id) {
        if (ids == null) {
            ids = new long[batchSize];
        }
        ids[entries.size()] = id;
        add(entry, 0, 0, 0);
    }

    /** Adds an entry that server {@code forwarder} forwarded as number {@code seq} of {@code session} (0: appended here). */
    void add(T entry, long forwarder, long session, long seq) {
        if (forwarder != 0 && forwarders == null) {
            forwarders = new long[batchSize];
            sessions = new long[batchSize];
            seqs = new long[batchSize];
        }
        if (forwarder != 0 && ids != null) {
            ids[entries.size()] = 0;
        }
        if (forwarders != null) {
            forwarders[entries.size()] = forwarder;
            sessions[entries.size()] = session;
            seqs[entries.size()] = seq;
        }
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

    /** Hands out the entries with where they came from, and empties the batch. */
    Taken<T> take() {
        Taken<T> out = new Taken<>(entries, forwarders, sessions, seqs, ids);
        entries = new ArrayList<>(Math.min(batchSize, 1024));
        bytes = 0;
        forwarders = null;
        sessions = null;
        seqs = null;
        return out;
    }

    /** Hands out the entries appended on this server and drops the forwarded ones (their forwarders send them again). */
    List<Proposal<T>> takeOwn() {
        Taken<T> taken = take();
        List<Proposal<T>> own = new ArrayList<>();
        for (int i = 0; i < taken.entries().size(); i++) {
            if (taken.forwarders() == null || taken.forwarders()[i] == 0) {
                own.add(new Proposal<>(taken.ids()[i], taken.entries().get(i)));
            }
        }
        return own;
    }

    int size() {
        return entries.size();
    }
}
