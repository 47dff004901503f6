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
 * its encoded state to {@link #offerAppliedState} just before calling {@code snapshot}, and the
 * next create or merge returns that instead of decoding and replaying (same state, less work on
 * the event loop). One instance per node; not thread-safe, like the node.
 */
public final class KvSnapshots implements Snapshot<KvEntry> {

    /** An instance for one node. */
    public KvSnapshots() {}

    private byte[] offeredState;

    /**
     * The state after applying the log up to the index of the snapshot that is about to be made;
     * used by the next create or merge only.
     */
    public void offerAppliedState(byte[] encodedState) {
        offeredState = encodedState;
    }

    /** Drops an offer that no create or merge took (the snapshot was refused). */
    public void withdrawOffer() {
        offeredState = null;
    }

    private KvEntry takeOffer() {
        byte[] state = offeredState;
        offeredState = null;
        return state == null ? null : new KvSnapshot(state, List.of());
    }

    @Override
    public KvEntry create(List<KvEntry> entries) {
        KvEntry offered = takeOffer();
        if (offered != null) {
            return offered;
        }
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
        KvEntry offered = takeOffer();
        if (offered != null) {
            return offered;
        }
        KvSnapshot later = (KvSnapshot) delta;
        if (later.hasState()) { // a whole state (e.g. an offer that create took) replaces the base
            return later.commands().isEmpty() ? later : new KvSnapshot(later.toStateMachine().encode(), List.of());
        }
        KvStateMachine machine = ((KvSnapshot) base).toStateMachine();
        later.commands().forEach(machine::apply);
        return new KvSnapshot(machine.encode(), List.of());
    }
}
