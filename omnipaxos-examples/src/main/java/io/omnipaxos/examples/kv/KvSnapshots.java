package io.omnipaxos.examples.kv;

import io.omnipaxos.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The key-value store's {@link Snapshot}: a delta is the list of its commands (a command's effect
 * depends on the state before it: APPEND, and the at-most-once sessions), and merging applies the
 * delta to the base's state machine and keeps only the resulting encoded state. So every snapshot
 * after the first is the bare state, whose size depends on the data, not on the log's length.
 */
public final class KvSnapshots implements Snapshot<KvEntry> {

    /** The shared instance (stateless). */
    public static final KvSnapshots INSTANCE = new KvSnapshots();

    private KvSnapshots() {}

    @Override
    public KvEntry create(List<KvEntry> entries) {
        List<KvCommand> commands = new ArrayList<>(entries.size());
        KvStateMachine base = null;
        for (KvEntry entry : entries) {
            if (entry instanceof KvCommand command) {
                commands.add(command);
            } else if (entry instanceof KvSnapshot snapshot) {
                // A seeded state in the log (not made by this class): it replaces everything before it.
                base = snapshot.toStateMachine();
                commands.clear();
            }
        }
        if (base == null) {
            return new KvSnapshot(new byte[0], commands);
        }
        commands.forEach(base::apply);
        return new KvSnapshot(base.encode(), List.of());
    }

    @Override
    public KvEntry merge(KvEntry base, KvEntry delta) {
        KvStateMachine machine = ((KvSnapshot) base).toStateMachine();
        KvSnapshot later = (KvSnapshot) delta;
        if (later.state().length > 0) {
            machine = later.toStateMachine();
        } else {
            later.commands().forEach(machine::apply);
        }
        return new KvSnapshot(machine.encode(), List.of());
    }
}
