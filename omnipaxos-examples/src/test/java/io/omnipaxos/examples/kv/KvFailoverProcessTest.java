package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A leader whose process dies is replaced without waiting for the heartbeat rounds: its peer
 * connections close, the survivors report that to their core ({@code disconnected}), and they elect
 * as soon as they heard from each other. The rounds here last 6 s, so that a replacement noticed by
 * the rounds alone could not come before the test's deadline.
 */
class KvFailoverProcessTest extends KvProcessTest {

    /** 3,000 ticks of 2 ms. */
    private static final int ROUND_TICKS = 3000;
    private static final Duration ROUND = Duration.ofMillis(2L * ROUND_TICKS);

    @Test
    void aKilledLeaderIsReplacedLongBeforeItsHeartbeatRoundEnds() throws Exception {
        cluster = new KvCluster(dir, 3).electionTicks(ROUND_TICKS).startAll();
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            client.put("before", "1");
            long leader = client.lastAnsweringPid();

            cluster.kill(leader);
            long killedAt = System.nanoTime();
            client.put("after", "2"); // the client retries until a new leader takes it
            Duration took = Duration.ofNanos(System.nanoTime() - killedAt);

            assertNotEquals(leader, client.lastAnsweringPid(), "a new leader answered");
            Duration halfRound = ROUND.dividedBy(2);
            assertTrue(took.compareTo(halfRound) < 0, () -> "the first write after the kill took " + took.toMillis()
                    + " ms, not less than half a heartbeat round (" + halfRound.toMillis() + " ms):\n"
                    + cluster.log(client.lastAnsweringPid()));
            assertEquals(Optional.of("1"), client.get("before"));
        }
    }
}
