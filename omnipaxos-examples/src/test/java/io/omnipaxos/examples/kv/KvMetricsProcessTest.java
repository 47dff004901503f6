package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key-value node's own figures in {@code /metrics}, against three node processes: the client
 * requests the nodes counted agree with what the test sent (every PUT and GET once, as OK, summed
 * over the nodes; REGISTER once), each with a reply latency, every scrape parses as the Prometheus
 * text format, counters only grow, each node entered one configuration and timed its storage syncs.
 */
class KvMetricsProcessTest {

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");
    private static final int PUTS = 120;
    private static final int GETS = 40;

    @TempDir
    Path dir;

    private KvCluster cluster;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void clientRequestsCountedByTheNodesAreTheRequestsSent() throws Exception {
        cluster = new KvCluster(dir, 3).http().startAll();
        Map<String, Double> before;
        long retries;
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, Duration.ofSeconds(30));
            awaitHttpPorts(); // a node serves clients a moment before its HTTP port
            before = scrapeAll();
            for (int i = 0; i < PUTS; i++) {
                client.put("k" + i, "v" + i);
            }
            for (int i = 0; i < GETS; i++) {
                assertEquals("v" + i, client.get("k" + i).orElseThrow());
            }
            retries = client.retries();
        }
        Map<String, Double> after = scrapeAll();
        if (retries == 0) { // a resent request may be answered twice (the session remembers its reply)
            assertEquals(PUTS, delta(before, after, "kv_client_requests_total{op=\"PUT\",status=\"OK\"}"), 0.0);
            assertEquals(GETS, delta(before, after, "kv_client_requests_total{op=\"GET\",status=\"OK\"}"), 0.0);
        }
        assertTrue(delta(before, after, "kv_client_requests_total{op=\"PUT\",status=\"OK\"}") >= PUTS, after.toString());
        assertTrue(delta(before, after, "kv_reply_latency_seconds_count{op=\"PUT\"}") >= PUTS, after.toString());
        assertTrue(after.getOrDefault("kv_reply_latency_seconds_bucket{op=\"PUT\",le=\"+Inf\"}", 0.0) >= PUTS,
                after.toString());
        for (Map.Entry<String, Double> sample : before.entrySet()) {
            if (sample.getKey().contains("_total")) {
                assertTrue(after.getOrDefault(sample.getKey(), 0.0) >= sample.getValue(), "a counter went back: " + sample);
            }
        }
        for (long pid : cluster.pids()) {
            Map<String, Double> node = scrape(pid);
            assertEquals(1.0, node.get("kv_configurations_entered_total"), "node " + pid);
            // Every node stores the log with storage_sync = "every_write": its storage thread syncs.
            assertTrue(node.getOrDefault("kv_storage_sync_seconds_count", 0.0) > 0, "node " + pid + ": " + node);
        }
    }

    private void awaitHttpPorts() throws InterruptedException {
        for (long pid : cluster.pids()) {
            KvCluster.await("node " + pid + "'s /metrics", Duration.ofSeconds(30), () -> {
                try {
                    scrape(pid);
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }

    /** Every node's samples, summed by name and labels. */
    private Map<String, Double> scrapeAll() throws Exception {
        Map<String, Double> sum = new HashMap<>();
        for (long pid : cluster.pids()) {
            scrape(pid).forEach((key, value) -> sum.merge(key, value, Double::sum));
        }
        return sum;
    }

    private Map<String, Double> scrape(long pid) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(cluster.dashboardUrl(pid)
                + "metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("# ")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "node " + pid + ": not a sample: " + line);
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return samples;
    }
}
