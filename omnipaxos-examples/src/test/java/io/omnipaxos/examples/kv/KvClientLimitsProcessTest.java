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
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The node-wide limits of the client port against real node processes: a flood of connections
 * beyond {@code network.max_client_connections} is closed on accept while the connections already
 * open are served, the operator on loopback can still administer and a restarted follower links up
 * with the node again (peer links have a port of their own), and clients that do not read their
 * replies are cut off once all connections together hold {@code network.max_unsent_replies_mib} of
 * them, long before each would reach its own limit.
 */
class KvClientLimitsProcessTest extends KvProcessTest {

    private static final int MAX_CONNECTIONS = 4;
    /** The reserved slots of ClientConnections (package-private there). */
    private static final int RESERVED_ADMIN_CONNECTIONS = 4;
    private static final Duration SERVED = Duration.ofSeconds(20);

    private long nextClientId = 1000;

    @Test
    void connectionsOverTheLimitAreClosedOnAcceptWhileOpenOnesAndPeerLinksAreServed() throws Exception {
        cluster = new KvCluster(dir, 3).maxClientConnections(MAX_CONNECTIONS).startAll();
        long leader;
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            client.put("k", "v");
            leader = client.lastAnsweringPid();
        }
        NodeAddress node = cluster.nodes().get(leader);
        List<Served> served = new ArrayList<>();
        List<RawConnection> operators = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                served.add(openServed(node)); // the client's connection may take a moment to free its slot
            }
            for (int i = 0; i < RESERVED_ADMIN_CONNECTIONS; i++) {
                RawConnection operator = new RawConnection(node.host(), node.clientPort());
                operators.add(operator);
                operator.send(new KvCommand(nextClientId++, 1, 0, KvOp.FETCH_STATE, "", ""));
                KvReply reply = operator.readReply();
                assertTrue(reply.text().contains("has not seen a configuration end"), "served in a reserved slot: "
                        + reply);
            }
            long start = System.nanoTime();
            try (RawConnection extra = new RawConnection(node.host(), node.clientPort())) {
                assertTrue(extra.closedByServer(), "a connection over the limit must be closed");
            }
            System.out.println("a connection over the limit was closed " + (System.nanoTime() - start) / 1_000_000
                    + " ms after it connected");
            int flood = 200;
            start = System.nanoTime();
            for (int i = 0; i < flood; i++) {
                try (RawConnection extra = new RawConnection(node.host(), node.clientPort())) {
                    assertTrue(extra.closedByServer(), "flood connection " + i + " must be closed");
                }
            }
            System.out.println(flood + " connections over the limit opened and closed in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
            String log = cluster.log(leader);
            long refusalLines = log.lines().filter(line -> line.contains("closed client connection")
                    || line.contains("more client connections")).count();
            assertTrue(refusalLines >= 1 && refusalLines <= 2, refusalLines + " log lines for " + (flood + 1)
                    + " refusals:\n" + log);
            RawConnection ordinaryInReserved = operators.get(0);
            ordinaryInReserved.send(new KvCommand(nextClientId++, 1, 0, KvOp.GET, "k", ""));
            assertTrue(ordinaryInReserved.closedByServer(), "a reserved slot serves administration only");
            for (Served connection : served) {
                connection.connection().send(new KvCommand(connection.clientId(), 3, 2, KvOp.GET, "k", ""));
                assertEquals(KvReply.value(3, "v"), connection.connection().readReply(),
                        "an open connection is still served");
            }
            served.remove(0).connection().close();
            served.add(openServed(node));
            // Peer links have a port of their own: a follower killed and restarted now is linked again.
            long follower = cluster.nodes().keySet().stream().filter(pid -> pid != leader).findFirst().orElseThrow();
            String link = "peer " + follower + " up";
            int links = occurrences(cluster.console(leader), link);
            cluster.kill(follower);
            cluster.start(follower);
            cluster.awaitConsole(leader, link, links + 1, STARTUP);
            Served last = served.get(served.size() - 1);
            last.connection().send(new KvCommand(last.clientId(), 4, 3, KvOp.PUT, "k", "after"));
            assertEquals(KvStatus.OK, last.connection().readReply().status());
            assertTrue(cluster.alive(leader));
        } finally {
            for (Served connection : served) {
                connection.connection().close();
            }
            for (RawConnection operator : operators) {
                operator.close();
            }
        }
    }

    @Test
    void clientsThatDoNotReadAreCutOffAtTheNodeWideReplyLimit() throws Exception {
        int maxUnsentMib = 8;
        cluster = new KvCluster(dir, 3).maxUnsentRepliesMib(maxUnsentMib).startAll();
        long leader = cluster.writeBigAndSmall(STARTUP);
        NodeAddress node = cluster.nodes().get(leader);
        System.out.println("node " + leader + " VmRSS before the hogs: " + cluster.residentMemory(leader));
        List<Socket> hogs = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket hog = new Socket();
                hogs.add(hog);
                hog.setReceiveBufferSize(4096); // and never read
                hog.connect(new InetSocketAddress(node.host(), node.clientPort()));
                OutputStream out = hog.getOutputStream();
                out.write(pipelinedGets(nextClientId++, 200)); // 200 MiB of replies each
                out.flush();
            }
            KvCluster.await("the node to cut the hogs off", STARTUP,
                    () -> cluster.log(leader).contains("while all client connections hold") || !cluster.alive(leader));
            System.out.println("node " + leader + " VmRSS with the hogs: " + cluster.residentMemory(leader));
            assertTrue(cluster.alive(leader), "the node died:\n" + cluster.console(leader));
            String log = cluster.log(leader);
            log.lines().filter(line -> line.contains("while all client connections hold")).forEach(System.out::println);
            assertTrue(log.contains("more than half of " + maxUnsentMib * (1L << 20)), log);
            assertFalse(log.contains("of replies unread, more than"), "a hog reached the limit of one connection: "
                    + log);
            try (RawConnection other = new RawConnection(node.host(), node.clientPort())) {
                other.send(new KvCommand(nextClientId++, 1, 0, KvOp.GET, "small", ""));
                assertEquals(KvReply.value(1, "s"), other.readReply(), "another client is served");
            }
        } finally {
            for (Socket hog : hogs) {
                hog.close();
            }
        }
        // Once the hogs are gone their bytes leave the count: a client that reads may pipeline 1 MiB replies.
        try (RawConnection reader = new RawConnection(node.host(), node.clientPort())) {
            int gets = maxUnsentMib / 2;
            reader.writeRaw(pipelinedGets(nextClientId++, gets));
            for (int i = 1; i <= gets; i++) {
                KvReply reply = reader.readReply();
                assertEquals(KvStatus.OK, reply.status(), reply.toString());
                assertEquals(KvStateMachine.MAX_STORED_VALUE_BYTES, reply.text().length());
            }
        }
    }

    /** A connection that was served, and the client id of the request it was served (number 1). */
    private record Served(RawConnection connection, long clientId) {}

    /**
     * Opens a connection whose GET of "k" is answered, retrying while the node has no slot free (its
     * earlier connections' slots are freed once it sees them close).
     */
    private Served openServed(NodeAddress node) throws InterruptedException {
        AtomicReference<Served> served = new AtomicReference<>();
        long clientId = nextClientId++;
        KvCluster.await("a connection that is served", SERVED, () -> {
            RawConnection connection = null;
            try {
                connection = new RawConnection(node.host(), node.clientPort());
                // A session first, as KvClient opens one: a GET alone (read index, no log) opens none.
                connection.send(new KvCommand(clientId, 1, 0, KvOp.REGISTER, "", ""));
                assertEquals(KvStatus.OK, connection.readReply().status());
                connection.send(new KvCommand(clientId, 2, 1, KvOp.GET, "k", ""));
                assertEquals(KvReply.value(2, "v"), connection.readReply());
                served.set(new Served(connection, clientId));
                return true;
            } catch (IOException e) {
                closeQuietly(connection);
                return false;
            }
        });
        return served.get();
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    private static void closeQuietly(RawConnection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    /** {@code count} GET frames of "big" from client {@code clientId}, each acknowledging the one before. */
    private static byte[] pipelinedGets(long clientId, int count) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (long number = 1; number <= count; number++) {
            bytes.writeBytes(RawConnection.frame(new KvCommand(clientId, number, number - 1, KvOp.GET, "big", "")));
        }
        return bytes.toByteArray();
    }
}
