package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.client.KvException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Partitions of real node processes: made by the nodes themselves ({@code --fault-injection}:
 * messages dropped inside a node, {@link KvCluster#cutLinks}, the connections left up and silent),
 * and, where the test can make network namespaces, by the kernel ({@link NetnsLab}).
 */
class KvPartitionProcessTest extends KvProcessTest {

    private static final Pattern DROPPED_IN = Pattern.compile("\"dropped_in\":(\\d+)");

    /** Partitions by the kernel in network namespaces, where the test can make them (else skipped, saying why). */
    @Test
    void anIsolatedLeaderInItsOwnNetworkNamespaceIsReplacedAndCatchesUpOnceHealed() throws Exception {
        try (NetnsLab.Lab lab = NetnsLab.open(List.of(1L, 2L, 3L))) {
            Assumptions.assumeTrue(lab.lab().isPresent(), () -> "no network namespaces here: " + lab.whyNot());
            cluster = new KvCluster(dir, 3).followerReads().inNamespaces(lab.lab().get()).startAll();
            isolateTheLeaderThenHeal(Partitioner.kernel(lab.lab().get(), cluster));
            cluster.close(); // before the lab goes
        }
    }

    @Test
    void anIsolatedLeaderIsReplacedAcknowledgesNothingAndCatchesUpOnceHealed() throws Exception {
        cluster = new KvCluster(dir, 3).followerReads().faultInjection().startAll();
        long isolated = isolateTheLeaderThenHeal(Partitioner.insideNodes(cluster, "test"));
        String faults = cluster.cutLinks(isolated, Set.of(), Set.of()); // healed already: shows the counts
        assertTrue(droppedIn(faults) > 0, () -> "the isolated node dropped what its peers sent: " + faults);
    }

    /** Isolates the leader, checks the majority goes on without it, heals, checks it caught up; returns its pid. */
    private long isolateTheLeaderThenHeal(Partitioner partitioner) throws Exception {
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            client.put("before", "1");
            long leader = client.lastAnsweringPid();

            partitioner.isolate(leader);
            client.put("during", "2"); // the client moves on until a node of the majority takes it
            assertNotEquals(leader, client.lastAnsweringPid(), "a leader of the majority answered");
            try (KvClient isolated = new KvClient(Map.of(leader, cluster.nodes().get(leader)), null, null,
                    Duration.ofMillis(300), Duration.ofSeconds(2))) {
                assertThrows(KvException.class, () -> isolated.put("isolated", "3"),
                        "the isolated old leader cannot get a write decided");
            }

            partitioner.heal(leader);
            client.put("after", "4");
            try (KvClient old = cluster.clientOf(Set.of(leader))) {
                KvCluster.await("the old leader serving what the majority wrote", STARTUP,
                        () -> Optional.of("2").equals(readOrEmpty(old, "during")));
                assertEquals(Optional.of("4"), old.get("after"));
                assertEquals(Optional.of("1"), old.get("before"));
            }
            return leader;
        }
    }

    @Test
    void aLinkCutBetweenTheLeaderAndAFollowerLeavesTheClusterWriting() throws Exception {
        cluster = new KvCluster(dir, 3).faultInjection().startAll();
        try (KvClient client = cluster.client()) {
            KvCluster.awaitLeader(client, STARTUP);
            client.put("k", "0");
            long leader = client.lastAnsweringPid();
            long follower = cluster.othersThan(leader).iterator().next();

            cluster.cutLinks(leader, Set.of(follower), Set.of(follower)); // both still reach the third node
            for (int i = 1; i <= 50; i++) {
                client.put("k", Integer.toString(i)); // each within the client's deadline
            }
            assertEquals(Optional.of("50"), client.get("k"));
            String healed = cluster.cutLinks(leader, Set.of(), Set.of());
            assertTrue(droppedIn(healed) > 0, () -> "the cut link carried messages that were dropped: " + healed);
            client.put("k", "51");
            assertEquals(Optional.of("51"), client.get("k"));
        }
    }

    private static Optional<String> readOrEmpty(KvClient client, String key) {
        try {
            return client.get(key);
        } catch (KvException notYet) {
            return Optional.empty();
        }
    }

    private static long droppedIn(String faultsJson) {
        Matcher matcher = DROPPED_IN.matcher(faultsJson);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }
}
