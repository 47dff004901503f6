package io.omnipaxos.examples.kv.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.peer.LinkFaults;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /faults} of a node started with {@code --fault-injection}: {@code GET} shows which links
 * the node pretends are cut ({@link LinkFaults}), and {@code POST /faults?drop_in=2,3&drop_out=2}
 * replaces them: the node drops every message from the pids of {@code drop_in} and sends nothing
 * to those of {@code drop_out} (a parameter left out, or empty, names none; {@code POST /faults}
 * alone heals every link). Both answer the state as JSON. A pid that is not another node of the
 * {@code [network]} nodes table, or any other parameter, is refused with 400 and changes nothing.
 */
final class FaultsEndpoint {

    private static final Logger EVENTS = LoggerFactory.getLogger(KvLogging.EVENTS);
    private static final Set<String> PARAMETERS = Set.of("drop_in", "drop_out");

    private final LinkFaults faults;
    private final long self;
    private final Set<Long> nodes;

    /**
     * @param self this node's pid
     * @param nodes the pids of the nodes table (this node's among them)
     */
    FaultsEndpoint(LinkFaults faults, long self, Set<Long> nodes) {
        this.faults = faults;
        this.self = self;
        this.nodes = Set.copyOf(nodes);
    }

    /** The answer to {@code method} on {@code /faults} with {@code query}. */
    FullHttpResponse handle(HttpMethod method, QueryStringDecoder query) {
        if (method.equals(HttpMethod.GET)) {
            return state();
        }
        if (!method.equals(HttpMethod.POST)) {
            return HttpPort.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "/faults takes GET or POST\n");
        }
        try {
            for (String name : query.parameters().keySet()) {
                if (!PARAMETERS.contains(name)) {
                    throw new IllegalArgumentException("unknown parameter '" + name + "' (use drop_in and drop_out)");
                }
            }
            Set<Long> dropIn = pids(query.parameters(), "drop_in");
            Set<Long> dropOut = pids(query.parameters(), "drop_out");
            faults.set(dropIn, dropOut);
        } catch (IllegalArgumentException e) {
            return HttpPort.text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n");
        }
        if (faults.dropIn().isEmpty() && faults.dropOut().isEmpty()) {
            EVENTS.warn("fault injection: every link healed");
        } else {
            EVENTS.warn("fault injection: dropping messages from nodes {} and to nodes {}", faults.dropIn(),
                    faults.dropOut());
        }
        return state();
    }

    private FullHttpResponse state() {
        return HttpPort.body(HttpResponseStatus.OK, (faults.toJson() + "\n").getBytes(StandardCharsets.UTF_8),
                "application/json; charset=utf-8");
    }

    /** The pids of parameter {@code name}: comma-separated, each another node of the nodes table. */
    private Set<Long> pids(Map<String, List<String>> parameters, String name) {
        Set<Long> pids = new TreeSet<>();
        for (String value : parameters.getOrDefault(name, List.of())) {
            for (String item : value.split(",", -1)) {
                String text = item.trim();
                if (text.isEmpty()) {
                    continue;
                }
                long pid = parsePid(name, text);
                if (pid == self) {
                    throw new IllegalArgumentException(name + ": " + pid + " is this node itself");
                }
                if (!nodes.contains(pid)) {
                    throw new IllegalArgumentException(name + ": node " + pid + " is not in the nodes table "
                            + new TreeSet<>(nodes));
                }
                pids.add(pid);
            }
        }
        return pids;
    }

    private static long parsePid(String name, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + text + "' is not a pid");
        }
    }
}
