package io.omnipaxos.examples.kv.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The node-address codec's encoder enforces exactly the limits its decoder checks: whatever {@link
 * NodeAddressCodec#encode} accepts decodes, and whatever the decoder would refuse the encoder
 * refuses, naming the culprit, so that no stop-sign carries metadata that no node can read.
 */
class NodeAddressCodecTest {

    private static NodeAddress node(long pid, String host) {
        return new NodeAddress(pid, host, 1, 65_535);
    }

    @Test
    void theLongestHostAndTheMostNodesRoundTrip() {
        List<NodeAddress> longest = List.of(node(1, "h".repeat(NodeAddressCodec.MAX_HOST_BYTES)),
                node(2, "é".repeat(NodeAddressCodec.MAX_HOST_BYTES / 2)));
        Map<Long, NodeAddress> back = NodeAddressCodec.decode(NodeAddressCodec.encode(longest));
        assertEquals(List.copyOf(longest), List.copyOf(back.values()));
        List<NodeAddress> most = new ArrayList<>();
        for (long pid = 1; pid <= NodeAddressCodec.MAX_NODES; pid++) {
            most.add(node(pid, "h"));
        }
        assertEquals(NodeAddressCodec.MAX_NODES, NodeAddressCodec.decode(NodeAddressCodec.encode(most)).size());
    }

    @Test
    void aHostLongerThanTheDecoderAcceptsIsRefusedWhenEncoding() {
        String tooLong = "h".repeat(NodeAddressCodec.MAX_HOST_BYTES + 1);
        assertRefused(List.of(node(1, "a"), node(7, tooLong)), "host of pid 7 is 256 UTF-8 bytes");
        // 128 two-byte characters: short in chars, too long in UTF-8 bytes.
        assertRefused(List.of(node(3, "é".repeat(128))), "host of pid 3 is 256 UTF-8 bytes");
        assertRefused(List.of(node(4, "")), "host of pid 4 is empty");
    }

    @Test
    void countsPortsAndPidsOutsideTheDecodersRangeAreRefusedWhenEncoding() {
        assertRefused(List.of(), "0 node addresses");
        List<NodeAddress> tooMany = new ArrayList<>();
        for (long pid = 1; pid <= NodeAddressCodec.MAX_NODES + 1; pid++) {
            tooMany.add(node(pid, "h"));
        }
        assertRefused(tooMany, "4097 node addresses");
        assertRefused(List.of(new NodeAddress(5, "h", 0, 1)), "pid 5: peer port 0");
        assertRefused(List.of(new NodeAddress(5, "h", 1, 65_536)), "pid 5: client port 65536");
        assertRefused(List.of(node(0, "h")), "pid 0");
        assertRefused(List.of(node(2, "a"), node(2, "b")), "pid 2 has two addresses");
    }

    private static void assertRefused(List<NodeAddress> nodes, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeAddressCodec.encode(nodes));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
