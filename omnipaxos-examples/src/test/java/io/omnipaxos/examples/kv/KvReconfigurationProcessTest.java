package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvCli;
import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.client.KvException;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.reconfig.LearnerCatchUp;
import io.omnipaxos.examples.kv.reconfig.ReconfigureRequest;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Reconfiguration of the key-value store from its command line, on real node processes: replacing
 * a node (3 to a different 3, with a state of several chunks: the new node fetches it streamed) and
 * growing the cluster (3 to 5). After each, nodes of the old configuration are killed so that the
 * new nodes are in every majority, and every acknowledged write must still be read back (APPENDs
 * exactly once).
 */
class KvReconfigurationProcessTest extends KvProcessTest {

    private static final int WRITES_PER_PHASE = 120;

    /** Values of 1 MiB written before the handover: its state is more than two chunks. */
    private static final int BIG_VALUES = 3;

    @Test
    void replacingANodeKeepsEveryAcknowledgedWrite() throws Exception {
        cluster = new KvCluster(dir, 3).snapshotInterval(50).startAll();
        write("a");
        writeBigValues();
        cluster.addJoiner(4, 2, List.of(1L, 2L, 4L));
        cluster.start(4);
        cluster.awaitConsole(4, "joining configuration 2", STARTUP);
        try (KvClient client = cluster.client()) {
            KvException e = assertThrows(KvException.class, () -> client.reconfigure(
                    ReconfigureRequest.parse("id=1;nodes=1@127.0.0.1:1:2,2@127.0.0.1:3:4")));
            assertTrue(e.getMessage().contains("must be above the current one, 1"), e.getMessage());
        }
        reconfigure(4);
        cluster.awaitConsole(4, "node 4 runs configuration 2", STARTUP);
        cluster.awaitConsole(3, "retired", STARTUP);
        // Node 4 learned configuration 1 before the stop-sign: it decided it and holds the state itself.
        Matcher learned = Pattern.compile("decided the stop-sign of configuration 1 as a learner: .* no fetch \\((\\d+) "
                + "bytes\\)").matcher(cluster.console(4));
        assertTrue(learned.find(), cluster.console(4));
        assertTrue(Long.parseLong(learned.group(1)) > 2L * ClientWire.MAX_STATE_CHUNK_BYTES,
                "a state larger than a fetch's chunks: " + learned.group());
        assertFalse(cluster.console(4).contains("fetched Handover"), cluster.console(4));
        reconfigure(4); // a retry of a finished reconfiguration is answered OK by the new configuration
        cluster.kill(3);
        write("b");
        cluster.kill(1); // nodes 2 and 4 are the only majority left
        readBack("a", "b");
        readBackBigValues();
        cluster.start(1); // its TOML still names configuration 1: it must come back in configuration 2
        cluster.awaitConsole(1, "node 1 runs configuration 2", 2, STARTUP);
        Path node1 = cluster.dir().resolve("data/node1");
        assertFalse(Files.exists(node1.resolve("log")), "configuration 1's log is deleted");
        assertTrue(Files.exists(node1.resolve("config-2/storage/log")), "configuration 2's log");
        cluster.kill(2); // nodes 1 and 4 now
        readBack("a", "b");
    }

    @Test
    void aNewNodeStartedOnlyAfterTheHandoverFetchesTheStateInChunks() throws Exception {
        cluster = new KvCluster(dir, 3).snapshotInterval(50).startAll();
        write("a");
        writeBigValues();
        cluster.addJoiner(4, 2, List.of(1L, 2L, 3L, 4L));
        long start = System.nanoTime();
        reconfigure(4); // node 4 is not running: the leader stops waiting for it as a learner
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= LearnerCatchUp.CONTACT_MILLIS, "waited " + millis + " ms for the new node");
        cluster.start(4);
        cluster.awaitConsole(4, "node 4 runs configuration 2", STARTUP);
        Matcher fetched = Pattern.compile("fetched Handover\\[1 -> .*, state (\\d+) bytes\\]").matcher(cluster.console(4));
        assertTrue(fetched.find(), cluster.console(4));
        assertTrue(Long.parseLong(fetched.group(1)) > 2L * ClientWire.MAX_STATE_CHUNK_BYTES,
                "a state of several chunks: " + fetched.group());
        cluster.kill(1);
        write("b"); // nodes 2, 3 and 4: a majority of four only with the new node
        readBack("a", "b");
        readBackBigValues();
    }

    @Test
    void aReplacedNodeThatWasDownDuringTheHandoverLearnsItIsRetired() throws Exception {
        cluster = new KvCluster(dir, 3).startAll();
        write("a");
        cluster.kill(3); // no node of the next configuration will ever dial it: it must ask
        cluster.addJoiner(4, 2, List.of(1L, 2L, 4L));
        cluster.start(4);
        reconfigure(4);
        cluster.awaitConsole(4, "node 4 runs configuration 2", STARTUP);
        cluster.start(3);
        cluster.awaitConsole(3, "retired", STARTUP);
        cluster.kill(1);
        readBack("a");
    }

    @Test
    void growingToFiveNodesIncludingOneThatMissedTheHandover() throws Exception {
        cluster = new KvCluster(dir, 3).snapshotInterval(50).startAll();
        write("a");
        cluster.kill(3); // away during the reconfiguration; learns of it from its peers later
        handOverTo(2, List.of(1L, 2L, 3L, 4L, 5L), 4, 5);
        write("b");
        cluster.start(3);
        cluster.awaitConsole(3, "node 3 runs configuration 2", STARTUP);
        cluster.kill(1);
        cluster.kill(2); // nodes 3, 4 and 5: a majority of five without any node that saw the writes decided
        // A client configured with the first three nodes only learns the new leader's address
        // from node 3's NOT_LEADER reply.
        readBack(cluster.clientOf(List.of(1L, 2L, 3L)), "a", "b");
    }

    @Test
    void aNodeThatMissedTwoReconfigurationsComesBackInTheNewest() throws Exception {
        cluster = new KvCluster(dir, 3).snapshotInterval(50).startAll();
        write("a");
        cluster.kill(3); // misses configurations 2 and 3, a member of both
        handOverTo(2, List.of(1L, 2L, 3L, 4L), 4);
        write("b");
        handOverTo(3, List.of(1L, 2L, 3L, 4L, 5L), 5);
        cluster.awaitConsole(4, "node 4 runs configuration 3", STARTUP);
        cluster.start(3); // its TOML and its data name configuration 1; the others keep only the newest handover
        cluster.awaitConsole(3, "node 3 runs configuration 3", STARTUP);
        cluster.kill(1);
        cluster.kill(2); // nodes 3, 4 and 5 are the only majority left
        write("c");
        readBack(cluster.clientOf(List.of(3L, 4L, 5L)), "a", "b", "c");
    }

    @Test
    void aSingleNodeServesAloneAndGrowsToThree() throws Exception {
        cluster = new KvCluster(dir, 1).startAll(); // peers = []: a cluster of one node
        write("a");
        handOverTo(2, List.of(1L, 2L, 3L), 2, 3);
        write("b");
        cluster.kill(1); // nodes 2 and 3, which joined, are a majority on their own
        readBack(cluster.clientOf(List.of(1L, 2L, 3L)), "a", "b");
    }

    /**
     * Starts {@code joiners} as new nodes of configuration {@code configurationId} (= {@code nodes}),
     * hands the running cluster over to it from the command line, and waits until every joiner runs it.
     */
    private void handOverTo(int configurationId, List<Long> nodes, long... joiners) throws Exception {
        for (long joiner : joiners) {
            cluster.addJoiner(joiner, configurationId, nodes);
        }
        for (long joiner : joiners) {
            cluster.start(joiner); // its TOML lists every joiner's address, so all are added first
        }
        reconfigure(joiners[0]);
        for (long joiner : joiners) {
            cluster.awaitConsole(joiner, "node " + joiner + " runs configuration " + configurationId, STARTUP);
        }
    }

    /** The command line's reconfigure, with the new node's TOML file describing the next configuration. */
    private void reconfigure(long newNode) throws InterruptedException {
        String[] args = {"--config", cluster.toml(1).toString(), "reconfigure", cluster.toml(newNode).toString()};
        assertEquals(0, KvCli.run(args), "kv reconfigure");
    }

    /** {@value #WRITES_PER_PHASE} PUTs of {@code phase}-keys and as many APPENDs to {@code phase}-log. */
    private void write(String phase) throws InterruptedException {
        try (KvClient client = cluster.client()) {
            writeWith(client, phase);
        } catch (AssertionError e) {
            System.out.println("write(\"" + phase + "\") failed: " + e.getMessage());
            for (long pid : cluster.pids()) {
                System.out.println("node " + pid + " console:\n" + cluster.console(pid) + "\nlog:\n" + cluster.log(pid));
            }
            throw e;
        }
    }

    private static void writeWith(KvClient client, String phase) throws InterruptedException {
        KvCluster.awaitLeader(client, STARTUP);
        for (int i = 1; i <= WRITES_PER_PHASE; i++) {
            client.put(phase + i, "v" + i);
            client.append(phase + "-log", i + ",");
        }
    }

    /** {@value #BIG_VALUES} values of 1 MiB (a PUT and APPENDs of 64 KiB each, the request limit). */
    private void writeBigValues() throws InterruptedException {
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            for (int v = 0; v < BIG_VALUES; v++) {
                client.put("big" + v, bigChunk(v));
                for (int i = 1; i < KvStateMachine.MAX_STORED_VALUE_BYTES / KvCommand.MAX_VALUE_BYTES; i++) {
                    client.append("big" + v, bigChunk(v));
                }
            }
        }
    }

    private void readBackBigValues() throws InterruptedException {
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            for (int v = 0; v < BIG_VALUES; v++) {
                String value = client.get("big" + v).orElseThrow();
                assertEquals(bigChunk(v).repeat(KvStateMachine.MAX_STORED_VALUE_BYTES / KvCommand.MAX_VALUE_BYTES),
                        value, "big value " + v);
            }
        }
    }

    private static String bigChunk(int v) {
        return Character.toString('p' + v).repeat(KvCommand.MAX_VALUE_BYTES);
    }

    private void readBack(String... phases) throws InterruptedException {
        readBack(cluster.client(), phases);
    }

    private void readBack(KvClient reader, String... phases) throws InterruptedException {
        try (KvClient client = reader) {
            KvCluster.awaitLeader(client, STARTUP);
            for (String phase : phases) {
                StringBuilder log = new StringBuilder();
                for (int i = 1; i <= WRITES_PER_PHASE; i++) {
                    assertEquals(Optional.of("v" + i), client.get(phase + i), "acknowledged write " + phase + i);
                    log.append(i).append(',');
                }
                assertEquals(Optional.of(log.toString()), client.get(phase + "-log"), "every APPEND exactly once");
            }
        }
    }
}
