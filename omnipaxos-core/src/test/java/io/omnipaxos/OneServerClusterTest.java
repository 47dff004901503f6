package io.omnipaxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.sim.ListStorage;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A cluster of one server: valid, it elects itself and decides alone, also after a restart. */
class OneServerClusterTest {

    private final ListStorage<String> storage = new ListStorage<>();

    private OmniPaxos<String> alone() {
        return OmniPaxosConfig.builder().configurationId(1).pid(7).nodes(List.of(7L)).build().build(storage);
    }

    private static void tickUntilLeader(OmniPaxos<String> server) {
        for (int i = 0; i < 10 * ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT && !server.getCurrentLeaderInfo()
                .map(LeaderInfo::accepting).orElse(false); i++) {
            server.tick();
            assertEquals(List.of(), server.outgoingMessages(), "a server alone sends nothing");
        }
        assertEquals(Optional.of(7L), server.getCurrentLeader());
    }

    @Test
    void aServerAloneElectsItselfAndDecidesWhatItAppends() {
        OmniPaxos<String> server = alone();
        tickUntilLeader(server);
        server.append("a");
        server.append("b");
        server.outgoingMessages();
        assertEquals(2, server.getDecidedIdx(), server::toString);
        assertEquals(List.of("a", "b"), server.readDecidedSuffix(0).stream()
                .map(e -> ((LogEntry.Decided<String>) e).entry()).toList());
    }

    @Test
    void takeDecidedLabelsEachEntryWithTheIdAppendReturned() {
        OmniPaxos<String> server = alone();
        long early = server.append("early");
        tickUntilLeader(server);
        long a = server.append("a");
        long b = server.append("b");
        server.outgoingMessages();
        for (int i = 0; i < ServerConfig.DEFAULT_FLUSH_BATCH_TICK_TIMEOUT; i++) {
            server.tick();
        }
        assertEquals(List.of(1L, 2L, 3L), List.of(early, a, b));
        assertEquals(List.of(new LogEntry.Decided<>("early", early), new LogEntry.Decided<>("a", a),
                new LogEntry.Decided<>("b", b)), server.takeDecided(10), server::toString);
        assertEquals(List.of(new LogEntry.Decided<>("a")), server.readEntries(1, 2), "other reads carry no id");
    }

    @Test
    void entriesAppendedBeforeTheElectionAreDecidedOnceItLeads() {
        OmniPaxos<String> server = alone();
        server.append("early");
        tickUntilLeader(server);
        server.outgoingMessages();
        for (int i = 0; i < ServerConfig.DEFAULT_FLUSH_BATCH_TICK_TIMEOUT; i++) {
            server.tick();
        }
        assertEquals(1, server.getDecidedIdx());
    }

    @Test
    void aRestartedServerAloneRecoversAndDecidesAgain() {
        OmniPaxos<String> server = alone();
        tickUntilLeader(server);
        server.append("before");
        server.outgoingMessages();
        OmniPaxos<String> restarted = alone();
        restarted.failRecovery();
        tickUntilLeader(restarted);
        restarted.append("after");
        restarted.outgoingMessages();
        assertEquals(2, restarted.getDecidedIdx());
        assertTrue(restarted.getCurrentLeaderInfo().orElseThrow().ballot().n() >= 2, "a new round");
    }

    @Test
    void noPeersIsAValidConfigurationInTomlAndInCode(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("alone.toml");
        java.nio.file.Files.writeString(file, "configuration_id = 1\npid = 7\npeers = []\n");
        OmniPaxosConfig fromToml = OmniPaxosConfig.withToml(file);
        assertEquals(List.of(7L), fromToml.cluster().nodes());
        assertEquals(List.of(), fromToml.peers());
        OmniPaxosConfig inCode = OmniPaxosConfig.builder().configurationId(1).pid(7).peers(List.of()).build();
        assertEquals(fromToml.cluster(), inCode.cluster());
        assertEquals(1, inCode.cluster().writeQuorumSize());
        assertEquals(1, inCode.cluster().readQuorumSize());
    }
}
