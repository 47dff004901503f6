package io.omnipaxos.examples.kv.reconfig;

import java.util.concurrent.TimeUnit;

/**
 * When a joining node ({@link Configurations}) tries to start a learner of the running
 * configuration, and when it asks every node for the state instead: at once while no learner runs,
 * and only after the learner has applied nothing for {@link Configurations#LEARNER_STALL_MILLIS}
 * while one runs (then every {@link Configurations#STALLED_LEARNER_FETCH_MILLIS}). Times are
 * {@link System#nanoTime} values, passed in.
 */
final class JoinSchedule {

    private boolean learnerRuns;
    private long nextLearnAttempt;
    private long nextFetch;
    private long learnerApplied = -1;
    private long learnerMoved;

    JoinSchedule(long nowNanos) {
        nextLearnAttempt = nowNanos;
        nextFetch = nowNanos;
        learnerMoved = nowNanos;
    }

    /** Whether to try to start a learner now: none runs and the last attempt is long enough ago. */
    boolean learnAttemptDue(long nowNanos) {
        return !learnerRuns && nowNanos - nextLearnAttempt >= 0;
    }

    /** An attempt to start a learner was made; {@code started}: whether one runs now. */
    void learnAttempted(boolean started, long nowNanos) {
        learnerRuns = started;
        nextLearnAttempt = nowNanos + millis(Configurations.LEARN_RETRY_MILLIS);
    }

    /** Whether a learner instance runs. */
    boolean learnerRuns() {
        return learnerRuns;
    }

    /** The learner was stopped (it decided the stop-sign, or the state came by a fetch). */
    void learnerStopped() {
        learnerRuns = false;
    }

    /** The running learner has applied up to {@code appliedIdx}: it moves if that grew. */
    void learnerApplied(long appliedIdx, long nowNanos) {
        if (appliedIdx != learnerApplied) {
            learnerApplied = appliedIdx;
            learnerMoved = nowNanos;
        }
    }

    /** Whether to ask every node for the state now. */
    boolean fetchDue(long nowNanos) {
        boolean learnerStalled = nowNanos - learnerMoved >= millis(Configurations.LEARNER_STALL_MILLIS);
        return nowNanos - nextFetch >= 0 && (!learnerRuns || learnerStalled);
    }

    /** A round of asking for the state was made (whatever it found). */
    void fetched(long nowNanos) {
        nextFetch = nowNanos + millis(learnerRuns ? Configurations.STALLED_LEARNER_FETCH_MILLIS : 0);
    }

    private static long millis(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
