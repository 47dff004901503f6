package io.omnipaxos.examples.kv.peer;

import java.util.Set;
import java.util.TreeSet;

/**
 * Links a node pretends are cut, for fault-injection tests: a partition without network
 * namespaces. A message to a peer in {@link #dropOut()} is never sent, and a message from a peer
 * in {@link #dropIn()} is dropped on arrival, while the connections stay up: the network falls
 * silent, as a real partition does, and nothing reports a link down. Cutting one direction only
 * gives the partial connectivity that Ballot Leader Election is built for. The node's successive
 * instances (one per configuration) share it; a restart forgets it.
 *
 * <p>Only a node started with {@code --fault-injection} lets its HTTP port set it ({@code POST
 * /faults}). Written on the node's event loop; read there and, for status, elsewhere.
 */
public final class LinkFaults {

    /** Immutable sets, replaced whole. */
    private volatile Set<Long> dropIn = Set.of();
    private volatile Set<Long> dropOut = Set.of();
    private volatile long droppedIncoming;
    private volatile long droppedOutgoing;

    /** From now on drops the messages from {@code dropIn} and those to {@code dropOut} (empty sets: none). */
    public void set(Set<Long> dropIn, Set<Long> dropOut) {
        this.dropIn = Set.copyOf(dropIn);
        this.dropOut = Set.copyOf(dropOut);
    }

    /** Peers whose messages are dropped on arrival. */
    public Set<Long> dropIn() {
        return new TreeSet<>(dropIn);
    }

    /** Peers to which nothing is sent. */
    public Set<Long> dropOut() {
        return new TreeSet<>(dropOut);
    }

    /** Messages dropped on arrival so far. */
    public long droppedIncoming() {
        return droppedIncoming;
    }

    /** Messages not sent so far. */
    public long droppedOutgoing() {
        return droppedOutgoing;
    }

    /** Whether a message from {@code peer} is to be dropped; counts it if so. Event loop only. */
    boolean dropsIncoming(long peer) {
        if (dropIn.contains(peer)) {
            droppedIncoming++;
            return true;
        }
        return false;
    }

    /** Whether a message to {@code peer} is to be dropped; counts it if so. Event loop only. */
    boolean dropsOutgoing(long peer) {
        if (dropOut.contains(peer)) {
            droppedOutgoing++;
            return true;
        }
        return false;
    }

    /** The state as JSON: {@code {"drop_in":[..],"drop_out":[..],"dropped_in":n,"dropped_out":n}}. */
    public String toJson() {
        return "{\"drop_in\":" + dropIn() + ",\"drop_out\":" + dropOut() + ",\"dropped_in\":" + droppedIncoming
                + ",\"dropped_out\":" + droppedOutgoing + "}";
    }
}
