package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.client.KvException;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import io.omnipaxos.examples.kv.state.KvStatus;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * At-most-once under a flood of sessions: a flood of fresh clients evicts a real client's session,
 * and its retried APPEND is refused as expired instead of being applied twice; the real client is
 * told and carries on under a new session.
 */
class KvSessionProcessTest extends KvProcessTest {

    @Test
    void aSessionFloodNeverGetsARetriedAppendAppliedTwice() throws Exception {
        cluster = new KvCluster(dir, 3).electionTicks(250).startAll(); // rounds of 500 ms: the flood keeps the leader busy
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            client.append("steady", "a");
            NodeAddress leader = cluster.nodes().get(client.lastAnsweringPid());
            try (RawConnection raw = new RawConnection(leader.host(), leader.clientPort())) {
                raw.send(new KvCommand(777, 1, 0, KvOp.REGISTER, "", ""));
                assertEquals(KvReply.ok(1), raw.readReply());
                KvCommand append = new KvCommand(777, 2, 1, KvOp.APPEND, "once", "x");
                raw.send(append);
                assertEquals(KvReply.ok(2), raw.readReply());

                flood(raw, KvStateMachine.MAX_SESSIONS + 1);

                raw.send(append); // the retry of a request whose reply was lost
                assertEquals(KvReply.sessionExpired(2), raw.readReply());
            }
            KvException expired = assertThrows(KvException.class, () -> client.append("steady", "b"));
            assertTrue(expired.getMessage().contains("outcome is unknown"), expired.getMessage());
            client.append("steady", "c"); // a new session, registered by the client itself
            assertEquals(Optional.of("x"), client.get("once"), "the APPEND was applied once");
            assertEquals(Optional.of("ac"), client.get("steady"));
        }
    }

    /** Registers {@code sessions} fresh clients, pipelined, reading the replies on another thread. */
    private static void flood(RawConnection raw, int sessions) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                for (int i = 0; i < sessions; i++) {
                    KvReply reply = raw.readReply();
                    if (reply.status() != KvStatus.OK) {
                        throw new AssertionError("flood REGISTER answered " + reply);
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        reader.start();
        for (int i = 1; i <= sessions; i++) {
            raw.send(new KvCommand(1_000_000L + i, 1, 0, KvOp.REGISTER, "", ""));
        }
        reader.join(120_000);
        assertTrue(failure.get() == null, () -> "flood: " + failure.get());
        assertTrue(!reader.isAlive(), "the flood's replies came back");
    }
}
