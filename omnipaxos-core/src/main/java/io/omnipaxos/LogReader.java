package io.omnipaxos;

import java.util.ArrayList;
import java.util.List;

/** Turns a range of the stored log into {@link LogEntry} values for reads. */
final class LogReader {

    private LogReader() {}

    /**
     * Reads {@code [from, to)}, which lies within the log: a compacted part reads as one Snapshotted
     * or Trimmed entry, and the stop-sign's slot as a StopSign entry.
     */
    static <T> List<LogEntry<T>> read(LogStore<T> log, long from, long to) {
        List<LogEntry<T>> result = new ArrayList<>((int) Math.min(to - from, 1 << 16));
        long compactedIdx = log.compactedIdx();
        long start = from;
        if (start < compactedIdx && start < to) {
            result.add(compactedPrefix(log, compactedIdx));
            start = compactedIdx;
        }
        long entriesEnd = Math.min(to, log.entriesEnd());
        long decidedIdx = log.decidedIdx();
        if (start < entriesEnd) {
            long idx = start;
            for (T entry : log.entries(start, entriesEnd)) {
                result.add(idx < decidedIdx ? new LogEntry.Decided<>(entry) : new LogEntry.Undecided<>(entry));
                idx++;
            }
        }
        if (to > log.entriesEnd() && log.stopSign() != null) {
            result.add(new LogEntry.StopSign<>(log.stopSign(), decidedIdx > log.entriesEnd()));
        }
        return result;
    }

    private static <T> LogEntry<T> compactedPrefix(LogStore<T> log, long compactedIdx) {
        return log.snapshot().<LogEntry<T>>map(s -> new LogEntry.Snapshotted<>(compactedIdx, s))
                .orElseGet(() -> new LogEntry.Trimmed<>(compactedIdx));
    }
}
