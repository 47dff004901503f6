package io.omnipaxos.examples.kv.reconfig;

import io.omnipaxos.StopSign;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.NodeAddressCodec;
import io.omnipaxos.examples.kv.peer.ReplicaNode;
import io.omnipaxos.examples.kv.state.KvEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader's reconfiguration that adds nodes, before its stop-sign is proposed: the new nodes are
 * made {@linkplain io.omnipaxos.OmniPaxos#addLearner learners} of the running configuration (the
 * leader dials them and replicates the log to them), and the stop-sign waits until each holds
 * everything decided. A new node then decides the stop-sign with the others and starts the next
 * configuration from its own copy of the final state: no node copies the state while writes wait.
 *
 * <p>The wait is bounded: a new node not linked with the leader within {@link #CONTACT_MILLIS} (not
 * started yet, unreachable) is not waited for, nor is any after {@link #MAX_MILLIS}; such a node
 * fetches the state once the stop-sign is decided, as it would without learners. Event loop only.
 */
public final class LearnerCatchUp {

    /** How long a new node may take to answer the leader as a learner before the leader stops waiting for it. */
    public static final long CONTACT_MILLIS = 3_000;

    /** The longest the stop-sign waits for the learners to catch up (a client gives a request 30 s). */
    static final long MAX_MILLIS = 20_000;

    private static final Logger EVENTS = LoggerFactory.getLogger(KvLogging.EVENTS);

    private final ReplicaNode<KvEntry> node;
    private final StopSign wanted;
    private final List<Long> learners;
    private final long startNanos;

    private LearnerCatchUp(ReplicaNode<KvEntry> node, StopSign wanted, List<Long> learners, long startNanos) {
        this.node = node;
        this.wanted = wanted;
        this.learners = learners;
        this.startNanos = startNanos;
    }

    /**
     * Makes the nodes of {@code wanted}'s next configuration that are not nodes of {@code
     * leader}'s learners of it; null if there are none (the stop-sign may be proposed at once).
     *
     * @param wanted a stop-sign whose metadata holds every next node's address (checked before)
     */
    public static LearnerCatchUp start(ReplicaNode<KvEntry> leader, StopSign wanted, long nowNanos) {
        List<Long> current = leader.paxos().config().cluster().nodes();
        List<Long> added = wanted.nextConfig().nodes().stream().filter(pid -> !current.contains(pid)).sorted().toList();
        if (added.isEmpty()) {
            return null;
        }
        Map<Long, NodeAddress> addresses = NodeAddressCodec.decode(wanted.metadata());
        for (long pid : added) {
            leader.addLearner(addresses.get(pid));
        }
        EVENTS.info("reconfiguration to {}: nodes {} learn configuration {} first; the stop-sign waits until they "
                + "hold everything decided", wanted.nextConfig(), added, leader.paxos().config().cluster()
                .configurationId());
        return new LearnerCatchUp(leader, wanted, added, nowNanos);
    }

    /** The stop-sign that waits. */
    public StopSign wanted() {
        return wanted;
    }

    /** Whether this catch-up runs on {@code running} (and not on an instance that ended). */
    public boolean runsOn(ReplicaNode<KvEntry> running) {
        return node == running;
    }

    /**
     * Whether the stop-sign may be proposed now: every learner holds everything decided, or the
     * rest are not waited for (see the class comment). Says so on the console when it is.
     */
    public boolean ready(long nowNanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nowNanos - startNanos);
        Map<Long, Long> accepted = node.paxos().metrics().followerAcceptedIdx();
        long decided = node.paxos().getDecidedIdx();
        Set<Long> linked = node.linkedPeers();
        List<Long> waitingFor = learners.stream().filter(pid -> waitsFor(accepted.getOrDefault(pid, 0L), decided,
                linked.contains(pid), millis)).toList();
        if (!waitingFor.isEmpty()) {
            return false;
        }
        List<Long> behind = learners.stream().filter(pid -> accepted.getOrDefault(pid, 0L) < decided).toList();
        if (behind.isEmpty()) {
            EVENTS.info("learners {} hold the log up to the decided index {} after {} ms", learners, decided, millis);
        } else {
            EVENTS.warn("learners {} are behind the decided index {} after {} ms: proposing the stop-sign anyway "
                    + "(they fetch the state once it is decided)", behind, decided, millis);
        }
        return true;
    }

    /**
     * Whether to go on waiting for a learner that accepted {@code accepted} entries when {@code
     * decided} are decided, {@code millis} after the catch-up started; {@code linked}: its link is up.
     */
    static boolean waitsFor(long accepted, long decided, boolean linked, long millis) {
        if (accepted >= decided || millis >= MAX_MILLIS) {
            return false;
        }
        return linked || accepted > 0 || millis < CONTACT_MILLIS;
    }

    /** The reconfiguration is given up (leadership lost): the learners are sent nothing more. */
    public void cancel() {
        learners.forEach(node::removeLearner);
    }
}
