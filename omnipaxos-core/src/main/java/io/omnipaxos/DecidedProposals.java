package io.omnipaxos;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where this server's own proposals were decided: runs of log slots with the ids of the entries
 * in them, kept until {@link OmniPaxos#takeDecided} hands those slots out, which labels each
 * {@link LogEntry.Decided} of ours with its proposal id. Runs merge when both the slots and the ids
 * follow on (a leader's batches), so steady use holds a few runs; at most {@code maxRuns} are kept
 * (the lowest go first: an application that never takes decided slots loses labels, not memory).
 */
final class DecidedProposals {

    /** A run's first slot, mapped to {@code {end slot (exclusive), id of the first slot}}. */
    private final TreeMap<Long, long[]> runs = new TreeMap<>();
    private final int maxRuns;

    DecidedProposals(int maxRuns) {
        this.maxRuns = maxRuns;
    }

    /** Our proposals with ids {@code firstId, firstId + 1, ...} were decided at {@code [from, to)}. */
    void add(long from, long to, long firstId) {
        if (from >= to) {
            return;
        }
        Map.Entry<Long, long[]> before = runs.floorEntry(from);
        if (before != null && before.getValue()[0] == from
                && before.getValue()[1] + (from - before.getKey()) == firstId) {
            before.getValue()[0] = to;
        } else {
            runs.put(from, new long[] {to, firstId});
        }
        while (runs.size() > maxRuns) {
            runs.pollFirstEntry();
        }
    }

    /**
     * Labels our decided entries in {@code entries}, the slots read from {@code from} on, with their
     * proposal ids (in place), and forgets the runs those slots cover.
     */
    <T> void label(List<LogEntry<T>> entries, long from) {
        if (runs.isEmpty()) {
            return;
        }
        long idx = from;
        for (int i = 0; i < entries.size(); i++) {
            LogEntry<T> entry = entries.get(i);
            if (entry instanceof LogEntry.Snapshotted<T> s) {
                idx = s.compactedIdx();
            } else if (entry instanceof LogEntry.Trimmed<T> t) {
                idx = t.compactedIdx();
            } else {
                if (entry instanceof LogEntry.Decided<T> d) {
                    long id = idAt(idx);
                    if (id != 0) {
                        entries.set(i, new LogEntry.Decided<>(d.entry(), id));
                    }
                }
                idx++;
            }
        }
        forgetBelow(idx);
    }

    /** The id of our proposal decided at {@code idx}, or 0; forgets the runs below {@code idx}. */
    private long idAt(long idx) {
        forgetBelow(idx);
        Map.Entry<Long, long[]> first = runs.firstEntry();
        return first != null && first.getKey() <= idx ? first.getValue()[1] + (idx - first.getKey()) : 0;
    }

    private void forgetBelow(long idx) {
        Map.Entry<Long, long[]> first = runs.firstEntry();
        while (first != null && first.getValue()[0] <= idx) {
            runs.pollFirstEntry();
            first = runs.firstEntry();
        }
    }

    /** Runs kept, for the invariants. */
    int size() {
        return runs.size();
    }
}
