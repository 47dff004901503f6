package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import io.omnipaxos.examples.kv.state.KvStatus;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Hostile or mistaken clients against real node processes (each with a 256 MiB heap, and as much
 * direct memory): a client that pipelines GETs of a 1 MiB value and never reads the replies must
 * not take the node down, and a reconfiguration that no node could follow is refused before it is
 * proposed.
 */
class KvHardeningProcessTest extends KvProcessTest {

    /** GETs the hog pipelines: their replies would be 4 GiB, far beyond the node's memory. */
    private static final int HOG_REQUESTS = 4000;

    @Test
    void aClientThatNeverReadsItsRepliesIsCutOffWhileOthersAreServed() throws Exception {
        cluster = new KvCluster(dir, 3).startAll();
        long leader = cluster.writeBigAndSmall(STARTUP);
        NodeAddress node = cluster.nodes().get(leader);
        System.out.println("node " + leader + " VmRSS before the hog: " + cluster.residentMemory(leader));
        try (Socket hog = new Socket()) {
            hog.setReceiveBufferSize(4096); // and never read
            hog.connect(new InetSocketAddress(node.host(), node.clientPort()));
            OutputStream out = hog.getOutputStream();
            out.write(pipelinedGets(HOG_REQUESTS));
            out.flush();
            KvCluster.await("the node to cut the hog off", STARTUP,
                    () -> cluster.log(leader).contains("of replies unread") || !cluster.alive(leader));
            System.out.println("node " + leader + " VmRSS with the hog: " + cluster.residentMemory(leader));
            assertTrue(cluster.alive(leader), "the node died:\n" + cluster.console(leader));
            try (RawConnection other = new RawConnection(node.host(), node.clientPort())) {
                long start = System.nanoTime();
                other.send(new KvCommand(99, 1, 0, KvOp.GET, "small", ""));
                KvReply reply = other.readReply();
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.println("another client's GET answered " + reply.status() + " in " + millis + " ms");
                // The hog's replies cost the node's loop time (it may have lost leadership meanwhile): any
                // answer shows that it serves; the value must come from whichever node leads.
                assertTrue(reply.equals(KvReply.value(1, "s")) || reply.status() == KvStatus.NOT_LEADER,
                        reply.toString());
                assertTrue(millis < 5_000, "another client waited " + millis + " ms");
            }
        }
        try (KvClient client = cluster.client()) {
            assertEquals(Optional.of("s"), client.get("small"));
        }
        assertTrue(cluster.alive(leader));
    }

    @Test
    void aReconfigurationWithAHostTooLongForTheStopSignIsRefusedAndNothingIsProposed() throws Exception {
        cluster = new KvCluster(dir, 3).startAll();
        long leader = cluster.awaitLeaderPid(STARTUP);
        NodeAddress node = cluster.nodes().get(leader);
        String next = "id=2;nodes=1@127.0.0.1:1:2,2@" + "h".repeat(256) + ":3:4";
        try (RawConnection admin = new RawConnection(node.host(), node.clientPort())) {
            admin.send(new KvCommand(7, 1, 0, KvOp.RECONFIGURE, "", next));
            KvReply reply = admin.readReply();
            assertEquals(KvStatus.ERROR, reply.status());
            assertTrue(reply.text().contains("host of pid 2 is 256 UTF-8 bytes"), reply.text());
        }
        try (KvClient client = cluster.client()) {
            client.put("after", "still configuration 1");
            assertEquals(Optional.of("still configuration 1"), client.get("after"));
        }
        assertFalse(cluster.console(leader).contains("configuration 1 ended"), cluster.console(leader));
    }

    /** {@code count} GET frames of "big", each acknowledging the one before (so the session stays small). */
    private static byte[] pipelinedGets(int count) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (long number = 1; number <= count; number++) {
            bytes.writeBytes(RawConnection.frame(new KvCommand(5150, number, number - 1, KvOp.GET, "big", "")));
        }
        return bytes.toByteArray();
    }
}
