package io.omnipaxos;

import java.util.ArrayDeque;

/**
 * Which storage writes are durable, and the promise, accepted round and log length they made
 * durable. With a synchronous storage every write is durable when it returns, so the durable state
 * is the current one. With an asynchronous storage ({@link io.omnipaxos.storage.Storage#isAsynchronous})
 * each write issued is remembered with the state it leaves until the application reports it
 * durable through {@link OmniPaxos#persisted}; writes become durable in the order they were issued.
 *
 * <p>It also measures, in ticks (the core's only clock), how long each write waited to become
 * durable: from the tick it was issued in to the tick {@link #persisted} reported it, so 0 for a
 * synchronous storage and for a write made durable within the tick that issued it.
 *
 * <p>Memory: one small record per write issued and not yet reported durable.
 */
final class Durability {

    private record Written(long write, Ballot promise, Ballot acceptedRound, long logLength, long issuedTick) {}

    private final boolean asynchronous;
    private final ArrayDeque<Written> inFlight = new ArrayDeque<>();
    private long issued;
    private long durable;
    private Ballot promise;
    private Ballot acceptedRound;
    private long logLength;
    private long ticks;
    private long waitedTicks;
    private long longestWaitTicks;

    /** Starts from the state read from storage, which is durable. */
    Durability(boolean asynchronous, Ballot promise, Ballot acceptedRound, long logLength) {
        this.asynchronous = asynchronous;
        this.promise = promise;
        this.acceptedRound = acceptedRound;
        this.logLength = logLength;
    }

    /** One write was issued; it leaves the given state. */
    void issued(Ballot newPromise, Ballot newAcceptedRound, long newLogLength) {
        issued++;
        if (asynchronous) {
            inFlight.addLast(new Written(issued, newPromise, newAcceptedRound, newLogLength, ticks));
        } else {
            durable = issued;
            promise = newPromise;
            acceptedRound = newAcceptedRound;
            logLength = newLogLength;
        }
    }

    /**
     * The first {@code writes} writes are durable. A count at or below the known one changes nothing.
     *
     * @throws IllegalArgumentException if more writes than were issued
     */
    void persisted(long writes) {
        if (writes > issued) {
            throw new IllegalArgumentException("persisted(" + writes + "): only " + issued
                    + " storage writes were issued");
        }
        while (!inFlight.isEmpty() && inFlight.peekFirst().write() <= writes) {
            Written written = inFlight.removeFirst();
            long waited = ticks - written.issuedTick();
            waitedTicks += waited;
            longestWaitTicks = Math.max(longestWaitTicks, waited);
            promise = written.promise();
            acceptedRound = written.acceptedRound();
            logLength = written.logLength();
        }
        durable = Math.max(durable, writes);
    }

    /** One tick passed. */
    void tick() {
        ticks++;
    }

    long issued() {
        return issued;
    }

    /** The ticks all writes made durable so far waited, summed (divide by {@link #durable} for the mean). */
    long waitedTicks() {
        return waitedTicks;
    }

    /** The longest any write waited, in ticks. */
    long longestWaitTicks() {
        return longestWaitTicks;
    }

    long durable() {
        return durable;
    }

    Ballot promise() {
        return promise;
    }

    Ballot acceptedRound() {
        return acceptedRound;
    }

    long logLength() {
        return logLength;
    }

    void checkInvariants(Ballot currentPromise) {
        Invariants.atMost("durable writes", durable, "issued writes", issued);
        Invariants.atMost("writes in flight", inFlight.size(), "issued - durable", issued - durable);
        Invariants.check(!promise.isGreaterThan(currentPromise), "the durable promise is at most the current one");
    }
}
