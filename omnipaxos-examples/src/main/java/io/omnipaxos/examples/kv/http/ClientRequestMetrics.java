package io.omnipaxos.examples.kv.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvStatus;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The key-value node's own figures for {@code /metrics}: client requests by operation and the
 * status of their reply ({@code kv_client_requests_total}), the time from a request's arrival to
 * its reply being written ({@code kv_reply_latency_seconds}, a histogram by operation), the
 * duration of each storage sync ({@code kv_storage_sync_seconds}, the storage write latency: the
 * core counts writes but keeps no clock), open client connections, snapshots taken and
 * configurations entered. Updated on the node's event loop, where {@code /metrics} is scraped too,
 * except the storage syncs (the storage thread; the histogram is thread-safe).
 *
 * <p>A request's arrival time waits in its connection (a channel attribute, so it goes with the
 * connection) until its reply; a request that gets no reply (its entry was compacted into a
 * snapshot, say) is forgotten with its connection, or when the connection holds more than {@value
 * #MAX_WAITING_PER_CONNECTION} such times.
 */
public final class ClientRequestMetrics {

    /** Arrival times one connection may hold; more (replies that never came) clear them. */
    static final int MAX_WAITING_PER_CONNECTION = 100_000;
    private static final AttributeKey<Map<Long, Arrival>> ARRIVALS = AttributeKey.valueOf("kv-request-arrivals");
    private static final double[] LATENCY_BOUNDS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2,
        5, 10};

    private record Arrival(KvOp op, long nanos) {}

    private final Counter requests;
    private final Histogram latency;
    /** The series of {@code requests} and {@code latency} once used, so a reply looks up no labels. */
    private final CounterDataPoint[][] requestsByOpAndStatus = new CounterDataPoint[KvOp.values().length][KvStatus
            .values().length];
    private final DistributionDataPoint[] latencyByOp = new DistributionDataPoint[KvOp.values().length];
    private final Histogram storageSyncs;
    private final Counter snapshots;
    private final Counter configurations;

    /**
     * Registers the figures in {@code registry}; {@code connections} gives the open client
     * connections when scraped.
     */
    public ClientRequestMetrics(PrometheusRegistry registry, LongSupplier connections) {
        requests = Counter.builder().name("kv_client_requests").help("Client requests answered, by operation and"
                + " reply status").labelNames("op", "status").register(registry);
        latency = Histogram.builder().name("kv_reply_latency_seconds").help("From a client request's arrival to its"
                + " reply, by operation").labelNames("op").classicOnly().classicUpperBounds(LATENCY_BOUNDS)
                .register(registry);
        storageSyncs = Histogram.builder().name("kv_storage_sync_seconds").help("One sync of the storage thread:"
                + " writes made durable together (fsync and state commit)").classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS).register(registry);
        snapshots = Counter.builder().name("kv_snapshots").help("Snapshots of the key-value map taken")
                .register(registry);
        configurations = Counter.builder().name("kv_configurations_entered").help("Configurations this node started"
                + " running (its first, and one per reconfiguration it took part in)").register(registry);
        GaugeWithCallback.builder().name("kv_client_connections").help("Open client connections")
                .callback(cb -> cb.call(connections.getAsLong())).register(registry);
    }

    /** A request numbered {@code number} for {@code op} arrived on {@code channel}. Event loop only. */
    public void onRequest(Channel channel, long number, KvOp op) {
        Map<Long, Arrival> waiting = channel.attr(ARRIVALS).get();
        if (waiting == null) {
            waiting = new HashMap<>();
            channel.attr(ARRIVALS).set(waiting);
        } else if (waiting.size() >= MAX_WAITING_PER_CONNECTION) {
            waiting.clear();
        }
        waiting.put(number, new Arrival(op, System.nanoTime()));
    }

    /** The reply to request {@code number} on {@code channel} is written with {@code status}. Event loop only. */
    public void onReply(Channel channel, long number, KvStatus status) {
        Map<Long, Arrival> waiting = channel.attr(ARRIVALS).get();
        Arrival arrival = waiting == null ? null : waiting.remove(number);
        if (arrival == null) {
            return; // not a request this node saw arrive (or forgotten)
        }
        int op = arrival.op().ordinal();
        CounterDataPoint count = requestsByOpAndStatus[op][status.ordinal()];
        if (count == null) {
            count = requests.labelValues(arrival.op().name(), status.name());
            requestsByOpAndStatus[op][status.ordinal()] = count;
        }
        count.inc();
        if (latencyByOp[op] == null) {
            latencyByOp[op] = latency.labelValues(arrival.op().name());
        }
        latencyByOp[op].observe((System.nanoTime() - arrival.nanos()) / 1e9);
    }

    /** The storage thread made writes durable in one sync of {@code nanos}. Any thread. */
    public void onStorageSynced(long nanos) {
        storageSyncs.observe(nanos / 1e9);
    }

    /** The node took a snapshot of its map. */
    public void onSnapshot() {
        snapshots.inc();
    }

    /** The node started running a configuration. */
    public void onConfigurationEntered() {
        configurations.inc();
    }
}
