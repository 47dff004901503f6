package io.omnipaxos.examples.kv.state;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A compacted prefix of the key-value store's log: the encoded state of a {@link KvStateMachine}
 * (see {@link KvStateMachine#encode()}; empty means the empty state) followed by commands still to
 * apply on top of it. {@link KvSnapshots} makes and merges them.
 *
 * @param state the encoded state machine, kept as given, not copied (it may be tens of MB: every
 *     caller passes an array it just made and no longer changes); {@link #state()} returns a copy
 * @param commands commands to apply after {@code state}, in log order
 */
public record KvSnapshot(byte[] state, List<KvCommand> commands) implements KvEntry {

    /** Validates the fields and copies the commands. */
    public KvSnapshot {
        Objects.requireNonNull(state, "state");
        commands = List.copyOf(commands);
    }

    /** A copy of the encoded state. */
    @Override
    public byte[] state() {
        return state.clone();
    }

    /** Whether it holds an encoded state (else it stands for the empty state and its commands); no copy. */
    public boolean hasState() {
        return state.length > 0;
    }

    /** The length of the encoded state, without copying it. */
    public int stateLength() {
        return state.length;
    }

    /** Puts the encoded state into {@code out}, without an intermediate copy (it may be megabytes). */
    public void putState(ByteBuffer out) {
        out.put(state);
    }

    /** The state machine this snapshot stands for. */
    public KvStateMachine toStateMachine() {
        KvStateMachine machine = state.length == 0 ? new KvStateMachine() : KvStateMachine.decode(state);
        for (KvCommand command : commands) {
            machine.apply(command);
        }
        return machine;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KvSnapshot s && Arrays.equals(state, s.state) && commands.equals(s.commands);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(state) + commands.hashCode();
    }

    @Override
    public String toString() {
        return "KvSnapshot[state=" + state.length + " bytes, commands=" + commands.size() + "]";
    }
}
