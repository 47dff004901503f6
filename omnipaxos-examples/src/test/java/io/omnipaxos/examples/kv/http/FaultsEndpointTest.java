package io.omnipaxos.examples.kv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.omnipaxos.examples.kv.peer.LinkFaults;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code /faults}: what it sets, and the requests it refuses without changing anything. */
class FaultsEndpointTest {

    private final LinkFaults faults = new LinkFaults();
    private final FaultsEndpoint endpoint = new FaultsEndpoint(faults, 1, Set.of(1L, 2L, 3L));

    private FullHttpResponse call(HttpMethod method, String uri) {
        return endpoint.handle(method, new QueryStringDecoder(uri));
    }

    private static String body(FullHttpResponse response) {
        String text = response.content().toString(StandardCharsets.UTF_8);
        response.release();
        return text;
    }

    @Test
    void postSetsBothDirectionsAndAnswersTheState() {
        FullHttpResponse response = call(HttpMethod.POST, "/faults?drop_in=2,3&drop_out=3");
        assertEquals(200, response.status().code());
        assertEquals("{\"drop_in\":[2, 3],\"drop_out\":[3],\"dropped_in\":0,\"dropped_out\":0}\n", body(response));
        assertEquals(Set.of(2L, 3L), faults.dropIn());
        assertEquals(Set.of(3L), faults.dropOut());
    }

    @Test
    void postWithoutParametersHealsEveryLink() {
        faults.set(Set.of(2L), Set.of(2L));
        assertEquals(200, call(HttpMethod.POST, "/faults").status().code());
        assertEquals(Set.of(), faults.dropIn());
        assertEquals(Set.of(), faults.dropOut());
    }

    @Test
    void getShowsTheStateAndChangesNothing() {
        faults.set(Set.of(2L), Set.of());
        String body = body(call(HttpMethod.GET, "/faults?drop_in=3"));
        assertTrue(body.startsWith("{\"drop_in\":[2],\"drop_out\":[]"), body);
        assertEquals(Set.of(2L), faults.dropIn());
    }

    @Test
    void badRequestsAreRefusedNamingTheCulpritAndChangeNothing() {
        faults.set(Set.of(2L), Set.of(2L));
        assertRefused("/faults?drop_in=x", "drop_in: 'x' is not a pid");
        assertRefused("/faults?drop_out=9", "drop_out: node 9 is not in the nodes table [1, 2, 3]");
        assertRefused("/faults?drop_in=1", "drop_in: 1 is this node itself");
        assertRefused("/faults?drop_in=3&cut=2", "unknown parameter 'cut' (use drop_in and drop_out)");
        assertEquals(Set.of(2L), faults.dropIn());
        assertEquals(Set.of(2L), faults.dropOut());
        assertEquals(405, call(HttpMethod.DELETE, "/faults").status().code());
    }

    private void assertRefused(String uri, String message) {
        FullHttpResponse response = call(HttpMethod.POST, uri);
        assertEquals(400, response.status().code(), uri);
        assertEquals(message + "\n", body(response));
    }
}
