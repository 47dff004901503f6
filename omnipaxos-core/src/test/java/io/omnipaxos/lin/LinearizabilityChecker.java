package io.omnipaxos.lin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that a concurrent history of operations on one object is linearizable: that there is a
 * sequential order of its operations that respects real time (an operation that returned before
 * another was invoked comes first) and in which every operation's result is what the sequential
 * {@link Model} gives. The search is Wing and Gong's, with Lowe's cache of (linearized set, state)
 * pairs already explored, so histories of a few hundred operations per object check in
 * milliseconds. Check each key of a key-value store on its own (linearizability is local).
 *
 * <p>An operation that never returned (its client gave up, or its node was killed) may have taken
 * effect at any point after its invocation, or not at all: give it {@link Operation#NEVER} as its
 * return time and a null output.
 */
public final class LinearizabilityChecker {

    private LinearizabilityChecker() {}

    /**
     * The sequential specification of the object.
     *
     * @param <S> its state (with equals and hashCode)
     * @param <I> an operation's input
     * @param <O> an operation's output
     */
    public interface Model<S, I, O> {
        S initial();

        /**
         * The state after applying {@code input} to {@code state}, if the operation may return
         * {@code output} there (any output when {@code output} is null: it never returned), else empty.
         */
        Optional<S> step(S state, I input, O output);
    }

    /**
     * One operation of the history.
     *
     * @param client who called it (for messages)
     * @param input what was asked
     * @param output what was answered; null if it never returned
     * @param invokedAt when it was called
     * @param returnedAt when it returned; {@link #NEVER} if it did not
     */
    public record Operation<I, O>(long client, I input, O output, long invokedAt, long returnedAt) {
        public static final long NEVER = Long.MAX_VALUE;

        public Operation {
            if (returnedAt < invokedAt) {
                throw new IllegalArgumentException("returned at " + returnedAt + " before invoked at " + invokedAt);
            }
        }

        boolean returned() {
            return returnedAt != NEVER;
        }
    }

    /** The verdict, with an explanation when the history is not linearizable. */
    public record Result(boolean linearizable, String explanation) {}

    /** An event of the history: an operation's call or return, in a doubly linked list. */
    private static final class Event {
        final int op;
        final boolean call;
        Event match;
        Event prev;
        Event next;

        Event(int op, boolean call) {
            this.op = op;
            this.call = call;
        }
    }

    private record Explored(BitSet linearized, Object state) {}

    /** Checks {@code history} against {@code model}. */
    public static <S, I, O> Result check(Model<S, I, O> model, List<Operation<I, O>> history) {
        Event head = events(history);
        int mustLinearize = (int) history.stream().filter(Operation::returned).count();
        BitSet linearized = new BitSet(history.size());
        Set<Explored> explored = new HashSet<>();
        ArrayDeque<Event> calls = new ArrayDeque<>();
        ArrayDeque<S> states = new ArrayDeque<>();
        S state = model.initial();
        int done = 0;
        int deepest = 0;
        Event entry = head.next;
        while (done < mustLinearize) {
            if (entry == null) {
                return notLinearizable(history, linearized, deepest);
            }
            if (entry.call) {
                Operation<I, O> op = history.get(entry.op);
                Optional<S> next = model.step(state, op.input(), op.output());
                BitSet with = (BitSet) linearized.clone();
                with.set(entry.op);
                if (next.isPresent() && explored.add(new Explored(with, next.get()))) {
                    calls.push(entry);
                    states.push(state);
                    state = next.get();
                    linearized.set(entry.op);
                    done += op.returned() ? 1 : 0;
                    deepest = Math.max(deepest, done);
                    lift(entry);
                    entry = head.next;
                } else {
                    entry = entry.next;
                }
            } else {
                if (calls.isEmpty()) {
                    return notLinearizable(history, linearized, deepest);
                }
                entry = calls.pop();
                state = states.pop();
                linearized.clear(entry.op);
                done -= history.get(entry.op).returned() ? 1 : 0;
                unlift(entry);
                entry = entry.next;
            }
        }
        return new Result(true, "linearizable");
    }

    private static <I, O> Event events(List<Operation<I, O>> history) {
        List<Event> events = new ArrayList<>(2 * history.size());
        for (int i = 0; i < history.size(); i++) {
            Event call = new Event(i, true);
            Event ret = new Event(i, false);
            call.match = ret;
            ret.match = call;
            events.add(call);
            events.add(ret);
        }
        // By time; at equal times calls first, so operations that touch are concurrent.
        events.sort(Comparator.comparingLong((Event e) -> e.call ? history.get(e.op).invokedAt()
                : history.get(e.op).returnedAt()).thenComparing(e -> !e.call));
        Event head = new Event(-1, false);
        Event last = head;
        for (Event e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        return head;
    }

    private static void lift(Event call) {
        call.prev.next = call.next;
        call.next.prev = call.prev;
        Event ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Event call) {
        Event ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        call.next.prev = call;
    }

    private static <I, O> Result notLinearizable(List<Operation<I, O>> history, BitSet linearized, int deepest) {
        StringBuilder out = new StringBuilder("not linearizable: at most " + deepest + " of "
                + history.stream().filter(Operation::returned).count() + " returned operations fit a legal order;"
                + " operations (client, input, output, invoked, returned):");
        for (Operation<I, O> op : history) {
            out.append("\n  ").append(op.client()).append(' ').append(op.input()).append(" -> ")
                    .append(Objects.toString(op.output(), "?")).append("  [").append(op.invokedAt()).append(", ")
                    .append(op.returned() ? Long.toString(op.returnedAt()) : "never").append(']');
        }
        return new Result(false, out.toString());
    }
}
