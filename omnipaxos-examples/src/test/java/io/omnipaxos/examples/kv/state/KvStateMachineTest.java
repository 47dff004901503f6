package io.omnipaxos.examples.kv.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    }

    @Test
    void aGetIsNotRecordedAndARetryReadsTheValueAtItsNewPlaceInTheLog() {
        machine.apply(new KvCommand(7, 1, 0, KvOp.PUT, "k", "x".repeat(60_000)));
        KvCommand get = new KvCommand(7, 2, 0, KvOp.GET, "k", "");
        assertEquals(KvReply.value(2, "x".repeat(60_000)), machine.apply(get));
        assertEquals(1, machine.unacknowledgedReplies(7), "only the PUT's outcome is kept, not the 60 kB value");
        assertEquals(1, machine.recordedReplies());
        machine.apply(new KvCommand(9, 1, 0, KvOp.PUT, "k", "z"));
        assertEquals(KvReply.value(2, "z"), machine.apply(get), "still within the retried request's time");
        assertEquals(0, machine.duplicateCount());
    }

    @Test
    void recordedRepliesAreBoundedInAllAndErrorsKeepAShortText() {
        String chunk = "y".repeat(KvCommand.MAX_VALUE_BYTES);
        int chunks = KvStateMachine.MAX_STORED_VALUE_BYTES / KvCommand.MAX_VALUE_BYTES;
        for (long n = 1; n <= chunks; n++) {
            machine.apply(new KvCommand(5, n, n - 1, KvOp.APPEND, "big", chunk));
        }
        long next = chunks + 1;
        KvReply refused = machine.apply(new KvCommand(5, next, next - 1, KvOp.APPEND, "big", "y"));
        assertEquals(KvStatus.ERROR, refused.status());
        KvReply again = machine.apply(new KvCommand(5, next, next - 1, KvOp.APPEND, "big", "y"));
        assertEquals(KvStatus.ERROR, again.status(), "the retry gets the recorded outcome");
        assertTrue(again.text().length() <= KvStateMachine.MAX_RECORDED_ERROR_CHARS);
        assertTrue(refused.text().startsWith(again.text()));

        long clients = KvStateMachine.MAX_RECORDED_REPLIES / KvStateMachine.MAX_UNACKED_PER_CLIENT + 2;
        for (long client = 100; client < 100 + clients; client++) {
            for (long n = 1; n <= KvStateMachine.MAX_UNACKED_PER_CLIENT; n++) {
                machine.apply(new KvCommand(client, n, 0, KvOp.PUT, "k", "v"));
                assertTrue(machine.recordedReplies() <= KvStateMachine.MAX_RECORDED_REPLIES);
            }
        }
        assertEquals(0, machine.unacknowledgedReplies(5), "the least recently used session went first");
        assertEquals(KvStateMachine.MAX_UNACKED_PER_CLIENT, machine.unacknowledgedReplies(100 + clients - 1));
        KvStateMachine decoded = KvStateMachine.decode(machine.encode());
        assertEquals(machine.recordedReplies(), decoded.recordedReplies());
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

    @Test
    void anUnknownSessionIsToldItExpiredInsteadOfHavingARetryAppliedTwice() {
        KvCommand register = new KvCommand(11, 5, 4, KvOp.REGISTER, "", "");
        assertEquals(KvReply.ok(5), machine.apply(register));
        assertEquals(KvReply.ok(5), machine.apply(register), "a retried REGISTER is answered again");
        KvCommand append = new KvCommand(11, 6, 5, KvOp.APPEND, "log", "a");
        assertEquals(KvReply.ok(6), machine.apply(append));

        for (long flood = 1; flood <= KvStateMachine.MAX_SESSIONS; flood++) {
            machine.apply(new KvCommand(1_000_000 + flood, 1, 0, KvOp.REGISTER, "", ""));
        }
        assertEquals(0, machine.unacknowledgedReplies(11), "the flood evicted the session");
        assertEquals(KvReply.sessionExpired(6), machine.apply(append), "the retry is refused, not applied again");
        assertEquals("a", machine.valueOf("log"));
        assertEquals(KvReply.sessionExpired(7), machine.apply(new KvCommand(11, 7, 6, KvOp.GET, "log", "")));
        assertEquals(KvReply.sessionExpired(3), machine.apply(new KvCommand(12, 3, 0, KvOp.PUT, "k", "v")),
                "a client never registered is refused too");
        assertEquals(KvReply.ok(8), machine.apply(new KvCommand(13, 8, 7, KvOp.REGISTER, "", "")));
        assertEquals(KvReply.ok(9), machine.apply(new KvCommand(13, 9, 8, KvOp.APPEND, "log", "b")));
        assertEquals("ab", machine.valueOf("log"));
    }

    @Test
    void aCopyEncodesLikeTheOriginalAndStaysAsItWasWhileTheOriginalGoesOn() {
        for (long client = 1; client <= 3; client++) {
            for (long n = 1; n <= 5; n++) {
                machine.apply(new KvCommand(client, n, Math.max(0, n - 2), KvOp.APPEND, "k" + (n % 3), "v" + client));
            }
        }
        machine.apply(new KvCommand(1, 6, 5, KvOp.GET, "k1", "")); // moves client 1 to most recently used
        byte[] before = machine.encode();
        KvStateMachine copy = machine.copy();
        assertArrayEquals(before, copy.encode(), "same state, same session order");
        machine.apply(new KvCommand(2, 6, 5, KvOp.PUT, "k1", "changed"));
        machine.apply(new KvCommand(4, 1, 0, KvOp.DELETE, "k2", ""));
        machine.apply(new KvCommand(3, 6, 5, KvOp.APPEND, "k0", "more"));
        assertArrayEquals(before, copy.encode(), "the copy shares nothing that the original changes");
        assertEquals("changed", machine.valueOf("k1"));
        assertEquals(KvStateMachine.decode(before).valueOf("k1"), copy.valueOf("k1"));
        assertEquals(machine.appliedCount() - 3, copy.appliedCount());
    }

    /** Copies share the sessions: each side, and each later copy, keeps its own acknowledgements and replies. */
    @Test
    void copiesInTurnAndTheOriginalEachKeepTheirOwnSessions() {
        for (long n = 1; n <= 4; n++) {
            machine.apply(new KvCommand(1, n, 0, KvOp.PUT, "k", "v" + n));
        }
        KvStateMachine first = machine.copy();
        byte[] firstState = first.encode();
        machine.apply(new KvCommand(1, 5, 3, KvOp.PUT, "k", "v5")); // acknowledges 1-3, records 5
        KvStateMachine second = machine.copy();
        byte[] secondState = second.encode();
        machine.apply(new KvCommand(1, 6, 5, KvOp.PUT, "k", "v6"));
        first.apply(new KvCommand(1, 5, 4, KvOp.PUT, "k", "other")); // the copy goes on as a state machine

        assertArrayEquals(secondState, second.encode(), "the second copy, after both sides went on");
        assertEquals(1, machine.unacknowledgedReplies(1), "the original: only 6 unacknowledged");
        assertEquals(1, first.unacknowledgedReplies(1), "the first copy: only its own 5");
        assertEquals(2, second.unacknowledgedReplies(1), "the second copy: 4 and 5");
        assertEquals(4, KvStateMachine.decode(firstState).unacknowledgedReplies(1), "the first copy's state: 1-4");
        assertEquals(KvReply.ok(5), second.apply(new KvCommand(1, 5, 3, KvOp.PUT, "k", "retried")),
                "the second copy answers a retry of 5 from its own record");
        assertEquals("v5", second.valueOf("k"));
    }

    @Test
    void aCopyThatGoesOnFirstLeavesTheOriginalAsItWas() {
        machine.apply(new KvCommand(1, 1, 0, KvOp.PUT, "k", "v1"));
        byte[] originalState = machine.encode();
        KvStateMachine copy = machine.copy();
        copy.apply(new KvCommand(1, 2, 1, KvOp.PUT, "k", "v2")); // the copy changes the shared session first
        assertArrayEquals(originalState, machine.encode());
        assertEquals(1, machine.unacknowledgedReplies(1));
    }

    @Test
    void aStateOfNonAsciiTextRoundTripsThoughItsEncodingOutgrowsTheFirstGuess() {
        // The encoder sizes its array for one byte per char: these keys and values take two to four.
        for (long n = 1; n <= 50; n++) {
            machine.apply(new KvCommand(1, n, n - 1, KvOp.PUT, "clé-" + n, "värde😀日本語".repeat((int) n)));
        }
        machine.apply(new KvCommand(2, 1, 0, KvOp.GET, "clé-7", ""));
        byte[] encoded = machine.encode();
        KvStateMachine decoded = KvStateMachine.decode(encoded);
        assertEquals(50, decoded.size());
        assertEquals("värde😀日本語".repeat(7), decoded.valueOf("clé-7"));
        assertArrayEquals(encoded, decoded.encode(), "decoding and encoding again gives the same bytes");
        assertEquals(machine.appliedCount(), decoded.appliedCount());
    }
}
