package io.omnipaxos.examples.kv.server;

import io.netty.channel.EventLoop;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.peer.ReplicaNode;
import io.omnipaxos.examples.kv.state.KvEntry;
import io.omnipaxos.examples.kv.state.KvSnapshot;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots the node's map every {@code snapshot_interval} applied entries without holding up the
 * event loop for the encoding: on the loop it copies the state machine (a pass over the map's
 * segments, which the copy shares, and the sessions), a worker thread encodes the copy, and back on the loop the node installs the bytes
 * as the snapshot of the log up to the index the copy was taken at ({@link
 * ReplicaNode#installSnapshot}). One snapshot at a time; one taken for a state that was replaced
 * meanwhile (a new configuration, a snapshot installed from the leader) is dropped. Anything the
 * worker throws stops the node. Event loop only, except the worker's task.
 *
 * <p>The nodes of a cluster apply the same entries at nearly the same moment, so with one interval
 * they would all snapshot at once: where they share machines (or a disk) their encodings and
 * snapshot writes then compete with every node's event loop together. The first snapshot after a
 * state is replaced therefore comes early by a per-node share of the interval ({@link #phase}),
 * and the later ones every {@code interval} entries after it, so the nodes keep out of step.
 */
final class SnapshotTaker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTaker.class);
    private final Logger events = LoggerFactory.getLogger(KvLogging.EVENTS);

    private final long interval;
    /** How much earlier than {@code interval} the first snapshot after a replaced state comes. */
    private final long phase;
    private final EventLoop loop;
    private final Consumer<Throwable> onFatal;
    private final ExecutorService worker;
    /** The index of the last snapshot, taken here or installed from elsewhere. */
    private long snapshotIdx;
    /** The applied index at which the next snapshot is due. */
    private long dueIdx;
    /** Bumped whenever the state is replaced, so that a snapshot of the old state is not installed. */
    private long generation;
    private boolean inFlight;

    /**
     * @param interval applied entries between snapshots; 0 for none
     * @param onFatal called on the loop if encoding fails
     */
    SnapshotTaker(long pid, long interval, EventLoop loop, Consumer<Throwable> onFatal) {
        this.interval = interval;
        this.phase = phase(pid, interval);
        this.dueIdx = interval - phase;
        this.loop = loop;
        this.onFatal = onFatal;
        this.worker = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "kv-snapshot-node" + pid);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A quarter of the interval for each step of {@code pid} modulo 4: 0, 1/4, 1/2 or 3/4 of it. */
    static long phase(long pid, long interval) {
        return interval / 4 * Math.floorMod(pid, 4);
    }

    /** Runs on the event loop after each snapshot installed (a metrics counter). */
    private Runnable onTaken = () -> { };

    /** Sets what runs on the event loop after each snapshot installed. Before the first snapshot. */
    void onTaken(Runnable action) {
        this.onTaken = action;
    }

    /** The state now stands for the log up to {@code idx} (0: a new configuration starts). */
    void stateReplaced(long idx) {
        snapshotIdx = idx;
        dueIdx = idx + interval - phase;
        generation++;
    }

    /** Starts a snapshot if one is due (see the class comment) and none is running. */
    void takeIfDue(ReplicaNode<KvEntry> node, KvStateMachine machine) {
        long applied = node == null ? 0 : node.appliedIdx();
        if (node == null || interval == 0 || inFlight || applied < dueIdx) {
            return;
        }
        long startedAt = System.nanoTime();
        KvStateMachine copy = machine.copy();
        long copyMillis = (System.nanoTime() - startedAt) / 1_000_000;
        long taken = generation;
        inFlight = true;
        try {
            worker.execute(() -> encode(node, taken, applied, copy, startedAt, copyMillis));
        } catch (RejectedExecutionException closing) {
            inFlight = false;
        }
    }

    private void encode(ReplicaNode<KvEntry> node, long taken, long applied, KvStateMachine copy, long startedAt,
            long copyMillis) {
        try {
            byte[] state = copy.encode();
            loop.execute(() -> install(node, taken, applied, state, copy.size(), startedAt, copyMillis));
        } catch (RejectedExecutionException closing) {
            LOG.debug("snapshot at {} dropped: the node is closing", applied);
        } catch (Throwable failure) {
            loop.execute(() -> onFatal.accept(failure));
        }
    }

    private void install(ReplicaNode<KvEntry> node, long taken, long applied, byte[] state, int keys, long startedAt,
            long copyMillis) {
        inFlight = false;
        if (taken != generation || applied <= snapshotIdx) {
            return; // the state was replaced since the copy
        }
        long installAt = System.nanoTime();
        boolean installed = node.installSnapshot(applied, new KvSnapshot(state, List.of()));
        snapshotIdx = applied; // if refused (compacted past it meanwhile), try again after the next interval
        dueIdx = applied + interval;
        if (installed) {
            onTaken.run();
            long now = System.nanoTime();
            events.info("snapshot of the log up to index {} ({} keys, {} bytes) in {} ms; {} ms of it on the event"
                    + " loop", applied, keys, state.length, (now - startedAt) / 1_000_000,
                    copyMillis + (now - installAt) / 1_000_000);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
