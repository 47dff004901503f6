package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.Storage;
import java.util.Objects;

/**
 * Checks that a store reopened after a crash holds a prefix of the writes an {@link AsyncWorkload}
 * made on it: it replays the workload on a model storage (in the state the store had when the
 * workload started) write by write, and finds the first count of writes, at least the number a
 * {@code sync()} acknowledged, after which the model equals the reopened store.
 *
 * <p>Equal means: the same log length, compacted index, promise, accepted round, snapshot,
 * stop-sign and retained entries; and the same decided index, or, where it may lag, one at most
 * the model's (the workload never lowers it) and at least the compacted index.
 */
final class PrefixCheck {

    private PrefixCheck() {
    }

    /**
     * Replays {@code workload} on {@code model} until it equals {@code reopened}, comparing from
     * {@code acknowledged} writes on and giving up after {@code maxWrites}. Leaves the model in the
     * matching state, with the reopened store's decided index.
     *
     * @return the number of writes the reopened store holds
     * @throws AssertionError naming {@code where} and the first difference seen at {@code acknowledged}
     */
    static long findPrefix(Storage<String> model, AsyncWorkload workload, long acknowledged, long maxWrites,
            Storage<String> reopened, boolean decidedMayLag, String where) {
        while (workload.made() < acknowledged) {
            workload.next(model);
        }
        String firstDifference = difference(model, reopened, decidedMayLag);
        for (String d = firstDifference; d != null; d = difference(model, reopened, decidedMayLag)) {
            if (workload.made() >= maxWrites) {
                throw new AssertionError(where + ": the reopened store " + reopened + " matches no prefix of "
                        + acknowledged + " to " + maxWrites + " writes; after the " + acknowledged
                        + " acknowledged ones: " + firstDifference);
            }
            workload.next(model);
        }
        if (model.getDecidedIdx() != reopened.getDecidedIdx()) {
            model.setDecidedIdx(reopened.getDecidedIdx()); // what the next life starts from
        }
        return workload.made();
    }

    /** The first difference between the two storages, or null if they are equal (see the class comment). */
    static String difference(Storage<String> model, Storage<String> reopened, boolean decidedMayLag) {
        String d = differs("log length", model.getLogLength(), reopened.getLogLength());
        d = d != null ? d : differs("compacted index", model.getCompactedIdx(), reopened.getCompactedIdx());
        d = d != null ? d : differs("promise", model.getPromise(), reopened.getPromise());
        d = d != null ? d : differs("accepted round", model.getAcceptedRound(), reopened.getAcceptedRound());
        d = d != null ? d : differs("stop-sign", model.getStopSign(), reopened.getStopSign());
        d = d != null ? d : differs("snapshot", model.getSnapshot(), reopened.getSnapshot());
        d = d != null ? d : differs("entries", model.getSuffix(model.getCompactedIdx()),
                reopened.getSuffix(reopened.getCompactedIdx()));
        if (d != null) {
            return d;
        }
        long decided = reopened.getDecidedIdx();
        if (!decidedMayLag) {
            return differs("decided index", model.getDecidedIdx(), decided);
        }
        if (decided > model.getDecidedIdx() || decided < reopened.getCompactedIdx()) {
            return "decided index " + decided + " is not in [compacted " + reopened.getCompactedIdx() + ", model's "
                    + model.getDecidedIdx() + "]";
        }
        return null;
    }

    private static String differs(String what, Object expected, Object actual) {
        return Objects.equals(expected, actual) ? null : what + ": model " + expected + ", reopened " + actual;
    }
}
