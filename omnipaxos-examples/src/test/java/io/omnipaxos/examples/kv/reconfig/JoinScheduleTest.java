package io.omnipaxos.examples.kv.reconfig;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JoinScheduleTest {

    private static final long START = 1_000_000_000L;

    private static long at(long millis) {
        return START + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void withoutALearnerItTriesToLearnEverySecondAndFetchesEveryTime() {
        JoinSchedule schedule = new JoinSchedule(START);
        assertTrue(schedule.learnAttemptDue(START));
        schedule.learnAttempted(false, START);
        assertFalse(schedule.learnAttemptDue(at(Configurations.LEARN_RETRY_MILLIS - 1)));
        assertTrue(schedule.learnAttemptDue(at(Configurations.LEARN_RETRY_MILLIS)));

        assertTrue(schedule.fetchDue(START));
        schedule.fetched(START);
        assertTrue(schedule.fetchDue(at(1)), "no learner: each round of the loop may ask");
    }

    @Test
    void aLearnerThatAppliesHoldsOffTheFetchUntilItStalls() {
        JoinSchedule schedule = new JoinSchedule(START);
        schedule.learnAttempted(true, START);
        assertFalse(schedule.learnAttemptDue(at(5 * Configurations.LEARN_RETRY_MILLIS)), "one learner at a time");

        long stall = Configurations.LEARNER_STALL_MILLIS;
        schedule.learnerApplied(10, at(stall - 100));
        assertFalse(schedule.fetchDue(at(stall)), "it applied 100 ms ago");
        schedule.learnerApplied(10, at(2 * stall - 200)); // nothing new: still moved at stall - 100
        assertTrue(schedule.fetchDue(at(2 * stall - 100)), "it has applied nothing for the stall time");

        schedule.fetched(at(2 * stall - 100));
        assertFalse(schedule.fetchDue(at(2 * stall)), "a stalled learner is not given up: ask again later");
        assertTrue(schedule.fetchDue(at(2 * stall - 100 + Configurations.STALLED_LEARNER_FETCH_MILLIS)));

        schedule.learnerStopped();
        assertTrue(schedule.learnAttemptDue(at(3 * stall)));
    }
}
