package io.omnipaxos;

import java.util.ArrayDeque;

/**
 * Which storage writes are durable, and the promise, accepted round and log length they made
 * durable. With a synchronous storage every write is durable when it returns, so the durable state
 * is the current one. With an asynchronous storage ({@link io.omnipaxos.storage.Storage#isAsynchronous})
 * each write issued is remembered with the state it leaves until the application reports it
 * durable through {@link OmniPaxos#persisted}; writes become durable in the order they were issued.
 *
 * <p>Memory: one small record per write issued and not yet reported durable.
 */
final class Durability {

    private record Written(long write, Ballot promise, Ballot acceptedRound, long logLength) {}

    private final boolean asynchronous;
    private final ArrayDeque<Written> inFlight = new ArrayDeque<>();
    private long issued;
    private long durable;
    private Ballot promise;
    private Ballot acceptedRound;
    private long logLength;

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
            inFlight.addLast(new Written(issued, newPromise, newAcceptedRound, newLogLength));
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
            promise = written.promise();
            acceptedRound = written.acceptedRound();
            logLength = written.logLength();
        }
        durable = Math.max(durable, writes);
    }

    long issued() {
        return issued;
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
