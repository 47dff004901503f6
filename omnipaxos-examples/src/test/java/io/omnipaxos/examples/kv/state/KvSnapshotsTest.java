package io.omnipaxos.examples.kv.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link KvSnapshots}: what a merge of a base and a later snapshot stands for. */
class KvSnapshotsTest {

    private final KvSnapshots snapshots = new KvSnapshots();

    private static KvCommand put(long request, String key, String value) {
        return new KvCommand(1, request, request - 1, KvOp.PUT, key, value);
    }

    private static KvSnapshot stateOf(KvCommand... commands) {
        KvStateMachine machine = new KvStateMachine();
        for (KvCommand command : commands) {
            machine.apply(command);
        }
        return new KvSnapshot(machine.encode(), List.of());
    }

    @Test
    void aLaterWholeStateReplacesTheBaseAsItIs() {
        KvSnapshot base = stateOf(put(1, "a", "1"));
        KvSnapshot later = stateOf(put(1, "a", "1"), put(2, "b", "2"));
        assertSame(later, snapshots.merge(base, later), "no decoding and encoding again");
    }

    @Test
    void laterCommandsApplyOnTheBase() {
        KvSnapshot base = stateOf(put(1, "a", "1"));
        KvSnapshot merged = (KvSnapshot) snapshots.merge(base, new KvSnapshot(new byte[0], List.of(put(2, "b", "2"))));
        KvStateMachine machine = merged.toStateMachine();
        assertEquals("1", machine.valueOf("a"));
        assertEquals("2", machine.valueOf("b"));
        assertEquals(List.of(), merged.commands());
    }

    @Test
    void aLaterStateWithCommandsIsAppliedWhole() {
        KvSnapshot base = stateOf(put(1, "a", "1"));
        KvSnapshot later = new KvSnapshot(stateOf(put(1, "c", "3")).state(), List.of(put(2, "d", "4")));
        KvStateMachine machine = ((KvSnapshot) snapshots.merge(base, later)).toStateMachine();
        assertNull(machine.valueOf("a"), "the base is replaced");
        assertEquals("3", machine.valueOf("c"));
        assertEquals("4", machine.valueOf("d"));
    }
}
