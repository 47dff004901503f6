package io.omnipaxos.sim;

import io.omnipaxos.messages.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A deterministic network between simulated servers: every message is delayed by a random number of
 * ticks (so messages reorder), and may be dropped or duplicated; links can be cut in one or both
 * directions. All randomness comes from the cluster's seeded {@link Random}.
 */
public final class SimulatedNetwork {

    private record Link(long from, long to) {}

    private record InFlight(long deliverAt, long order, Message<String> message) {}

    private final Random random;
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>((a, b) ->
            a.deliverAt != b.deliverAt ? Long.compare(a.deliverAt, b.deliverAt) : Long.compare(a.order, b.order));
    private final Set<Link> cutLinks = new HashSet<>();
    private long order;
    private double dropRate;
    private double duplicateRate;
    private int maxDelayTicks = 1;
    private long sentCount;
    private long droppedCount;

    private final List<Consumer<Message<String>>> observers = new ArrayList<>();

    SimulatedNetwork(Random random) {
        this.random = random;
    }

    /** Each message is lost with this probability. */
    public SimulatedNetwork dropRate(double rate) {
        this.dropRate = rate;
        return this;
    }

    /** Each message is delivered twice with this probability. */
    public SimulatedNetwork duplicateRate(double rate) {
        this.duplicateRate = rate;
        return this;
    }

    /** Each message takes 1 to this many ticks; more than 1 reorders messages. */
    public SimulatedNetwork maxDelayTicks(int ticks) {
        if (ticks < 1) {
            throw new IllegalArgumentException("maxDelayTicks must be >= 1, got " + ticks);
        }
        this.maxDelayTicks = ticks;
        return this;
    }

    /** Makes the network reliable again: no loss, no duplicates, delay 1 tick; cut links stay cut. */
    public SimulatedNetwork reliable() {
        return dropRate(0).duplicateRate(0).maxDelayTicks(1);
    }

    /** Cuts the link between {@code a} and {@code b} in both directions. */
    public void cut(long a, long b) {
        cutOneWay(a, b);
        cutOneWay(b, a);
    }

    /** Cuts only the direction {@code from -> to}. */
    public void cutOneWay(long from, long to) {
        cutLinks.add(new Link(from, to));
    }

    /** Restores the link between {@code a} and {@code b} in both directions. */
    public void heal(long a, long b) {
        cutLinks.remove(new Link(a, b));
        cutLinks.remove(new Link(b, a));
    }

    /** Restores every link. */
    public void healAll() {
        cutLinks.clear();
    }

    /** Cuts every link between the two sides. */
    public void partition(Collection<Long> sideA, Collection<Long> sideB) {
        for (long a : sideA) {
            for (long b : sideB) {
                cut(a, b);
            }
        }
    }

    /** Whether messages from {@code from} to {@code to} get through. */
    public boolean isConnected(long from, long to) {
        return !cutLinks.contains(new Link(from, to));
    }

    /** Sees every message handed to the network (before loss), e.g. to check what was sent. */
    /** Messages sent and not delivered (or lost) yet. */
    public int inFlight() {
        return inFlight.size();
    }

    public void observe(Consumer<Message<String>> observer) {
        observers.add(observer);
    }

    void send(Message<String> message, long now) {
        sentCount++;
        for (Consumer<Message<String>> observer : observers) {
            observer.accept(message);
        }
        if (random.nextDouble() < dropRate) {
            droppedCount++;
            return;
        }
        schedule(message, now);
        if (random.nextDouble() < duplicateRate) {
            schedule(message, now);
        }
    }

    private void schedule(Message<String> message, long now) {
        long delay = 1 + random.nextInt(maxDelayTicks);
        inFlight.add(new InFlight(now + delay, order++, message));
    }

    /** Removes and returns the messages due by {@code now} whose link is not cut. */
    List<Message<String>> deliverDue(long now) {
        List<Message<String>> due = new ArrayList<>();
        while (!inFlight.isEmpty() && inFlight.peek().deliverAt <= now) {
            Message<String> message = inFlight.poll().message;
            if (isConnected(message.from(), message.to())) {
                due.add(message);
            } else {
                droppedCount++;
            }
        }
        return due;
    }

    /** Messages handed to the network so far. */
    public long sentCount() {
        return sentCount;
    }

    /** Messages lost to drops and cut links so far. */
    public long droppedCount() {
        return droppedCount;
    }
}
