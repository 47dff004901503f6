package io.omnipaxos;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.codec.StopSignCodec;
import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.AcceptStopSign;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Accepted;
import io.omnipaxos.messages.HeartbeatReply;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.SequenceNumber;
import io.omnipaxos.messages.StopSignForward;
import io.omnipaxos.messages.TakeSnapshot;
import io.omnipaxos.messages.Trim;
import io.omnipaxos.sim.ListStorage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One server fed messages a broken or hostile peer could send: each is refused and counted, changes
 * nothing, and never stops the server.
 */
class HostilePeerTest {

    private static final int CONFIG = 1;
    private static final List<Long> NODES = List.of(1L, 2L, 3L);
    private static final Ballot B1 = new Ballot(1, 0, 1);

    private final ListStorage<String> storage = new ListStorage<>();

    private OmniPaxos<String> server(long pid) {
        return OmniPaxosConfig.builder().configurationId(CONFIG).pid(pid).nodes(NODES).build().build(storage);
    }

    /** Every peer answers one heartbeat round as not quorum-connected, so {@code server} takes over. */
    private static List<Message<String>> electSelf(OmniPaxos<String> server, long pid, long peerBallotN) {
        for (int i = 0; i < ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT - 1; i++) {
            server.tick();
        }
        server.outgoingMessages();
        for (long peer : NODES) {
            if (peer != pid) {
                server.handleIncoming(new HeartbeatReply<>(peer, pid, CONFIG, 1, new Ballot(peerBallotN, 0, peer), false));
            }
        }
        server.tick();
        return server.outgoingMessages();
    }

    /** Server 2 leads ballot (2, 0, 2) in the accept phase, with server 3's promise. */
    private OmniPaxos<String> acceptingLeader() {
        OmniPaxos<String> leader = server(2);
        electSelf(leader, 2, 1);
        Ballot ballot = storage.getPromise();
        leader.handleIncoming(new Promise<>(3, 2, CONFIG, ballot, Ballot.NONE, 0, 0, 0, List.of()));
        leader.outgoingMessages();
        assertTrue(leader.getCurrentLeaderInfo().orElseThrow().accepting());
        return leader;
    }

    /** Server 3 follows leader 1 (ballot B1) and has decided {@code entries}. */
    private OmniPaxos<String> followerWithDecided(List<String> entries) {
        OmniPaxos<String> follower = server(3);
        follower.handleIncoming(new Prepare<>(1, 3, CONFIG, B1, 0, Ballot.NONE, 0));
        follower.handleIncoming(new AcceptSync<>(1, 3, CONFIG, B1, new SequenceNumber(1, 1), 0, List.of(), 0));
        follower.handleIncoming(new AcceptDecide<>(1, 3, CONFIG, B1, new SequenceNumber(1, 2), entries.size(), entries));
        follower.outgoingMessages();
        assertEquals(entries.size(), follower.getDecidedIdx());
        return follower;
    }

    @SuppressWarnings("unchecked")
    private static <M> List<M> ofType(List<Message<String>> messages, Class<?> type) {
        return (List<M>) messages.stream().filter(type::isInstance).toList();
    }

    @Test
    void aBallotFarAboveAnyKnownRoundIsRefusedAndTheServerCanStillLead() {
        OmniPaxos<String> follower = server(3);
        follower.handleIncoming(new Prepare<>(1, 3, CONFIG, new Ballot(Ballot.MAX_N, 0, 1), 0, Ballot.NONE, 0));
        follower.handleIncoming(new Prepare<>(1, 3, CONFIG, new Ballot(2 + Ballot.MAX_N_STEP, 0, 1), 0, Ballot.NONE, 0));
        assertEquals(2, follower.rejectedIncomingCount());
        assertEquals(Ballot.NONE, storage.getPromise(), "nothing absurd is promised or persisted");
        assertTrue(ofType(follower.outgoingMessages(), Promise.class).isEmpty());

        List<Prepare<String>> prepares = ofType(electSelf(follower, 3, 1), Prepare.class);
        assertEquals(2, prepares.size(), "the server still leads, with its own small round");
        assertEquals(new Ballot(1, 0, 3), prepares.get(0).ballot());
    }

    @Test
    void aRoundWithinTheStepIsPromisedAsBefore() {
        OmniPaxos<String> follower = server(3);
        Ballot far = new Ballot(1 + Ballot.MAX_N_STEP, 0, 1);
        follower.handleIncoming(new Prepare<>(1, 3, CONFIG, far, 0, Ballot.NONE, 0));
        assertEquals(0, follower.rejectedIncomingCount());
        assertEquals(far, storage.getPromise());
        assertEquals(1, ofType(follower.outgoingMessages(), Promise.class).size());
    }

    @Test
    void roundsAtTheBoundNeverOverflowAndAServerStoredThereStillStarts() {
        assertThrows(IllegalArgumentException.class, () -> new Ballot(Ballot.MAX_N + 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Accepted<String>(1, 2, CONFIG, B1, Message.MAX_INDEX + 1));
        assertThrows(IllegalArgumentException.class, () -> new SequenceNumber(1, SequenceNumber.MAX_PART).next());
        storage.setPromise(new Ballot(Ballot.MAX_N, 0, 1)); // as a store written before the bound existed may hold
        OmniPaxos<String> server = assertDoesNotThrow(() -> server(3));
        assertDoesNotThrow(() -> electSelf(server, 3, Ballot.MAX_N));
        assertDoesNotThrow(server::tryBecomeLeader);
        assertEquals(new Ballot(Ballot.MAX_N, 0, 1), storage.getPromise(), "no round above the bound exists");
    }

    @Test
    void aBallotThatDoesNotNameTheSenderOrAMemberIsRefused() {
        OmniPaxos<String> follower = server(3);
        follower.handleIncoming(new Prepare<>(1, 3, CONFIG, new Ballot(5, 0, 2), 0, Ballot.NONE, 0));
        follower.handleIncoming(new Prepare<>(1, 3, CONFIG, new Ballot(5, 0, 9), 0, Ballot.NONE, 0));
        follower.handleIncoming(new HeartbeatReply<>(2, 3, CONFIG, 0, new Ballot(5, 0, 1), true));
        follower.handleIncoming(new Promise<>(1, 3, CONFIG, new Ballot(5, 0, 3), new Ballot(4, 0, 7), 0, 0, 0, List.of()));
        assertEquals(4, follower.rejectedIncomingCount());
        assertEquals(Ballot.NONE, storage.getPromise());
        assertTrue(follower.outgoingMessages().stream().noneMatch(m -> m instanceof Promise));
    }

    @Test
    void anInconsistentPromiseIsRefusedInsteadOfBreakingAnInvariant() {
        OmniPaxos<String> leader = server(2);
        electSelf(leader, 2, 1);
        Ballot ballot = storage.getPromise();
        leader.handleIncoming(new Promise<>(3, 2, CONFIG, ballot, Ballot.NONE, 50, 0, 0, List.of()));
        leader.handleIncoming(new Promise<>(3, 2, CONFIG, ballot, B1, 0, 9, 2, List.of()));
        assertEquals(2, leader.rejectedIncomingCount(), "a part of a long log carries entries");
        leader.handleIncoming(new Promise<>(3, 2, CONFIG, ballot, B1, 0, 9, 2, List.of("a")));
        assertEquals(0, storage.getLogLength(), "a part that leaves a gap after our log is not adopted");
        assertFalse(leader.getCurrentLeaderInfo().orElseThrow().accepting(), "still collecting promises");
        leader.handleIncoming(new Promise<>(3, 2, CONFIG, ballot, B1, 0, 1, 0, List.of("a")));
        assertTrue(leader.getCurrentLeaderInfo().orElseThrow().accepting());
        assertEquals(List.of("a"), storage.getEntries(0, 1));
    }

    @Test
    void aTrimFromAServerThatIsNotTheLeaderIsRefused() {
        OmniPaxos<String> follower = followerWithDecided(List.of("a", "b", "c"));
        follower.readDecidedSuffix(0);
        follower.handleIncoming(new Trim<>(2, 3, CONFIG, B1, 3)); // the leader's ballot, not the sender's
        follower.handleIncoming(new TakeSnapshot<>(2, 3, CONFIG, new Ballot(2, 0, 2), 3)); // not promised: ignored
        follower.handleIncoming(new Trim<>(2, 3, CONFIG, new Ballot(0, 0, 2), 3)); // an earlier round: ignored
        assertEquals(1, follower.rejectedIncomingCount());
        assertEquals(0, storage.getCompactedIdx());
        assertEquals(List.of(new LogEntry.Decided<>("a"), new LogEntry.Decided<>("b"), new LogEntry.Decided<>("c")),
                follower.readDecidedSuffix(0));
    }

    @Test
    void aLeaderTakesCompactionRequestsFromNobody() {
        OmniPaxos<String> leader = acceptingLeader();
        leader.append("a");
        leader.handleIncoming(new Accepted<>(3, 2, CONFIG, storage.getPromise(), 1));
        leader.readDecidedSuffix(0);
        leader.handleIncoming(new Trim<>(3, 2, CONFIG, storage.getPromise(), 1)); // its own round, from a follower
        leader.handleIncoming(new Trim<>(3, 2, CONFIG, new Ballot(0, 0, 3), 1)); // an earlier round: ignored
        assertEquals(1, leader.rejectedIncomingCount());
        assertEquals(1, leader.getDecidedIdx());
        assertEquals(0, storage.getCompactedIdx());
    }

    @Test
    void aFollowerTrimsOnlyWhatItsApplicationHasRead() {
        OmniPaxos<String> follower = followerWithDecided(List.of("a", "b", "c"));
        follower.handleIncoming(new Trim<>(1, 3, CONFIG, B1, 2));
        assertEquals(0, follower.rejectedIncomingCount());
        assertEquals(0, storage.getCompactedIdx(), "the application has read nothing yet");
        assertEquals(List.of(new LogEntry.Decided<>("a")), follower.readEntries(0, 1));
        for (int i = 0; i < ServerConfig.DEFAULT_RESEND_MESSAGE_TICK_TIMEOUT; i++) {
            follower.tick();
        }
        assertEquals(1, storage.getCompactedIdx(), "trimmed as far as the application read");
        assertEquals(List.of(new LogEntry.Trimmed<String>(1), new LogEntry.Decided<>("b"), new LogEntry.Decided<>("c")),
                follower.readDecidedSuffix(0));
        for (int i = 0; i < ServerConfig.DEFAULT_RESEND_MESSAGE_TICK_TIMEOUT; i++) {
            follower.tick();
        }
        assertEquals(2, storage.getCompactedIdx(), "then up to the leader's index, never past it");
    }

    @Test
    void aStopSignForwardedToThisVeryConfigurationIsRefused() {
        OmniPaxos<String> leader = acceptingLeader();
        leader.handleIncoming(new StopSignForward<>(3, 2, CONFIG, new StopSign(new ClusterConfig(CONFIG, NODES))));
        assertEquals(1, leader.rejectedIncomingCount());
        assertTrue(ofType(leader.outgoingMessages(), AcceptStopSign.class).isEmpty());
        assertDoesNotThrow(() -> leader.append("still open"));

        leader.handleIncoming(new StopSignForward<>(3, 2, CONFIG, new StopSign(new ClusterConfig(CONFIG + 1, NODES))));
        assertEquals(1, ofType(leader.outgoingMessages(), AcceptStopSign.class).size());
    }

    @Test
    void reconfigureRefusesAStopSignThatNoServerCouldDecode() {
        OmniPaxos<String> leader = acceptingLeader();
        byte[] tooMuch = new byte[StopSignCodec.MAX_METADATA_BYTES + 1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> leader.reconfigure(new ClusterConfig(CONFIG + 1, NODES), tooMuch));
        assertTrue(e.getMessage().contains("metadata"), e.getMessage());
        assertDoesNotThrow(() -> leader.append("still open"));
        assertTrue(ofType(leader.outgoingMessages(), AcceptStopSign.class).isEmpty());
    }
}
