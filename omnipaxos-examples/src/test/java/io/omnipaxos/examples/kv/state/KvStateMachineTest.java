package io.omnipaxos.examples.kv.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** At-most-once application and the duplicate table's cleanup. */
class KvStateMachineTest {

    private final KvStateMachine machine = new KvStateMachine();

    @Test
    void operationsDoWhatTheySay() {
        assertEquals(KvReply.notFound(1), machine.apply(new KvCommand(1, 1, 0, KvOp.GET, "k", "")));
        assertEquals(KvReply.ok(2), machine.apply(new KvCommand(1, 2, 1, KvOp.PUT, "k", "a")));
        assertEquals(KvReply.ok(3), machine.apply(new KvCommand(1, 3, 2, KvOp.APPEND, "k", "b")));
        assertEquals(KvReply.value(4, "ab"), machine.apply(new KvCommand(1, 4, 3, KvOp.GET, "k", "")));
        assertEquals(KvReply.ok(5), machine.apply(new KvCommand(1, 5, 4, KvOp.DELETE, "k", "")));
        assertEquals(KvReply.notFound(6), machine.apply(new KvCommand(1, 6, 5, KvOp.DELETE, "k", "")));
    }

    @Test
    void aDuplicateGetsTheOriginalReplyAndIsNotAppliedAgain() {
        KvCommand append = new KvCommand(7, 1, 0, KvOp.APPEND, "k", "x");
        assertEquals(KvReply.ok(1), machine.apply(append));
        machine.apply(new KvCommand(8, 1, 0, KvOp.PUT, "other", "y"));
        assertEquals(KvReply.ok(1), machine.apply(append));
        assertEquals("x", machine.valueOf("k"));
        assertEquals(1, machine.duplicateCount());
        // A GET's recorded reply is the value it saw then, not the value now.
        KvCommand get = new KvCommand(7, 2, 0, KvOp.GET, "k", "");
        assertEquals(KvReply.value(2, "x"), machine.apply(get));
        machine.apply(new KvCommand(9, 1, 0, KvOp.APPEND, "k", "z"));
        assertEquals(KvReply.value(2, "x"), machine.apply(get));
    }

    @Test
    void acknowledgementsShrinkTheTableAndLateDuplicatesAreRefused() {
        for (long n = 1; n <= 10; n++) {
            machine.apply(new KvCommand(3, n, 0, KvOp.APPEND, "k", "."));
        }
        assertEquals(10, machine.unacknowledgedReplies(3));
        machine.apply(new KvCommand(3, 11, 8, KvOp.APPEND, "k", "."));
        assertEquals(3, machine.unacknowledgedReplies(3)); // 9, 10, 11
        KvReply late = machine.apply(new KvCommand(3, 5, 0, KvOp.APPEND, "k", "."));
        assertEquals(KvStatus.ERROR, late.status());
        assertEquals(".".repeat(11), machine.valueOf("k"));
    }

    @Test
    void aClientCannotHoldMoreUnacknowledgedRepliesThanTheLimit() {
        int limit = KvStateMachine.MAX_UNACKED_PER_CLIENT;
        for (long n = 1; n <= limit; n++) {
            machine.apply(new KvCommand(4, n, 0, KvOp.PUT, "k", "v"));
        }
        assertEquals(KvStatus.ERROR, machine.apply(new KvCommand(4, limit + 1, 0, KvOp.PUT, "k", "v")).status());
        assertEquals(KvReply.ok(limit + 2), machine.apply(new KvCommand(4, limit + 2, limit, KvOp.PUT, "k", "v")));
    }
}
