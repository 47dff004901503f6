package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvCommandCodec;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStatus;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The key-value store as real node processes on loopback. */
class KvStoreProcessTest extends KvProcessTest {

    @Test
    void operationsWorkThroughAnyNodeAndRetriesApplyOnceAndBadInputIsRefused() throws Exception {
        cluster = new KvCluster(dir, 3).startAll();
        long leader;
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            client.put("k", "v1");
            assertEquals(Optional.of("v1"), client.get("k"));
            client.append("k", "+v2");
            assertEquals(Optional.of("v1+v2"), client.get("k"));
            assertTrue(client.delete("k"));
            assertFalse(client.delete("k"));
            assertEquals(Optional.empty(), client.get("k"));
            leader = client.lastAnsweringPid();
        }
        followersRedirectToTheLeader(leader);
        lostReplyRetryIsAppliedOnce(leader);
        badClientInputIsRefusedAndOthersAreServed(leader);
        peerHandshakesFromStrangersAreRefused();
    }

    private void followersRedirectToTheLeader(long leader) throws IOException, InterruptedException {
        for (NodeAddress node : cluster.nodes().values()) {
            if (node.pid() == leader) {
                continue;
            }
            awaitClientPort(node); // a quorum answered; on a loaded machine this node may still be starting
            try (RawConnection raw = new RawConnection(node.host(), node.clientPort())) {
                // A quorum decided without this follower, whose link may still be coming up: it may
                // not know the leader yet (hint 0). Once it does, the hint names the leader and its
                // client endpoint.
                KvReply reply = KvReply.notLeader(1, 0);
                for (long deadline = System.nanoTime() + 10_000_000_000L;
                        reply.leaderHint() == 0 && System.nanoTime() < deadline; ) {
                    raw.send(new KvCommand(77, 1, 0, KvOp.GET, "k", ""));
                    reply = raw.readReply();
                    assertEquals(KvStatus.NOT_LEADER, reply.status(), "follower " + node.pid());
                }
                assertEquals(KvReply.notLeader(1, leader, cluster.nodes().get(leader).clientEndpoint()), reply,
                        "follower " + node.pid());
            }
        }
    }

    /** Waits until {@code node} accepts connections on its client port. */
    private static void awaitClientPort(NodeAddress node) throws InterruptedException {
        KvCluster.await("node " + node.pid() + " to serve clients", STARTUP, () -> {
            try (Socket probe = new Socket(node.host(), node.clientPort())) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** A client whose reply is lost (connection dropped) retries with the same number: applied once. */
    private void lostReplyRetryIsAppliedOnce(long leader) throws IOException {
        NodeAddress node = cluster.nodes().get(leader);
        KvCommand append = new KvCommand(4242, 1, 0, KvOp.APPEND, "once", "x");
        try (RawConnection lost = new RawConnection(node.host(), node.clientPort())) {
            lost.send(append); // and hang up before the reply comes
        }
        try (RawConnection retry = new RawConnection(node.host(), node.clientPort())) {
            retry.send(append);
            assertEquals(KvReply.ok(1), retry.readReply());
            retry.send(append); // a second duplicate, after the first was applied
            assertEquals(KvReply.ok(1), retry.readReply());
            retry.send(new KvCommand(4242, 2, 1, KvOp.GET, "once", ""));
            assertEquals(KvReply.value(2, "x"), retry.readReply(), "the APPEND must be applied exactly once");
        }
    }

    private void badClientInputIsRefusedAndOthersAreServed(long leader) throws Exception {
        NodeAddress node = cluster.nodes().get(leader);
        try (RawConnection oversized = new RawConnection(node.host(), node.clientPort())) {
            oversized.writeRaw(requestWithKeyOfBytes(9, KvCommand.MAX_KEY_BYTES + 1));
            KvReply reply = oversized.readReply();
            assertEquals(KvStatus.ERROR, reply.status());
            assertEquals(9, reply.requestNumber());
            assertTrue(reply.text().contains("key is 1025 bytes"), reply.text());
        }
        try (RawConnection garbage = new RawConnection(node.host(), node.clientPort())) {
            byte[] junk = new byte[256];
            new java.util.Random(7).nextBytes(junk);
            junk[0] = 0x7f; // a length field far above the request limit
            garbage.writeRaw(junk);
            assertTrue(garbage.closedByServer(), "garbage must close the connection");
        }
        try (RawConnection shortFrame = new RawConnection(node.host(), node.clientPort())) {
            shortFrame.writeRaw(new byte[] {0, 0, 0, 3, 9, 9, 9});
            assertEquals(KvStatus.ERROR, shortFrame.readReply().status());
            assertTrue(shortFrame.closedByServer());
        }
        try (KvClient client = cluster.client()) {
            client.put("after-bad-input", "fine");
            assertEquals(Optional.of("fine"), client.get("after-bad-input"));
        }
    }

    private void peerHandshakesFromStrangersAreRefused() throws IOException {
        NodeAddress node = cluster.nodes().get(3L);
        long[][] strangers = {{9, 1}, {1, 99}}; // {pid, configuration id}: not a peer; another configuration
        for (long[] stranger : strangers) {
            try (RawConnection raw = new RawConnection(node.host(), node.peerPort())) {
                raw.writeRaw(RawConnection.peerHello(stranger[0], (int) stranger[1]));
                assertTrue(raw.closedByServer(), "hello from pid " + stranger[0] + " of configuration "
                        + stranger[1] + " must be refused");
            }
        }
    }

    @Test
    void killedLeaderIsReplacedNoAcknowledgedWriteIsLostAndTheRestartedNodeCatchesUp() throws Exception {
        cluster = new KvCluster(dir, 3).startAll();
        long oldLeader = cluster.awaitLeaderPid(STARTUP);
        AtomicLong acknowledged = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (KvClient client = cluster.client()) {
                for (long i = 1; !stop.get(); i++) {
                    client.put("w" + i, Long.toString(i));
                    client.append("log", i + ",");
                    acknowledged.set(i);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        writer.start();
        KvCluster.await("some writes", STARTUP, () -> acknowledged.get() >= 50 || failure.get() != null);
        cluster.kill(oldLeader);
        long atKill = acknowledged.get();
        KvCluster.await("writes after the leader's death", STARTUP,
                () -> acknowledged.get() >= atKill + 50 || failure.get() != null);
        cluster.start(oldLeader);
        KvCluster.await("the restarted node to catch up", STARTUP,
                () -> cluster.console(oldLeader).contains("caught up") || failure.get() != null);
        stop.set(true);
        writer.join(30_000);
        assertEquals(null, failure.get(), "the writer failed");
        long written = acknowledged.get();
        // Kill another node: the majority now includes the restarted one, whose log must be whole.
        long other = cluster.nodes().keySet().stream().filter(p -> p != oldLeader).findFirst().orElseThrow();
        cluster.kill(other);
        try (KvClient client = cluster.client()) {
            StringBuilder log = new StringBuilder();
            for (long i = 1; i <= written; i++) {
                assertEquals(Optional.of(Long.toString(i)), client.get("w" + i), "acknowledged write w" + i);
                log.append(i).append(',');
            }
            String appended = client.get("log").orElse("");
            assertTrue(appended.equals(log.toString()) || appended.equals(log + "" + (written + 1) + ","),
                    "every acknowledged APPEND exactly once, got " + appended);
        }
        assertTrue(cluster.console(oldLeader).contains("recovering from storage"));
    }

    /** A version-1 request frame whose key has {@code keyBytes} bytes. */
    private static byte[] requestWithKeyOfBytes(long requestNumber, int keyBytes) {
        byte[] key = "k".repeat(keyBytes).getBytes(StandardCharsets.UTF_8);
        int body = 1 + KvCommandCodec.FIXED_BYTES + key.length;
        ByteBuffer frame = ByteBuffer.allocate(4 + body);
        frame.putInt(body).put(ClientWire.VERSION).putLong(5).putLong(requestNumber).putLong(0).put(KvOp.PUT.code)
                .putInt(key.length).put(key).putInt(0);
        return frame.array();
    }
}
