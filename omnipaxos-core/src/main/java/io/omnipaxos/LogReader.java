package io.omnipaxos;

import java.util.ArrayList;
import java.util.List;

/** Turns a range of the stored log into {@link LogEntry} values for reads. */
final class LogReader {

    private LogReader() {}

    /** Reads {@code [from, to)}, which lies within the log; a trimmed part reads as one Trimmed entry. */
    static <T> List<LogEntry<T>> read(LogStore<T> log, long from, long to) {
        List<LogEntry<T>> result = new ArrayList<>((int) Math.min(to - from, 1 << 16));
        long compactedIdx = log.compactedIdx();
        long start = from;
        if (start < compactedIdx && start < to) {
            result.add(new LogEntry.Trimmed<>(compactedIdx));
            start = compactedIdx;
        }
        if (start >= to) {
            return result;
        }
        long decidedIdx = log.decidedIdx();
        long idx = start;
        for (T entry : log.entries(start, to)) {
            result.add(idx < decidedIdx ? new LogEntry.Decided<>(entry) : new LogEntry.Undecided<>(entry));
            idx++;
        }
        return result;
    }
}
