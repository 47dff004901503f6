package io.omnipaxos.examples.kv.http;

import io.omnipaxos.Metrics;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The node's metrics in the Prometheus text format, read when scraped from the core's {@link
 * Metrics} view of the instance the node runs now (nothing is counted twice, nothing on the hot
 * path). Every series carries the {@code configuration} it belongs to: a reconfiguration starts a
 * new instance whose counters start again from 0 under the new label, so each series only grows.
 */
public final class NodeMetrics {

    /** The Prometheus text format's content type. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final Supplier<Metrics> current;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final ClientRequestMetrics client;

    /** Metrics of whatever instance {@code current} returns (null while the node runs none). */
    public NodeMetrics(Supplier<Metrics> current) {
        this(current, null);
    }

    /**
     * As {@link #NodeMetrics(Supplier)}, plus the node's own figures ({@link ClientRequestMetrics},
     * registered here with {@code connections} as the open client connections), if {@code
     * connections} is not null.
     */
    public NodeMetrics(Supplier<Metrics> current, LongSupplier connections) {
        this.client = connections == null ? null : new ClientRequestMetrics(registry, connections);
        this.current = current;
        counter("omnipaxos_proposals", "Entries appended on this node and taken", Metrics::proposals);
        counter("omnipaxos_decided_entries", "Log slots this node learned decided", Metrics::decidedEntries);
        counter("omnipaxos_leader_changes", "Times the leader this node knows changed", Metrics::leaderChanges);
        counter("omnipaxos_election_rounds", "Heartbeat rounds of leader election", Metrics::electionRounds);
        counter("omnipaxos_batches", "Batches written and replicated as leader", Metrics::batchesFlushed);
        counter("omnipaxos_batched_entries", "Entries in those batches", Metrics::entriesFlushed);
        counter("omnipaxos_storage_writes", "Storage writes issued", Metrics::storageWritesIssued);
        counter("omnipaxos_storage_writes_durable", "Storage writes known durable", Metrics::storageWritesDurable);
        counter("omnipaxos_storage_write_wait_ticks", "Ticks storage writes waited to become durable, summed",
                Metrics::storageWriteWaitTicks);
        counter("omnipaxos_ticks", "OmniPaxos ticks", Metrics::ticks);
        gauge("omnipaxos_decided_index", "The decided index", Metrics::decidedIdx);
        gauge("omnipaxos_log_length", "The log's length", Metrics::logLength);
        gauge("omnipaxos_compacted_index", "The end of the compacted prefix", Metrics::compactedIdx);
        gauge("omnipaxos_leader_pid", "The leader this node knows, 0 if none", m -> m.leader().orElse(0));
        gauge("omnipaxos_leader_round", "The round of the leader's ballot", Metrics::leaderRound);
        gauge("omnipaxos_is_leader", "1 if this node leads", m -> m.isLeader() ? 1 : 0);
        gauge("omnipaxos_storage_write_longest_wait_ticks", "The longest a storage write waited to become durable",
                Metrics::storageWriteLongestWaitTicks);
        drops();
        messages("omnipaxos_messages_received", "Messages received, by type", Metrics::messagesIn);
        messages("omnipaxos_messages_sent", "Messages sent, by type", Metrics::messagesOut);
        followers();
    }

    /** The node's own figures, or null if it was built without them. */
    public ClientRequestMetrics client() {
        return client;
    }

    /** The current figures in the Prometheus text format. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void counter(String name, String help, ToLongFunction<Metrics> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("configuration")
                .callback(cb -> withCurrent(m -> cb.call(value.applyAsLong(m), configuration(m))))
                .register(registry);
    }

    private void gauge(String name, String help, ToLongFunction<Metrics> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("configuration")
                .callback(cb -> withCurrent(m -> cb.call(value.applyAsLong(m), configuration(m))))
                .register(registry);
    }

    private void drops() {
        CounterWithCallback.builder().name("omnipaxos_dropped").help("Messages and proposals dropped, by cause")
                .labelNames("configuration", "cause").callback(cb -> withCurrent(m -> {
                    cb.call(m.droppedIncoming(), configuration(m), "foreign");
                    cb.call(m.rejectedIncoming(), configuration(m), "refused");
                    cb.call(m.droppedOutgoing(), configuration(m), "outbox_full");
                    cb.call(m.droppedProposals(), configuration(m), "proposal");
                })).register(registry);
    }

    private void messages(String name, String help, Function<Metrics, Map<String, Long>> byType) {
        CounterWithCallback.builder().name(name).help(help).labelNames("configuration", "type")
                .callback(cb -> withCurrent(m -> byType.apply(m)
                        .forEach((type, count) -> cb.call(count, configuration(m), type))))
                .register(registry);
    }

    private void followers() {
        GaugeWithCallback.builder().name("omnipaxos_follower_accepted_index")
                .help("On the leader, each follower's accepted log length").labelNames("configuration", "follower")
                .callback(cb -> withCurrent(m -> m.followerAcceptedIdx()
                        .forEach((pid, idx) -> cb.call(idx, configuration(m), Long.toString(pid)))))
                .register(registry);
    }

    /** Hands the running instance's metrics to {@code emit}; nothing while the node runs none. */
    private void withCurrent(Consumer<Metrics> emit) {
        Metrics m = current.get();
        if (m != null) {
            emit.accept(m);
        }
    }

    private static String configuration(Metrics m) {
        return Integer.toString(m.configurationId());
    }
}
