package io.omnipaxos.examples.kv.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusTableTest {

    private static final String LEADER = "{\"pid\":1,\"running\":true,\"configuration\":2,\"members\":[1,2,3],"
            + "\"role\":\"leader\",\"leader\":1,\"leaderRound\":3,\"decidedIdx\":14972,\"appliedIdx\":14970,"
            + "\"logLength\":14972,\"compactedIdx\":0,\"linkedPeers\":[2,3],\"followers\":[{\"pid\":2,\"acceptedIdx\":"
            + "14972,\"lag\":0},{\"pid\":3,\"acceptedIdx\":14000,\"lag\":972}],\"http\":{},\"decidedPerSecond\":[1,2]}";
    private static final String FOLLOWER = "{\"pid\":3,\"running\":true,\"configuration\":2,\"members\":[1,2,3],"
            + "\"role\":\"follower\",\"leader\":null,\"leaderRound\":0,\"decidedIdx\":14000,\"appliedIdx\":14000,"
            + "\"logLength\":14000,\"compactedIdx\":0,\"linkedPeers\":[],\"followers\":[],\"http\":{}}";

    @Test
    void aRowShowsWhatTheNodesStatusSays() {
        Map<Long, Long> lags = StatusTable.lags(LEADER);
        assertEquals(Map.of(2L, 0L, 3L, 972L), lags);
        assertTrue(StatusTable.isLeader(LEADER));
        assertFalse(StatusTable.isLeader(FOLLOWER));
        assertEquals(String.format("%-5d %-9s %-13s %-7s %12s %12s %10s  %s", 1, "leader", "2", "1", "14,972", "14,970",
                "-", "2, 3"), StatusTable.row(1, LEADER, lags));
        assertEquals(String.format("%-5d %-9s %-13s %-7s %12s %12s %10s  %s", 3, "follower", "2", "none", "14,000",
                "14,000", "972", "none"), StatusTable.row(3, FOLLOWER, lags));
        assertTrue(StatusTable.HEADER.startsWith("node  role"));
    }

    @Test
    void aNodeThatRunsNoConfigurationSaysWhy() {
        String waiting = "{\"pid\":4,\"running\":false,\"state\":\"runs no configuration (waiting for its state, or "
                + "retired)\",\"http\":{}}";
        assertEquals("4     runs no configuration (waiting for its state, or retired)",
                StatusTable.row(4, waiting, Map.of()));
    }
}
