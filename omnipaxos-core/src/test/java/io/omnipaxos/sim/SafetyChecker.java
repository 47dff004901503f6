package io.omnipaxos.sim;

import io.omnipaxos.Ballot;
import io.omnipaxos.LeaderInfo;
import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.StopSign;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the safety properties of a cluster after every step: all servers agree on decided
 * prefixes, a server's decided index never goes backwards while it runs, decided entries never
 * change (also across crashes), only appended entries are decided, and at most one server leads
 * a ballot. A snapshot must list exactly the decided entries it replaces, and at most one stop-sign
 * is ever decided: the same one at the same index on every server, with nothing decided after it.
 * Every appended value is unique, and none is decided at two indices.
 */
final class SafetyChecker {

    private final Set<String> appended;
    /** The decided log as learned from all servers so far. */
    private final List<String> chosen = new ArrayList<>();
    private final Map<Long, Long> verifiedIdxByPid = new HashMap<>();
    private final Map<Long, Long> decidedIdxByPid = new HashMap<>();
    private final Map<Ballot, Long> leaderByBallot = new HashMap<>();
    /** Where each decided value was decided: every appended value is unique, so at one index only. */
    private final Map<String, Long> indexOfChosen = new HashMap<>();
    private StopSign decidedStopSign;
    private long stopSignIdx = -1;

    SafetyChecker(Set<String> appended) {
        this.appended = appended;
    }

    List<String> chosen() {
        return chosen;
    }

    /** The decided stop-sign, if any server decided one. */
    Optional<StopSign> decidedStopSign() {
        return Optional.ofNullable(decidedStopSign);
    }

    /** A restarted server re-reads its whole decided log; its decided index may start lower. */
    void onRestart(long pid) {
        decidedIdxByPid.remove(pid);
        verifiedIdxByPid.put(pid, 0L);
    }

    void check(long pid, OmniPaxos<String> server) {
        long decidedIdx = server.getDecidedIdx();
        Long previous = decidedIdxByPid.put(pid, decidedIdx);
        if (previous != null && decidedIdx < previous) {
            throw new AssertionError("server " + pid + ": decided index went back from " + previous + " to " + decidedIdx);
        }
        checkDecidedEntries(pid, server, decidedIdx);
        checkLeader(pid, server.getCurrentLeaderInfo());
    }

    private void checkDecidedEntries(long pid, OmniPaxos<String> server, long decidedIdx) {
        long idx = verifiedIdxByPid.getOrDefault(pid, 0L);
        if (decidedIdx <= idx) {
            return;
        }
        for (LogEntry<String> entry : server.readDecidedSuffix(idx)) {
            if (entry instanceof LogEntry.Trimmed<String> trimmed) {
                idx = trimmed.compactedIdx();
                continue;
            }
            if (entry instanceof LogEntry.Snapshotted<String> snapshotted) {
                idx = checkSnapshot(pid, idx, snapshotted);
                continue;
            }
            if (entry instanceof LogEntry.StopSign<String> stopSign) {
                checkStopSign(pid, idx, stopSign);
                idx++;
                continue;
            }
            if (!(entry instanceof LogEntry.Decided<String> decided)) {
                throw new AssertionError("server " + pid + ": readDecidedSuffix returned " + entry);
            }
            checkDecided(pid, idx, decided.entry());
            idx++;
        }
        verifiedIdxByPid.put(pid, idx);
    }

    /** A snapshot must list exactly the decided entries below its compacted index. */
    private long checkSnapshot(long pid, long idx, LogEntry.Snapshotted<String> snapshotted) {
        List<String> values = ListSnapshot.entriesOf(snapshotted.snapshot());
        if (values.size() != snapshotted.compactedIdx()) {
            throw new AssertionError("server " + pid + ": snapshot up to " + snapshotted.compactedIdx() + " lists "
                    + values.size() + " entries");
        }
        for (long i = idx; i < values.size(); i++) {
            checkDecided(pid, i, values.get((int) i));
        }
        return Math.max(idx, snapshotted.compactedIdx());
    }

    private void checkStopSign(long pid, long idx, LogEntry.StopSign<String> entry) {
        if (!entry.decided()) {
            throw new AssertionError("server " + pid + ": readDecidedSuffix returned an undecided " + entry);
        }
        if (decidedStopSign == null) {
            if (idx != chosen.size()) {
                throw new AssertionError("server " + pid + " decided a stop-sign at " + idx + " but the log has "
                        + chosen.size() + " decided entries");
            }
            decidedStopSign = entry.stopSign();
            stopSignIdx = idx;
        } else if (idx != stopSignIdx || !decidedStopSign.equals(entry.stopSign())) {
            throw new AssertionError("server " + pid + " decided " + entry.stopSign() + " at " + idx + " but another"
                    + " server decided " + decidedStopSign + " at " + stopSignIdx);
        }
    }

    private void checkDecided(long pid, long idx, String value) {
        if (stopSignIdx >= 0 && idx >= stopSignIdx) {
            throw new AssertionError("server " + pid + " decided " + value + " at " + idx
                    + ", at or after the decided stop-sign at " + stopSignIdx);
        }
        if (idx < chosen.size()) {
            if (!chosen.get((int) idx).equals(value)) {
                throw new AssertionError("server " + pid + " decided " + value + " at " + idx
                        + " but another server decided " + chosen.get((int) idx));
            }
            return;
        }
        if (idx != chosen.size()) {
            throw new AssertionError("server " + pid + " decided index " + idx + " beyond the known log " + chosen.size());
        }
        if (!appended.contains(value)) {
            throw new AssertionError("server " + pid + " decided " + value + " at " + idx + ", which nobody appended");
        }
        Long earlier = indexOfChosen.putIfAbsent(value, idx);
        if (earlier != null) {
            throw new AssertionError("server " + pid + " decided " + value + " at " + idx + " and at " + earlier
                    + ": appended once, decided twice");
        }
        chosen.add(value);
    }

    private void checkLeader(long pid, Optional<LeaderInfo> leader) {
        if (leader.isEmpty() || leader.get().pid() != pid || !leader.get().accepting()) {
            return;
        }
        Long other = leaderByBallot.putIfAbsent(leader.get().ballot(), pid);
        if (other != null && other != pid) {
            throw new AssertionError("servers " + other + " and " + pid + " both lead ballot " + leader.get().ballot());
        }
    }
}
