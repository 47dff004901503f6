package io.omnipaxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.AppendRejectedException;
import io.omnipaxos.ConfigException;
import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.ServerConfig;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.Prepare;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Learners: servers outside the configuration's nodes that receive the log and catch up, but never
 * vote, count in no quorum and are never elected; under the whole fault mix (crashes, partitions,
 * loss, snapshots, a reconfiguration that makes them voters) the checkers hold for them too.
 */
class LearnersTest {

    private static SimulatedCluster settledWithEntries(long seed, int entries) {
        SimulatedCluster cluster = SimulatedCluster.create(seed, 3);
        assertTrue(cluster.runUntilSettled(400), cluster::dump);
        List<String> values = new java.util.ArrayList<>();
        for (int i = 0; i < entries; i++) {
            cluster.append(1 + i % 3).ifPresent(values::add);
        }
        cluster.awaitAllChosen(values, 1000);
        cluster.awaitConverged(1000);
        return cluster;
    }

    @Test
    void aLearnerCatchesUpFollowsTheLeaderAndIsHandedEveryDecidedEntry() {
        SimulatedCluster cluster = settledWithEntries(81, 30);
        long leader = cluster.agreedLeader().orElseThrow();
        OmniPaxos<String> learner = cluster.addLearner(4, UnaryOperator.identity());
        assertTrue(cluster.runUntil(() -> learner.getDecidedIdx() == 30, 600), "caught up: " + cluster.dump());
        cluster.awaitAllChosen(cluster.appendOnEach(3), 600);
        cluster.awaitConverged(600);
        assertEquals(cluster.chosen().size(), learner.getDecidedIdx(), "and follows");
        assertEquals(Optional.of(leader), learner.getCurrentLeader());
        List<String> taken = learner.takeDecided(1000).stream()
                .map(e -> ((LogEntry.Decided<String>) e).entry()).toList();
        assertEquals(cluster.chosen(), taken);
        assertEquals(java.util.Set.of(4L), cluster.server(leader).learners());
    }

    @Test
    void learnersCountInNoQuorum() {
        SimulatedCluster cluster = settledWithEntries(82, 5);
        long leader = cluster.agreedLeader().orElseThrow();
        cluster.addLearner(4, UnaryOperator.identity());
        cluster.addLearner(5, UnaryOperator.identity());
        cluster.awaitConverged(600);
        for (long voter : cluster.voters()) {
            if (voter != leader) {
                cluster.crash(voter);
            }
        }
        Optional<String> alone = cluster.append(leader);
        cluster.run(300);
        assertFalse(cluster.isChosen(alone.orElseThrow()), "one voter and two learners decide nothing");
        long back = cluster.voters().stream().filter(p -> p != leader).findFirst().orElseThrow();
        cluster.restart(back);
        assertTrue(cluster.runUntil(() -> cluster.isChosen(alone.get()), 600), cluster::dump);
    }

    @Test
    void aLearnerIsNeverElectedProposesNothingAndFollowsTheNextLeader() {
        SimulatedCluster cluster = settledWithEntries(83, 5);
        OmniPaxos<String> learner = cluster.addLearner(4, UnaryOperator.identity());
        cluster.awaitConverged(600);
        AppendRejectedException refused = assertThrows(AppendRejectedException.class, () -> learner.append("x"));
        assertEquals(AppendRejectedException.Reason.LEARNER, refused.reason());
        assertThrows(IllegalStateException.class, learner::tryBecomeLeader);
        assertThrows(IllegalArgumentException.class, () -> cluster.server(1).addLearner(2), "a voter is no learner");
        long old = cluster.agreedLeader().orElseThrow();
        cluster.crash(old);
        long next = cluster.awaitSettledLeader(2000);
        assertTrue(next != 4 && next != old, "a voter leads: " + next);
        cluster.awaitAllChosen(List.of(cluster.append(next).orElseThrow()), 600);
        cluster.awaitConverged(600);
        assertEquals(Optional.of(next), learner.getCurrentLeader());
        assertEquals(cluster.chosen().size(), learner.getDecidedIdx());
    }

    @Test
    void aLearnersConfigurationNamesTheNodesAsItsPeersAndLeavesItselfOut() {
        OmniPaxosConfig config = OmniPaxosConfig.builder().configurationId(1).pid(4).peers(List.of(1L, 2L, 3L))
                .learner(true).build();
        assertEquals(List.of(1L, 2L, 3L), config.cluster().nodes());
        assertEquals(List.of(1L, 2L, 3L), config.peers());
        ConfigException e = assertThrows(ConfigException.class, () -> OmniPaxosConfig.builder().configurationId(1)
                .pid(3).nodes(List.of(1L, 2L, 3L)).learner(true).build());
        assertTrue(e.getMessage().contains("cannot be a learner"), e.getMessage());
    }

    @Test
    void aLeaderPreparesALearnerAgainAtOnceWhenItsLinkComesBack() {
        OmniPaxos<String> leader = OmniPaxosConfig.builder().configurationId(1).pid(1).nodes(List.of(1L)).build()
                .build(new ListStorage<>());
        for (int i = 0; i < 3 * ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT; i++) {
            leader.tick();
        }
        assertEquals(Optional.of(1L), leader.getCurrentLeader());
        leader.outgoingMessages();
        leader.addLearner(2);
        assertEquals(List.of(2L), preparesTo(leader), "the first Prepare (lost: the link was not up)");
        leader.reconnected(2);
        assertEquals(List.of(2L), preparesTo(leader), "again at once, not after the resend timeout");
        leader.reconnected(3);
        assertEquals(List.of(), preparesTo(leader), "not to a server that is neither a peer nor a learner");
    }

    private static List<Long> preparesTo(OmniPaxos<String> server) {
        return server.outgoingMessages().stream().filter(m -> m instanceof Prepare<String>).map(Message::to).toList();
    }

    @Test
    void aServersSettingsAsALearnerDifferInThatAlone() {
        ServerConfig voter = OmniPaxosConfig.builder().configurationId(1).pid(4).nodes(List.of(1L, 2L, 4L))
                .electionTickTimeout(7).build().server();
        ServerConfig learner = voter.withLearner(true);
        assertTrue(learner.learner());
        assertEquals(voter, learner.withLearner(false));
        assertEquals(List.of(1L, 2L), new OmniPaxosConfig(new io.omnipaxos.ClusterConfig(1, List.of(1L, 2L)), learner)
                .peers());
    }

    @TestFactory
    Stream<DynamicTest> learnersUnderTheFaultMix() {
        return SeededRuns.of(8000, 60, seed -> RandomFaultMix.run(seed, StorageFactory.inMemory(),
                UnaryOperator.identity(), 0, 1 + (int) (seed % 2)));
    }
}
