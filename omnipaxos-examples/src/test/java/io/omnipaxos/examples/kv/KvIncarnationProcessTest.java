package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.server.KvServer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A member whose data folder comes back empty must not rejoin as the member it was: it has forgotten
 * the promises it made. Its peers recorded the incarnation of its folder; an emptied folder (or a
 * {@code --memory} member that restarted) has another, so the node stops at once with an error that
 * says what to do, and the others go on serving. A member restarted with kill -9 on its data is
 * the same incarnation and rejoins as before.
 */
class KvIncarnationProcessTest extends KvProcessTest {

    private static final String REMEDY = "add it back as a new node through reconfiguration";

    @Test
    void aFollowerRestartedOnItsDataRejoinsButWithItsDataFolderEmptiedItStopsAndTheOthersServe() throws Exception {
        cluster = new KvCluster(dir, 3).startAll();
        long leader = cluster.awaitLeaderPid(STARTUP);
        long follower = cluster.nodes().keySet().stream().filter(p -> p != leader).min(Long::compare).orElseThrow();
        awaitLinkedToEveryPeer(follower);
        writeAndReadBack("before");
        cluster.kill(follower);
        cluster.start(follower); // kill -9 and back on its data: the same incarnation
        cluster.awaitConsole(follower, "caught up", STARTUP);
        writeAndReadBack("after a restart");
        assertTrue(cluster.alive(follower), cluster.console(follower));

        cluster.kill(follower);
        cluster.wipe(follower);
        cluster.start(follower);
        assertEquals(KvServer.EXIT_DATA_FOLDER_REPLACED, cluster.awaitExit(follower, STARTUP), cluster.console(follower));
        String console = cluster.console(follower);
        assertTrue(console.contains("data folder " + cluster.dataDir(follower).toAbsolutePath()
                + " was replaced or emptied since this node was a member of configuration 1 (peers know incarnation ")
                && console.contains(REMEDY), console);
        System.out.println("the node with the emptied folder said: " + console.lines().filter(l -> l.contains(REMEDY))
                .findFirst().orElseThrow());
        writeAndReadBack("after the emptied folder");
    }

    @Test
    void aMemberRestartedWithMemoryStopsAndTheOthersServe() throws Exception {
        cluster = new KvCluster(dir, 3).memory(3).startAll();
        cluster.awaitLeaderPid(STARTUP);
        awaitLinkedToEveryPeer(3);
        writeAndReadBack("before");
        cluster.kill(3);
        cluster.start(3); // --memory again: it remembers nothing, and draws a new incarnation
        assertEquals(KvServer.EXIT_DATA_FOLDER_REPLACED, cluster.awaitExit(3, STARTUP), cluster.console(3));
        String console = cluster.console(3);
        assertTrue(console.contains("the state of node 3, kept in memory (--memory), was emptied since this node was a"
                + " member of configuration 1") && console.contains(REMEDY), console);
        assertFalse(cluster.alive(3));
        writeAndReadBack("after");
    }

    /** Waits until {@code pid} has had a link with every other node: each recorded its incarnation. */
    private void awaitLinkedToEveryPeer(long pid) throws InterruptedException {
        for (long peer : cluster.nodes().keySet()) {
            if (peer != pid) {
                cluster.awaitConsole(pid, "peer " + peer + " up", STARTUP);
            }
        }
    }

    private void writeAndReadBack(String value) throws InterruptedException {
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            client.put("k", value);
            client.append("log", value + ";");
            assertEquals(Optional.of(value), client.get("k"));
        }
    }
}
