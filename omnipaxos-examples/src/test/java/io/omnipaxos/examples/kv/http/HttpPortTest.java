package io.omnipaxos.examples.kv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} parses as the Prometheus text format, agrees with what the server did and only
 * grows; {@code /status} is the server's state as JSON; other paths and methods are refused.
 */
class HttpPortTest {

    /** A sample line of the text format: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

    private final HttpClient client = HttpClient.newHttpClient();
    private EventLoopGroup group;
    private OmniPaxos<String> server;
    private HttpPort http;
    private final DecidedRate rate = new DecidedRate();
    private int port;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = OmniPaxosConfig.builder().configurationId(1).pid(1).nodes(List.of(1L)).build()
                .build(new MemoryStorage<>());
        for (int i = 0; i < 20; i++) {
            server.tick();
        }
        write(2);
        rate.sample(1, 0);
        rate.sample(1, 2);
        http = new HttpPort(group.next(), new NodeMetrics(server::metrics),
                () -> NodeStatus.running(server.metrics(), List.of(1L), server.getDecidedIdx(), Set.of(),
                        Map.of(1L, "127.0.0.1:17301", 2L, "node2.example:17302"), rate));
        port = http.start(0);
    }

    @AfterEach
    void stop() {
        http.close();
        group.shutdownGracefully().syncUninterruptibly();
    }

    @Test
    void faultsAreNotServedUnlessTheNodeAllowsFaultInjection() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/faults?drop_in=2")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, response.statusCode());
        assertEquals("fault injection is off: start the node with --fault-injection\n", response.body());
    }

    private void write(int entries) {
        for (int i = 0; i < entries; i++) {
            server.append("x" + i);
        }
        server.outgoingMessages();
        server.tick();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertContainsAll(String text, List<String> parts) {
        for (String part : parts) {
            assertTrue(text.contains(part), part + " in " + text);
        }
    }

    /** Every sample of a scrape, by name and labels; fails on any line that is neither a comment nor a sample. */
    private Map<String, Double> scrape() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            assertTrue(sample.matches(), "not a sample: " + line);
            samples.put(sample.group(1) + (sample.group(2) == null ? "" : sample.group(2)),
                    Double.parseDouble(sample.group(3)));
        }
        return samples;
    }

    @Test
    void metricsAgreeWithWhatTheServerDidAndCountersOnlyGrow() throws Exception {
        Map<String, Double> first = scrape();
        assertEquals(2.0, first.get("omnipaxos_proposals_total{configuration=\"1\"}"));
        assertEquals(2.0, first.get("omnipaxos_decided_index{configuration=\"1\"}"));
        assertEquals(1.0, first.get("omnipaxos_is_leader{configuration=\"1\"}"));
        assertEquals(1.0, first.get("omnipaxos_leader_pid{configuration=\"1\"}"));
        assertEquals(0.0, first.get("omnipaxos_storage_write_wait_ticks_total{configuration=\"1\"}"),
                "a synchronous storage's writes are durable when issued");
        assertTrue(first.containsKey("omnipaxos_messages_received_total{configuration=\"1\",type=\"Prepare\"}"),
                "every message type is listed: " + first.keySet());
        assertTrue(first.containsKey("omnipaxos_dropped_total{cause=\"refused\",configuration=\"1\"}")
                || first.containsKey("omnipaxos_dropped_total{configuration=\"1\",cause=\"refused\"}"), first.keySet()
                .toString());

        write(3);
        Map<String, Double> second = scrape();
        assertEquals(5.0, second.get("omnipaxos_proposals_total{configuration=\"1\"}"));
        assertEquals(5.0, second.get("omnipaxos_decided_entries_total{configuration=\"1\"}"));
        for (Map.Entry<String, Double> sample : first.entrySet()) {
            if (sample.getKey().contains("_total")) {
                assertTrue(second.get(sample.getKey()) >= sample.getValue(), "a counter went back: " + sample);
            }
        }
    }

    @Test
    void statusIsTheServersStateAsJson() throws Exception {
        HttpResponse<String> response = get("/status");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        assertContainsAll(response.body(), List.of("\"pid\":1", "\"configuration\":1", "\"members\":[1]",
                "\"role\":\"leader\"", "\"leader\":1", "\"decidedIdx\":2", "\"appliedIdx\":2", "\"linkedPeers\":[]",
                "\"http\":{\"1\":\"127.0.0.1:17301\",\"2\":\"node2.example:17302\"}",
                "\"decidedPerSecond\":[0,2]"));
        assertEquals("*", response.headers().firstValue("access-control-allow-origin").orElse(""),
                "the dashboard served by one node reads every node's /status");
    }

    @Test
    void theDashboardIsServedFromTheJarAtTheRoot() throws Exception {
        HttpResponse<String> response = get("/");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        String page = response.body();
        assertContainsAll(page, List.of("<title>OmniPaxos key-value cluster</title>", "id=\"leader\"",
                "id=\"nodes\"", "id=\"matrix\"", "id=\"chart\"", "id=\"events\"", "/status"));
        assertFalse(page.contains("src=\"http"), "the page loads nothing from the network");
        assertEquals(page, get("/dashboard.html").body());
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        assertEquals(404, get("/nothing").statusCode());
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("{\"a\\\"b\\\\c\\u000a\"", "{" + NodeStatus.quoted("a\"b\\c\n"));
    }
}
