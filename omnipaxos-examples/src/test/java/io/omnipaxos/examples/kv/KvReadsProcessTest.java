package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStatus;
import org.junit.jupiter.api.Test;

/**
 * GETs go through the read index, not the log: on the leader always, and on a follower with
 * {@code follower_reads = true}, where the follower answers from its own state once it has applied
 * the leader's read index. A GET after an acknowledged PUT sees it, whichever node answers.
 */
class KvReadsProcessTest extends KvProcessTest {

    @Test
    void aFollowerServesGetsThatSeeEveryAcknowledgedWrite() throws Exception {
        cluster = new KvCluster(dir, 3).followerReads().startAll();
        long leader;
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            leader = client.lastAnsweringPid();
        }
        long follower = cluster.nodes().keySet().stream().filter(p -> p != leader).findFirst().orElseThrow();
        NodeAddress node = cluster.nodes().get(follower);
        try (KvClient writer = cluster.client(); RawConnection reader = new RawConnection(node.host(), node.clientPort())) {
            for (int i = 1; i <= 50; i++) {
                writer.put("k", "v" + i);
                // The follower answers itself (a NOT_LEADER would fail this), after the acknowledged PUT.
                reader.send(new KvCommand(77, i, i - 1, KvOp.GET, "k", ""));
                assertEquals(KvReply.value(i, "v" + i), reader.readReply(), "GET after the acknowledged PUT " + i);
            }
            writer.delete("k");
            reader.send(new KvCommand(77, 51, 50, KvOp.GET, "k", ""));
            assertEquals(KvReply.notFound(51), reader.readReply());
        }
        assertEquals(true, cluster.alive(follower));
    }

    @Test
    void withoutFollowerReadsAFollowerSendsGetsToTheLeader() throws Exception {
        cluster = new KvCluster(dir, 3).startAll();
        long leader;
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            leader = client.lastAnsweringPid();
            client.put("k", "v");
        }
        long follower = cluster.nodes().keySet().stream().filter(p -> p != leader).findFirst().orElseThrow();
        NodeAddress node = cluster.nodes().get(follower);
        try (RawConnection reader = new RawConnection(node.host(), node.clientPort())) {
            reader.send(new KvCommand(77, 1, 0, KvOp.GET, "k", ""));
            KvReply reply = reader.readReply();
            assertEquals(KvStatus.NOT_LEADER, reply.status(), reply.toString());
            assertEquals(leader, reply.leaderHint());
        }
    }
}
