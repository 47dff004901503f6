package io.omnipaxos.examples.kv.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The table {@code omnipaxos-kv status} prints from each node's {@code /status} (the JSON the node
 * writes itself, see {@code kv.http.NodeStatus}): role, configuration, leader, decided and applied
 * index, lag behind the leader and linked peers, one row per node, as the dashboard shows them.
 */
final class StatusTable {

    static final String HEADER = String.format("%-5s %-9s %-13s %-7s %12s %12s %10s  %s", "node", "role",
            "configuration", "leader", "decided", "applied", "lag", "links up");
    private static final Pattern FOLLOWER = Pattern.compile("\\{\"pid\":(\\d+),\"acceptedIdx\":\\d+,\"lag\":(\\d+)}");

    private final HttpClient http;
    private final Duration timeout;

    StatusTable(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The JSON of {@code http://endpoint/status}, or why there is none. */
    Optional<String> fetch(String endpoint, StringBuilder why) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + endpoint + "/status"))
                    .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return Optional.of(response.body());
            }
            why.append("HTTP ").append(response.statusCode());
        } catch (IOException | IllegalArgumentException e) {
            why.append(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        return Optional.empty();
    }

    /** The lag of each follower the leader's {@code status} lists, by pid. */
    static Map<Long, Long> lags(String leaderStatus) {
        Map<Long, Long> lags = new LinkedHashMap<>();
        for (Matcher m = FOLLOWER.matcher(leaderStatus); m.find(); ) {
            lags.put(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        }
        return lags;
    }

    /** Node {@code pid}'s row from its {@code status}; {@code lags} from the leader's (empty if unknown). */
    static String row(long pid, String status, Map<Long, Long> lags) {
        if (!status.contains("\"running\":true")) {
            return String.format("%-5d %s", pid, text(status, "state").orElse("runs no configuration"));
        }
        String role = text(status, "role").orElse("?");
        String lag = role.equals("leader") ? "-" : lags.containsKey(pid) ? String.format("%,d", lags.get(pid)) : "?";
        return String.format("%-5d %-9s %-13s %-7s %12s %12s %10s  %s", pid, role, number(status, "configuration"),
                number(status, "leader"), grouped(number(status, "decidedIdx")), grouped(number(status, "appliedIdx")),
                lag, array(status, "linkedPeers"));
    }

    /** Whether {@code status} is that of the leader. */
    static boolean isLeader(String status) {
        return status.contains("\"role\":\"leader\"");
    }

    private static Optional<String> text(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+|null)").matcher(json);
        return m.find() ? (m.group(1).equals("null") ? "none" : m.group(1)) : "?";
    }

    private static String array(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\\[([^\\]]*)]").matcher(json);
        return !m.find() ? "?" : m.group(1).isEmpty() ? "none" : m.group(1).replace(",", ", ");
    }

    private static String grouped(String number) {
        try {
            return String.format("%,d", Long.parseLong(number));
        } catch (NumberFormatException e) {
            return number;
        }
    }
}
