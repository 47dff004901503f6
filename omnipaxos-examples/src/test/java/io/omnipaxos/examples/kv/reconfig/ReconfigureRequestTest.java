package io.omnipaxos.examples.kv.reconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.ClusterConfig;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.state.KvCommand;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A reconfigure request is validated completely when it is built or parsed, so that a node never
 * proposes a stop-sign that no node can follow: every address must fit the codec of the stop-sign's
 * metadata, and the text form must survive the trip through a request.
 */
class ReconfigureRequestTest {

    @Test
    void aHostLongerThanTheAddressCodecAllowsIsRefusedByParse() {
        String host = "h".repeat(256);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReconfigureRequest.parse("id=2;nodes=1@127.0.0.1:1:2,2@" + host + ":3:4"));
        assertTrue(e.getMessage().contains("host of pid 2 is 256 UTF-8 bytes"), e.getMessage());
        // The longest allowed host is fine and its stop-sign decodes (as every node will decode it).
        String longestHost = "h".repeat(255);
        ReconfigureRequest longest = ReconfigureRequest.parse("id=2;nodes=1@127.0.0.1:1:2,2@" + longestHost + ":3:4");
        assertEquals(longest.addresses(), new Handover(1, longest.stopSign(), new byte[0]).nextAddresses());
    }

    @Test
    void aHostThatWouldNotSurviveTheTextFormIsRefused() {
        for (String host : new String[] {"a,b", "a;b", " ", ""}) {
            Map<Long, NodeAddress> addresses = new LinkedHashMap<>();
            addresses.put(1L, new NodeAddress(1, "127.0.0.1", 1, 2));
            addresses.put(2L, new NodeAddress(2, host, 3, 4));
            ClusterConfig config = new ClusterConfig(2, List.of(1L, 2L));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ReconfigureRequest(config, addresses), "host '" + host + "'");
            assertTrue(e.getMessage().contains("pid 2"), e.getMessage());
        }
    }

    @Test
    void aConfigurationTooLargeForOneRequestIsRefused() {
        Map<Long, NodeAddress> addresses = new LinkedHashMap<>();
        List<Long> pids = new ArrayList<>();
        for (long pid = 1; pid <= 4000; pid++) {
            addresses.put(pid, new NodeAddress(pid, "node-" + pid + ".example.org", 17_000, 18_000));
            pids.add(pid);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReconfigureRequest(new ClusterConfig(2, pids), addresses));
        assertTrue(e.getMessage().contains("more than the " + KvCommand.MAX_VALUE_BYTES), e.getMessage());
    }
}
