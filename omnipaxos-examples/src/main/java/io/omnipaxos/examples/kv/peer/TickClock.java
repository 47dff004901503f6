package io.omnipaxos.examples.kv.peer;

/**
 * How many {@code OmniPaxos.tick()}s a node owes at a given moment, so that its ticks keep the
 * wall-clock rate of the configuration (a heartbeat round of {@code election_tick_timeout} ticks
 * lasts that many intervals) while its own stalls are not taken for its peers' silence.
 *
 * <p>Tick {@code k} falls due {@code k} intervals after the start. A timer that wakes a little
 * late, or twice in a row to catch up, owes the ticks that fell due meanwhile, so jitter neither
 * drops ticks nor adds any. A wake-up that owes more than {@link #MAX_CATCH_UP} ticks follows a
 * stall of the node itself (a GC pause, a long step): it runs one tick and forgives the rest,
 * so a stalled node's heartbeat round stretches by the stall instead of ending at once with its
 * peers' replies unread.
 *
 * <p>Deterministic: the caller passes the time. Not thread-safe (the event loop's).
 */
final class TickClock {

    /** Ticks owed beyond which a wake-up counts as the end of a stall; a few intervals of timer jitter stay below it. */
    static final long MAX_CATCH_UP = 5;

    private final long intervalNanos;
    /** The time tick 0 fell due; moves forward when a stall's ticks are forgiven. */
    private long originNanos;
    /** Ticks counted since {@link #originNanos}. */
    private long ticked;

    TickClock(long intervalNanos, long startNanos) {
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("intervalNanos must be > 0, got " + intervalNanos);
        }
        this.intervalNanos = intervalNanos;
        this.originNanos = startNanos;
    }

    /** The ticks to run now, at {@code nowNanos}, and counts them as run: 0 to {@link #MAX_CATCH_UP}. */
    int ticksDue(long nowNanos) {
        long due = (nowNanos - originNanos) / intervalNanos - ticked;
        if (due <= 0) {
            return 0;
        }
        if (due > MAX_CATCH_UP) { // a stall of this node: one tick now, the next one a full interval later
            originNanos = nowNanos - intervalNanos;
            ticked = 1;
            return 1;
        }
        ticked += due;
        return (int) due;
    }
}
