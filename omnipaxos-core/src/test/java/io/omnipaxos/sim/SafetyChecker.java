package io.omnipaxos.sim;

import io.omnipaxos.Ballot;
import io.omnipaxos.LeaderInfo;
import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
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
 * a ballot.
 */
final class SafetyChecker {

    private final Set<String> appended;
    /** The decided log as learned from all servers so far. */
    private final List<String> chosen = new ArrayList<>();
    private final Map<Long, Long> verifiedIdxByPid = new HashMap<>();
    private final Map<Long, Long> decidedIdxByPid = new HashMap<>();
    private final Map<Ballot, Long> leaderByBallot = new HashMap<>();

    SafetyChecker(Set<String> appended) {
        this.appended = appended;
    }

    List<String> chosen() {
        return chosen;
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
            if (!(entry instanceof LogEntry.Decided<String> decided)) {
                throw new AssertionError("server " + pid + ": readDecidedSuffix returned " + entry);
            }
            checkDecided(pid, idx, decided.entry());
            idx++;
        }
        verifiedIdxByPid.put(pid, idx);
    }

    private void checkDecided(long pid, long idx, String value) {
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
