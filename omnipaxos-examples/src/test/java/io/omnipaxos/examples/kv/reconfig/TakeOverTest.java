package io.omnipaxos.examples.kv.reconfig;

import static io.omnipaxos.examples.kv.reconfig.Configurations.takesOver;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which member of the next configuration takes it over at once instead of waiting for an election. */
class TakeOverTest {

    @Test
    void theOldLeaderTakesOverWhenItIsAMember() {
        List<Long> members = List.of(1L, 2L, 4L);
        assertTrue(takesOver(2, members, 2));
        assertFalse(takesOver(1, members, 2), "the smallest pid waits: the old leader is a member");
        assertFalse(takesOver(4, members, 2));
    }

    @Test
    void theSmallestMemberTakesOverWhenTheOldLeaderIsNotAMember() {
        List<Long> members = List.of(5L, 1L, 4L); // in any order
        assertEquals(List.of(1L), members.stream().filter(pid -> takesOver(pid, members, 3)).toList());
    }

    @Test
    void noOneTakesOverWhenTheOldLeaderIsUnknown() {
        List<Long> members = List.of(1L, 4L, 5L);
        assertTrue(members.stream().noneMatch(pid -> takesOver(pid, members, 0)));
    }
}
