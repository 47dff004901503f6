package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The key-value store compacts its log into snapshots of the map: a node that was down while the
 * others compacted catches up from their snapshot, a restarted node restores its own, and no
 * acknowledged write is lost on the way.
 */
class KvSnapshotProcessTest extends KvProcessTest {

    @Test
    void aNodeBackFromALongAbsenceCatchesUpFromTheSnapshotAndRestartsRestoreTheirOwn() throws Exception {
        cluster = new KvCluster(dir, 3).snapshotInterval(200).startAll();
        long absent;
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            long leader = client.lastAnsweringPid();
            absent = cluster.nodes().keySet().stream().filter(p -> p != leader).findFirst().orElseThrow();
            cluster.kill(absent);
            for (int i = 1; i <= 600; i++) {
                client.put("k" + i, "v" + i);
                client.append("log", i + ",");
            }
        }
        long writer = cluster.nodes().keySet().stream().filter(p -> p != absent).findFirst().orElseThrow();
        long other = cluster.nodes().keySet().stream().filter(p -> p != absent && p != writer).findFirst().orElseThrow();
        cluster.awaitConsole(writer, "snapshot of the log up to index", STARTUP);
        cluster.awaitConsole(other, "snapshot of the log up to index", STARTUP);
        // The nodes apply the same entries together, but snapshot out of step (a per-node phase).
        assertNotEquals(firstSnapshotIdx(writer), firstSnapshotIdx(other), "first snapshots of nodes " + writer
                + " and " + other);
        cluster.start(absent);
        cluster.awaitConsole(absent, "installed a snapshot of the log up to index", STARTUP);
        // The absent node must now hold everything: kill one of the others so it is in every majority.
        cluster.kill(other);
        cluster.kill(writer);
        cluster.start(writer); // restarts from its own snapshot
        // It only made snapshots before; now it installs its own.
        cluster.awaitConsole(writer, "installed a snapshot", STARTUP);
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= 600; i++) {
                assertEquals(Optional.of("v" + i), client.get("k" + i), "acknowledged write k" + i);
                expected.append(i).append(',');
            }
            assertEquals(Optional.of(expected.toString()), client.get("log"), "every APPEND exactly once");
        }
    }

    private long firstSnapshotIdx(long pid) {
        Matcher first = Pattern.compile("snapshot of the log up to index (\\d+)").matcher(cluster.console(pid));
        assertTrue(first.find(), "node " + pid + " printed a snapshot");
        return Long.parseLong(first.group(1));
    }
}
