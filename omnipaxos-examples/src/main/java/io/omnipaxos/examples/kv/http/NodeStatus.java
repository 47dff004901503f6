package io.omnipaxos.examples.kv.http;

import io.omnipaxos.Metrics;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The JSON of {@code /status}: who this node is, its configuration and members, its role, the
 * leader and its round, the decided, applied and compacted indices and log length, which peers
 * are linked, on the leader each follower's accepted index and lag, the HTTP endpoints of the nodes
 * it knows (where the dashboard finds them) and the entries decided per second over the last
 * minutes ({@link DecidedRate}). Built on the node's event loop from the core's {@link Metrics} and
 * the node's own figures.
 */
public final class NodeStatus {

    private NodeStatus() {}

    /**
     * The status of a node running an instance.
     *
     * @param members the configuration's nodes
     * @param appliedIdx the entries the node's state machine applied
     * @param linkedPeers the peers with an established link now
     * @param http the HTTP endpoints ({@code host:port}) of the nodes this node knows one of, by pid
     * @param rate the entries decided per second over the last minutes
     */
    public static String running(Metrics metrics, Collection<Long> members, long appliedIdx, Set<Long> linkedPeers,
            Map<Long, String> http, DecidedRate rate) {
        StringJoiner json = new StringJoiner(",", "{", "}");
        json.add(field("pid", metrics.pid()));
        json.add(field("running", true));
        json.add(field("configuration", metrics.configurationId()));
        json.add(quoted("members") + ":" + array(members));
        json.add(field("role", metrics.isLeader() ? "\"leader\"" : "\"follower\""));
        json.add(field("leader", metrics.leader().isPresent() ? Long.toString(metrics.leader().getAsLong()) : "null"));
        json.add(field("leaderRound", metrics.leaderRound()));
        json.add(field("decidedIdx", metrics.decidedIdx()));
        json.add(field("appliedIdx", appliedIdx));
        json.add(field("logLength", metrics.logLength()));
        json.add(field("compactedIdx", metrics.compactedIdx()));
        json.add(quoted("linkedPeers") + ":" + array(linkedPeers));
        json.add(quoted("followers") + ":" + followers(metrics));
        json.add(quoted("http") + ":" + endpoints(http));
        json.add(quoted("decidedPerSecond") + ":" + rate.toJson());
        return json.toString();
    }

    /** The status of a node that runs no instance (it waits for its state, or retired); {@code http} as above. */
    public static String notRunning(long pid, String why, Map<Long, String> http) {
        return "{" + field("pid", pid) + "," + field("running", false) + "," + quoted("state") + ":"
                + quoted(why) + "," + quoted("http") + ":" + endpoints(http) + "}";
    }

    private static String endpoints(Map<Long, String> http) {
        StringJoiner out = new StringJoiner(",", "{", "}");
        http.keySet().stream().sorted().forEach(pid -> out.add(quoted(Long.toString(pid)) + ":" + quoted(http.get(pid))));
        return out.toString();
    }

    private static String followers(Metrics metrics) {
        StringJoiner out = new StringJoiner(",", "[", "]");
        for (Map.Entry<Long, Long> follower : metrics.followerAcceptedIdx().entrySet()) {
            out.add("{" + field("pid", follower.getKey()) + "," + field("acceptedIdx", follower.getValue()) + ","
                    + field("lag", Math.max(0, metrics.logLength() - follower.getValue())) + "}");
        }
        return out.toString();
    }

    private static String array(Collection<Long> pids) {
        StringJoiner out = new StringJoiner(",", "[", "]");
        pids.stream().sorted().forEach(pid -> out.add(Long.toString(pid)));
        return out.toString();
    }

    private static String field(String name, Object value) {
        return quoted(name) + ":" + value;
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
