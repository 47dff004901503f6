package io.omnipaxos.examples.kv.state;

import io.omnipaxos.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The key-value store's {@link Snapshot}: a delta is the list of its commands (a command's effect
 * depends on the state before it: APPEND, and the at-most-once sessions), and merging applies the
 * delta to the base's state machine and keeps only the resulting encoded state. So every snapshot
 * after the first is the bare state, whose size depends on the data, not on the log's length.
 *
 * <p>A node that snapshots at the index it has applied up to already holds the result: it hands
 * its encoded state to {@code OmniPaxos.installSnapshot} instead, and neither method runs (no
 * decoding and replaying on the event loop). Stateless.
 */
public final class KvSnapshots implements Snapshot<KvEntry> {

    /** An instance for one node. */
    public KvSnapshots() {}

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
        KvSnapshot later = (KvSnapshot) delta;
        if (later.hasState()) { // a whole state (e.g. one a node installed) replaces the base
            return later.commands().isEmpty() ? later : new KvSnapshot(later.toStateMachine().encode(), List.of());
        }
        KvStateMachine machine = ((KvSnapshot) base).toStateMachine();
        later.commands().forEach(machine::apply);
        return new KvSnapshot(machine.encode(), List.of());
    }
}
