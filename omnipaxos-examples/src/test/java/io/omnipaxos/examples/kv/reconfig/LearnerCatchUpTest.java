package io.omnipaxos.examples.kv.reconfig;

import static io.omnipaxos.examples.kv.reconfig.LearnerCatchUp.CONTACT_MILLIS;
import static io.omnipaxos.examples.kv.reconfig.LearnerCatchUp.MAX_MILLIS;
import static io.omnipaxos.examples.kv.reconfig.LearnerCatchUp.waitsFor;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When a reconfiguration's stop-sign stops waiting for a new node that learns the running configuration. */
class LearnerCatchUpTest {

    @Test
    void aLearnerThatHoldsEverythingDecidedIsNotWaitedFor() {
        assertFalse(waitsFor(500, 500, true, 10));
        assertFalse(waitsFor(600, 500, true, 10), "it accepted more than is decided yet");
        assertFalse(waitsFor(0, 0, false, 10), "nothing decided: nothing to hold");
    }

    @Test
    void aLearnerBehindIsWaitedForWhileItIsLinkedOrHasAnswered() {
        assertTrue(waitsFor(499, 500, true, 10));
        assertTrue(waitsFor(0, 500, true, CONTACT_MILLIS + 1), "linked, its first sync still on its way");
        assertTrue(waitsFor(100, 500, false, CONTACT_MILLIS + 1), "answered before, its link down for a moment");
    }

    @Test
    void aLearnerNeverReachedIsWaitedForOnlyUntilTheContactTimeout() {
        assertTrue(waitsFor(0, 500, false, CONTACT_MILLIS - 1));
        assertFalse(waitsFor(0, 500, false, CONTACT_MILLIS));
    }

    @Test
    void noLearnerIsWaitedForPastTheLongestWait() {
        assertTrue(waitsFor(100, 500, true, MAX_MILLIS - 1));
        assertFalse(waitsFor(100, 500, true, MAX_MILLIS));
    }
}
