package io.omnipaxos;

import java.util.Objects;
import java.util.Optional;

/**
 * The part of the configuration that belongs to one server. Timeouts count calls of
 * {@code OmniPaxos.tick()}, never wall-clock time.
 *
 * @param pid this server's id, > 0 and one of the cluster's nodes
 * @param electionTickTimeout ticks per heartbeat round of leader election, >= 1
 * @param resendMessageTickTimeout ticks after which unanswered prepare-phase messages are sent again, >= 1
 * @param flushBatchTickTimeout ticks after which a partial batch of entries is flushed, >= 1 (a leader
 *     with nothing in flight also flushes a partial batch when its outgoing messages are taken)
 * @param bufferSize the most proposals and outgoing messages held in memory at once, >= 1
 * @param batchSize entries the leader collects before it writes and replicates them, in {@code [1, bufferSize]}
 * @param maxMessageBytes the most entry bytes one message carries, as the entry codec given to
 *     {@link OmniPaxosConfig#build(io.omnipaxos.storage.Storage, Snapshot, io.omnipaxos.codec.EntryCodec)}
 *     encodes them (4 bytes of length prefix each included): batches and catch-up are split into
 *     messages of at most this size, and a larger entry is refused at append; in {@code [1024,
 *     MAX_MESSAGE_BYTES]}, so that every entry accepted fits one record of {@code PersistentStorage}
 *     and one frame of the message codec's default limits. Without an
 *     entry codec sizes are unknown and only entry counts bound messages
 * @param leaderPriority breaks ties between ballots of the same round; higher wins, >= 0
 * @param loggerFilePath where the application should write this server's log, if anywhere
 * @param leaderLeaseTicks the leader lease in ticks, 0 (the default) for none: a server that
 *     confirms a leader's read round promises no other ballot for this many of its ticks after, so
 *     the leader may answer reads for a shorter time without a round; see {@link #leaseTicksForLeader()}
 * @param maxClockDriftPercent the most, in percent, by which the tick rate of any server may differ
 *     from real time (the lease's one assumption about clocks), in {@code [0, 50]}
 * @param learner whether this server is a learner: not one of the cluster's nodes, it receives the
 *     log from the leader and catches up, but never votes, counts in no quorum and is never elected
 *     (see {@link OmniPaxos#addLearner})
 */
public record ServerConfig(
        long pid,
        int electionTickTimeout,
        int resendMessageTickTimeout,
        int flushBatchTickTimeout,
        int bufferSize,
        int batchSize,
        int maxMessageBytes,
        int leaderPriority,
        Optional<String> loggerFilePath,
        int leaderLeaseTicks,
        int maxClockDriftPercent,
        boolean learner) {

    /** Default heartbeat round length in ticks. */
    public static final int DEFAULT_ELECTION_TICK_TIMEOUT = 5;
    /** Default resend timeout in ticks. */
    public static final int DEFAULT_RESEND_MESSAGE_TICK_TIMEOUT = 10;
    /** Default flush timeout in ticks. */
    public static final int DEFAULT_FLUSH_BATCH_TICK_TIMEOUT = 2;
    /** Default buffer size. */
    public static final int DEFAULT_BUFFER_SIZE = 100_000;
    /** Default batch size: every entry is replicated at once. */
    public static final int DEFAULT_BATCH_SIZE = 1;
    /** Default entry bytes per message: 8 MiB, half the codec's default frame limit. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
    /**
     * The largest {@code max_message_bytes}: 15 MiB, leaving room under the 16 MiB bounds of a
     * persistent log record and of a frame for headers, so an entry accepted at append can always
     * be stored and sent.
     */
    public static final int MAX_MESSAGE_BYTES = 15 * 1024 * 1024;
    /** Default bound on clock drift assumed by the leader lease: 5 %. */
    public static final int DEFAULT_MAX_CLOCK_DRIFT_PERCENT = 5;

    /** A configuration without a leader lease. */
    public ServerConfig(long pid, int electionTickTimeout, int resendMessageTickTimeout, int flushBatchTickTimeout,
            int bufferSize, int batchSize, int maxMessageBytes, int leaderPriority, Optional<String> loggerFilePath) {
        this(pid, electionTickTimeout, resendMessageTickTimeout, flushBatchTickTimeout, bufferSize, batchSize,
                maxMessageBytes, leaderPriority, loggerFilePath, 0, DEFAULT_MAX_CLOCK_DRIFT_PERCENT, false);
    }

    /**
     * Validates the values.
     *
     * @throws ConfigException naming the offending key and value
     */
    public ServerConfig {
        Objects.requireNonNull(loggerFilePath, "loggerFilePath");
        if (pid <= 0) {
            throw new ConfigException("pid must be > 0, got " + pid);
        }
        atLeast("election_tick_timeout", electionTickTimeout, 1);
        atLeast("resend_message_tick_timeout", resendMessageTickTimeout, 1);
        atLeast("flush_batch_tick_timeout", flushBatchTickTimeout, 1);
        atLeast("buffer_size", bufferSize, 1);
        atLeast("batch_size", batchSize, 1);
        atLeast("max_message_bytes", maxMessageBytes, 1024);
        if (maxMessageBytes > MAX_MESSAGE_BYTES) {
            throw new ConfigException("max_message_bytes must be <= " + MAX_MESSAGE_BYTES + " (15 MiB), got "
                    + maxMessageBytes);
        }
        atLeast("leader_priority", leaderPriority, 0);
        if (batchSize > bufferSize) {
            throw new ConfigException("batch_size must be <= buffer_size (" + bufferSize + "), got " + batchSize);
        }
        atLeast("max_clock_drift_percent", maxClockDriftPercent, 0);
        if (maxClockDriftPercent > 50) {
            throw new ConfigException("max_clock_drift_percent must be <= 50, got " + maxClockDriftPercent);
        }
        atLeast("leader_lease_ticks", leaderLeaseTicks, 0);
        if (leaderLeaseTicks > 0 && leaseTicks(leaderLeaseTicks, maxClockDriftPercent) < 1) {
            throw new ConfigException("leader_lease_ticks must leave the leader at least one tick after the clock"
                    + " drift of max_clock_drift_percent (" + maxClockDriftPercent + "), got " + leaderLeaseTicks);
        }
    }

    /**
     * These settings with {@code learner} in place of {@link #learner()}: for example the settings a
     * server uses as one of a configuration's nodes, for the instance with which it learns a
     * configuration it is not (yet) a node of.
     */
    public ServerConfig withLearner(boolean learner) {
        return new ServerConfig(pid, electionTickTimeout, resendMessageTickTimeout, flushBatchTickTimeout, bufferSize,
                batchSize, maxMessageBytes, leaderPriority, loggerFilePath, leaderLeaseTicks, maxClockDriftPercent,
                learner);
    }

    /** Whether a leader lease is configured. */
    public boolean hasLeaderLease() {
        return leaderLeaseTicks > 0;
    }

    /**
     * The ticks, counted from the tick it sent a read round that a write quorum confirmed, during
     * which the leader answers reads without a round: {@code floor((L - 1) * (100 - D) / (100 + D)) - 1}
     * for lease {@code L} and drift {@code D}. A follower counts its {@code L} ticks from when the
     * round reached it, which is later; if every tick rate is within {@code D} percent of real time,
     * the leader's ticks end in real time before any follower's (one tick is lost on each side to not
     * knowing where in a tick a message arrives). 0 without a lease.
     */
    public int leaseTicksForLeader() {
        return hasLeaderLease() ? leaseTicks(leaderLeaseTicks, maxClockDriftPercent) : 0;
    }

    private static int leaseTicks(long lease, long driftPercent) {
        return (int) ((lease - 1) * (100 - driftPercent) / (100 + driftPercent) - 1);
    }

    private static void atLeast(String key, long value, long min) {
        if (value < min) {
            throw new ConfigException(key + " must be >= " + min + ", got " + value);
        }
    }
}
