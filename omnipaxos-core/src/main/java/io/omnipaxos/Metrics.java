package io.omnipaxos;

import io.omnipaxos.messages.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one server has done and where it stands, for monitoring: {@link OmniPaxos#metrics()}
 * returns the same view for the life of the instance, and any thread may read it at any time
 * without touching the instance. Counters only grow; gauges are as of the end of the instance's
 * latest call. The instance's own thread writes every value with release semantics and no lock, so
 * the hot path pays a few plain stores per call; a reader sees each value whole, though two values
 * read one after the other may come from different calls. Everything counted is derived from the
 * inputs alone (ticks stand for time), so the core stays deterministic.
 */
public final class Metrics {

    /** Counter indices. */
    private static final int PROPOSALS = 0;
    private static final int DECIDED_ENTRIES = 1;
    private static final int LEADER_CHANGES = 2;
    private static final int ELECTION_ROUNDS = 3;
    private static final int BATCHES = 4;
    private static final int BATCHED_ENTRIES = 5;
    private static final int DROPPED_INCOMING = 6;
    private static final int REJECTED_INCOMING = 7;
    private static final int DROPPED_OUTGOING = 8;
    private static final int DROPPED_PROPOSALS = 9;
    private static final int STORAGE_WRITES = 10;
    private static final int STORAGE_WRITES_DURABLE = 11;
    private static final int TICKS = 12;
    private static final int STORAGE_WAIT_TICKS = 13;
    /** Gauge indices, after the counters. */
    private static final int DECIDED_IDX = 14;
    private static final int LOG_LENGTH = 15;
    private static final int COMPACTED_IDX = 16;
    private static final int LEADER_PID = 17;
    private static final int LEADER_ROUND = 18;
    private static final int IS_LEADER = 19;
    private static final int STORAGE_LONGEST_WAIT_TICKS = 20;
    private static final int VALUES = 21;

    /** Every concrete message type, in a fixed order (the sealed hierarchy's). */
    private static final List<Class<?>> MESSAGE_TYPES = concreteTypes(Message.class);
    private static final ClassValue<Integer> TYPE_INDEX = new ClassValue<>() {
        @Override
        protected Integer computeValue(Class<?> type) {
            return MESSAGE_TYPES.indexOf(type);
        }
    };

    private final long pid;
    private final int configurationId;
    private final AtomicLongArray values = new AtomicLongArray(VALUES);
    private final AtomicLongArray messagesIn = new AtomicLongArray(MESSAGE_TYPES.size());
    private final AtomicLongArray messagesOut = new AtomicLongArray(MESSAGE_TYPES.size());
    private volatile Map<Long, Long> followerAcceptedIdx = Map.of();
    private Ballot lastLeader = Ballot.NONE;

    Metrics(long pid, int configurationId) {
        this.pid = pid;
        this.configurationId = configurationId;
    }

    // ---- read by anyone --------------------------------------------------------------------

    /** This server's pid. */
    public long pid() {
        return pid;
    }

    /** The configuration this instance runs. */
    public int configurationId() {
        return configurationId;
    }

    /** Entries appended on this server and taken (not refused). */
    public long proposals() {
        return values.get(PROPOSALS);
    }

    /** Log slots this server learned decided (its decided index, counted as it grows). */
    public long decidedEntries() {
        return values.get(DECIDED_ENTRIES);
    }

    /** Times the leader this server knows changed to another ballot (the first leader included). */
    public long leaderChanges() {
        return values.get(LEADER_CHANGES);
    }

    /** Heartbeat rounds of leader election this server ran. */
    public long electionRounds() {
        return values.get(ELECTION_ROUNDS);
    }

    /** Batches this server wrote and replicated as leader. */
    public long batchesFlushed() {
        return values.get(BATCHES);
    }

    /** Entries in those batches: with {@link #batchesFlushed()}, the mean batch size. */
    public long entriesFlushed() {
        return values.get(BATCHED_ENTRIES);
    }

    /** Messages dropped on arrival: from outside the configuration, to another pid, of another configuration id. */
    public long droppedIncoming() {
        return values.get(DROPPED_INCOMING);
    }

    /** Messages refused as ones their sender may not send (see {@link OmniPaxos#rejectedIncomingCount()}). */
    public long rejectedIncoming() {
        return values.get(REJECTED_INCOMING);
    }

    /** Outgoing messages dropped because {@code buffer_size} were waiting. */
    public long droppedOutgoing() {
        return values.get(DROPPED_OUTGOING);
    }

    /** Proposals dropped: too many waiting, or arriving after the stop-sign. */
    public long droppedProposals() {
        return values.get(DROPPED_PROPOSALS);
    }

    /** Storage writes issued since the instance was built. */
    public long storageWritesIssued() {
        return values.get(STORAGE_WRITES);
    }

    /** Of those, the ones known durable (all of them with a synchronous storage). */
    public long storageWritesDurable() {
        return values.get(STORAGE_WRITES_DURABLE);
    }

    /**
     * Storage write latency, in ticks (the core keeps no clock): the ticks every write known durable
     * waited, from the tick that issued it to the one {@link OmniPaxos#persisted} reported it,
     * summed; divided by {@link #storageWritesDurable} the mean. Always 0 with a synchronous storage.
     */
    public long storageWriteWaitTicks() {
        return values.get(STORAGE_WAIT_TICKS);
    }

    /** The longest any storage write waited to become durable, in ticks. */
    public long storageWriteLongestWaitTicks() {
        return values.get(STORAGE_LONGEST_WAIT_TICKS);
    }

    /** Ticks since the instance was built. */
    public long ticks() {
        return values.get(TICKS);
    }

    /** The decided index. */
    public long decidedIdx() {
        return values.get(DECIDED_IDX);
    }

    /** The log's length (the stop-sign's slot included). */
    public long logLength() {
        return values.get(LOG_LENGTH);
    }

    /** The compacted (trimmed or snapshotted) prefix's end. */
    public long compactedIdx() {
        return values.get(COMPACTED_IDX);
    }

    /** The pid of the leader this server knows, if any. */
    public OptionalLong leader() {
        long leader = values.get(LEADER_PID);
        return leader == 0 ? OptionalLong.empty() : OptionalLong.of(leader);
    }

    /** The round of the leader's ballot, 0 while no leader is known. */
    public long leaderRound() {
        return values.get(LEADER_ROUND);
    }

    /** Whether this server leads. */
    public boolean isLeader() {
        return values.get(IS_LEADER) == 1;
    }

    /**
     * On the leader, each follower's (and learner's) accepted log length in this round, by pid, as of
     * the latest tick: the leader's {@link #logLength()} minus it is the follower's lag. Empty on
     * other servers.
     */
    public Map<Long, Long> followerAcceptedIdx() {
        return followerAcceptedIdx;
    }

    /** Messages received (handed to {@code handleIncoming}), by type name, every type listed. */
    public Map<String, Long> messagesIn() {
        return byType(messagesIn);
    }

    /** Messages sent (taken from the outbox), by type name, every type listed. */
    public Map<String, Long> messagesOut() {
        return byType(messagesOut);
    }

    // ---- written by the instance's thread --------------------------------------------------

    void received(Message<?> message) {
        increment(messagesIn, TYPE_INDEX.get(message.getClass()));
    }

    void sent(Message<?> message) {
        increment(messagesOut, TYPE_INDEX.get(message.getClass()));
    }

    void proposed() {
        increment(values, PROPOSALS);
    }

    void electionRound() {
        increment(values, ELECTION_ROUNDS);
    }

    void tick() {
        increment(values, TICKS);
    }

    void batchFlushed(int entries) {
        increment(values, BATCHES);
        values.lazySet(BATCHED_ENTRIES, values.get(BATCHED_ENTRIES) + entries);
    }

    void followers(Map<Long, Long> acceptedIdx) {
        followerAcceptedIdx = acceptedIdx;
    }

    /** End of a call: the gauges, and what the counters learn from them. */
    void publish(ProtocolState<?> state, long droppedIncoming, long droppedOutgoing) {
        LogStore<?> log = state.log;
        long decided = log.decidedIdx();
        long before = values.get(DECIDED_IDX);
        if (decided > before) {
            values.lazySet(DECIDED_ENTRIES, values.get(DECIDED_ENTRIES) + decided - before);
        }
        values.lazySet(DECIDED_IDX, decided);
        values.lazySet(LOG_LENGTH, log.logLength());
        values.lazySet(COMPACTED_IDX, log.compactedIdx());
        if (!state.leader.equals(lastLeader)) {
            lastLeader = state.leader;
            if (!lastLeader.equals(Ballot.NONE)) {
                increment(values, LEADER_CHANGES);
            }
        }
        values.lazySet(LEADER_PID, lastLeader.pid());
        values.lazySet(LEADER_ROUND, lastLeader.n());
        values.lazySet(IS_LEADER, state.role == Role.LEADER ? 1 : 0);
        if (state.role != Role.LEADER && !followerAcceptedIdx.isEmpty()) {
            followerAcceptedIdx = Map.of();
        }
        values.lazySet(DROPPED_INCOMING, droppedIncoming);
        values.lazySet(REJECTED_INCOMING, state.rejectedMessages());
        values.lazySet(DROPPED_OUTGOING, droppedOutgoing);
        values.lazySet(DROPPED_PROPOSALS, state.droppedProposals());
        values.lazySet(STORAGE_WRITES, log.writesIssued());
        values.lazySet(STORAGE_WRITES_DURABLE, log.writesDurable());
        values.lazySet(STORAGE_WAIT_TICKS, log.writeWaitTicks());
        values.lazySet(STORAGE_LONGEST_WAIT_TICKS, log.longestWriteWaitTicks());
    }

    private static void increment(AtomicLongArray array, int index) {
        array.lazySet(index, array.get(index) + 1);
    }

    private static Map<String, Long> byType(AtomicLongArray counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < MESSAGE_TYPES.size(); i++) {
            out.put(MESSAGE_TYPES.get(i).getSimpleName(), counts.get(i));
        }
        return Collections.unmodifiableMap(out);
    }

    private static List<Class<?>> concreteTypes(Class<?> root) {
        List<Class<?>> out = new ArrayList<>();
        if (root.isSealed()) {
            for (Class<?> sub : root.getPermittedSubclasses()) {
                out.addAll(concreteTypes(sub));
            }
        } else {
            out.add(root);
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "Metrics[pid " + pid + ", decided " + decidedIdx() + ", leader " + leader() + ", proposals "
                + proposals() + ", leader changes " + leaderChanges() + "]";
    }
}
