package io.omnipaxos;

import io.omnipaxos.messages.Promise;
import java.util.Collection;
import java.util.List;

/**
 * How a new leader makes the most up-to-date promised log its own at the end of the prepare phase
 * (OmniPaxos paper, section 5: the log with the highest accepted round, then the longest, wins).
 * {@link LeaderRole} decides when; this class reads the promises and writes the adopted log.
 *
 * <p>A promise carries at most one message's bytes of its log. When the best one is a part, the
 * leader adopts that part under the round it was accepted in (its log is then a prefix of that log,
 * a state any follower of that round could be in, so a crash in between loses nothing) and prepares
 * again from its new log end, until a quorum's promises carry whole logs.
 */
final class LogAdoption<T> {

    private final ProtocolState<T> state;

    LogAdoption(ProtocolState<T> state) {
        this.state = state;
    }

    /** The promise whose log is more up to date than ours, by (accepted round, log length), or null. */
    Promise<T> mostUpToDate(Collection<FollowerProgress<T>> followers) {
        Promise<T> best = null;
        Ballot bestRound = state.log.acceptedRound();
        long bestIdx = state.log.logLength();
        for (FollowerProgress<T> follower : followers) {
            Promise<T> p = follower.promise;
            if (p == null) {
                continue;
            }
            int byRound = p.acceptedRound().compareTo(bestRound);
            if (byRound > 0 || (byRound == 0 && p.acceptedIdx() > bestIdx)) {
                best = p;
                bestRound = p.acceptedRound();
                bestIdx = p.acceptedIdx();
            }
        }
        return best;
    }

    /** The highest decided index among ours and the promises'. */
    long maxDecidedIdx(Collection<FollowerProgress<T>> followers) {
        long maxDecidedIdx = state.log.decidedIdx();
        for (FollowerProgress<T> follower : followers) {
            if (follower.promise != null) {
                maxDecidedIdx = Math.max(maxDecidedIdx, follower.promise.decidedIdx());
            }
        }
        return maxDecidedIdx;
    }

    /**
     * Whether a promise more up to date than our log can be adopted into it: its suffix leaves no gap
     * after our log, replaces none of our decided entries by a snapshot, and, from our own round
     * (where logs are prefixes of one another), extends our log. A promise that answers a Prepare
     * sent before we adopted part of another log may not.
     */
    boolean answersOurLog(Promise<T> promise) {
        LogStore<T> log = state.log;
        if (carriesSnapshot(promise)) {
            return promise.suffixIdx() >= log.decidedIdx();
        }
        boolean sameRound = promise.acceptedRound().equals(log.acceptedRound());
        return promise.suffixIdx() <= log.logLength() && (!sameRound || endOf(promise) > log.logLength());
    }

    /** Whether a promise carries its log to the end: a long suffix comes in parts, one per Prepare. */
    static <T> boolean carriesWholeLog(Promise<T> promise) {
        return endOf(promise) >= promise.acceptedIdx();
    }

    /**
     * Makes {@code best}'s whole log ours (or keeps ours if {@code best} is null) under {@code ballot},
     * with the highest promised decided index. No honest server's decided index exceeds the adopted
     * log (what was decided is in the most up-to-date log); one that claims more is not believed. A
     * promise that carries a snapshot replaces our prefix by it.
     */
    void adoptWhole(Promise<T> best, long maxDecidedIdx, Ballot ballot) {
        LogStore<T> log = state.log;
        long decidedIdx = Math.min(maxDecidedIdx, best == null ? log.logLength() : endOf(best));
        if (best == null) {
            log.syncLog(log.logLength(), List.of(), null, ballot, decidedIdx);
        } else if (carriesSnapshot(best)) {
            log.installSnapshot(best.suffixIdx(), best.snapshot(), best.suffix(), best.stopSign(), ballot,
                    Math.max(decidedIdx, best.suffixIdx()));
        } else {
            long fromIdx = Math.max(best.suffixIdx(), log.decidedIdx());
            log.syncLog(fromIdx, entriesFrom(best, fromIdx), best.stopSign(), ballot, decidedIdx);
        }
    }

    /** Makes the part of {@code best}'s log it carries ours, under the round it was accepted in. */
    void adoptPart(Promise<T> best, long maxDecidedIdx) {
        LogStore<T> log = state.log;
        if (carriesSnapshot(best)) {
            long end = best.suffixIdx() + best.suffix().size();
            log.installSnapshot(best.suffixIdx(), best.snapshot(), best.suffix(), null, best.acceptedRound(),
                    Math.max(Math.min(maxDecidedIdx, end), best.suffixIdx()));
        } else {
            long fromIdx = Math.max(best.suffixIdx(), log.decidedIdx());
            List<T> entries = entriesFrom(best, fromIdx);
            log.syncLog(fromIdx, entries, null, best.acceptedRound(),
                    Math.min(maxDecidedIdx, fromIdx + entries.size()));
        }
        state.logger.info("server {}: adopted server {}'s log up to {} of {}; preparing again for the rest",
                state.pid, best.from(), log.logLength(), best.acceptedIdx());
    }

    /** Whether a promise replaces our log by the sender's snapshot (we lack entries it compacted). */
    private boolean carriesSnapshot(Promise<T> promise) {
        return promise.snapshot() != null && promise.suffixIdx() > state.log.compactedIdx();
    }

    /** Where the promise's suffix (and stop-sign) ends. */
    private static <T> long endOf(Promise<T> promise) {
        return promise.suffixIdx() + promise.suffix().size() + (promise.stopSign() == null ? 0 : 1);
    }

    /** The promise's entries from {@code fromIdx} (at or after its suffix index) on. */
    private static <T> List<T> entriesFrom(Promise<T> promise, long fromIdx) {
        int skip = (int) Math.min(promise.suffix().size(), fromIdx - promise.suffixIdx());
        return promise.suffix().subList(skip, promise.suffix().size());
    }
}
