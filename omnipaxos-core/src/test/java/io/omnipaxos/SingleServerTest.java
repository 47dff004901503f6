package io.omnipaxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Accepted;
import io.omnipaxos.messages.Decide;
import io.omnipaxos.messages.HeartbeatReply;
import io.omnipaxos.messages.HeartbeatRequest;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.NotAccepted;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.messages.PrepareReq;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.SequenceNumber;
import io.omnipaxos.sim.ListStorage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One server fed hand-built messages; assertions on its outgoing messages and its storage. */
class SingleServerTest {

    private static final int CONFIG = 1;
    private static final Ballot B1 = new Ballot(1, 0, 1);
    private static final Ballot B2 = new Ballot(1, 0, 2);

    private final ListStorage<String> storage = new ListStorage<>();

    private OmniPaxos<String> server(long pid) {
        return OmniPaxosConfig.builder().configurationId(CONFIG).pid(pid).nodes(List.of(1L, 2L, 3L))
                .build().build(storage);
    }

    /** Runs one heartbeat round in which both peers answer, not quorum-connected, so this server elects itself. */
    private static List<Message<String>> electSelf(OmniPaxos<String> server, long pid) {
        for (int i = 0; i < ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT - 1; i++) {
            server.tick();
        }
        server.outgoingMessages();
        for (long peer : List.of(1L, 2L, 3L)) {
            if (peer != pid) {
                server.handleIncoming(new HeartbeatReply<>(peer, pid, CONFIG, 1, new Ballot(1, 0, peer), false));
            }
        }
        server.tick();
        return server.outgoingMessages();
    }

    @SuppressWarnings("unchecked")
    private static <M> List<M> ofType(List<Message<String>> messages, Class<?> type) {
        return (List<M>) messages.stream().filter(type::isInstance).toList();
    }

    @Test
    void oneProposerWithoutConflictDecidesAfterAQuorumAccepts() {
        OmniPaxos<String> leader = server(1);
        List<Prepare<String>> prepares = ofType(electSelf(leader, 1), Prepare.class);
        assertEquals(List.of(new Prepare<String>(1, 2, CONFIG, B1, 0, Ballot.NONE, 0),
                new Prepare<String>(1, 3, CONFIG, B1, 0, Ballot.NONE, 0)), prepares);
        assertEquals(B1, storage.getPromise(), "promise is stored before the Prepares leave");

        leader.handleIncoming(new Promise<>(2, 1, CONFIG, B1, Ballot.NONE, 0, 0, 0, List.of()));
        List<AcceptSync<String>> syncs = ofType(leader.outgoingMessages(), AcceptSync.class);
        assertEquals(List.of(new AcceptSync<String>(1, 2, CONFIG, B1, new SequenceNumber(1, 1), 0, List.of(), 0)), syncs);
        assertTrue(leader.getCurrentLeaderInfo().orElseThrow().accepting());

        leader.append("x");
        List<AcceptDecide<String>> accepts = ofType(leader.outgoingMessages(), AcceptDecide.class);
        assertEquals(List.of(new AcceptDecide<String>(1, 2, CONFIG, B1, new SequenceNumber(1, 2), 0, List.of("x"))), accepts);
        assertEquals(List.of("x"), storage.getEntries(0, 1), "the entry is stored before it is replicated");
        assertEquals(0, leader.getDecidedIdx());

        leader.handleIncoming(new Accepted<>(2, 1, CONFIG, B1, 1));
        assertEquals(1, leader.getDecidedIdx());
        assertEquals(List.of(new LogEntry.Decided<>("x")), leader.readDecidedSuffix(0));
        List<Decide<String>> decides = ofType(leader.outgoingMessages(), Decide.class);
        assertEquals(List.of(new Decide<String>(1, 2, CONFIG, B1, new SequenceNumber(1, 3), 1, true)), decides,
                "server 2's acknowledgement makes a write quorum that took the round: it is established");
    }

    @Test
    void anAcceptorPromisesTheLaterBallotWithWhatItAcceptedAndRefusesTheEarlierLeader() {
        OmniPaxos<String> acceptor = server(3);
        acceptor.handleIncoming(new Prepare<>(1, 3, CONFIG, B1, 0, Ballot.NONE, 0));
        acceptor.handleIncoming(new AcceptSync<>(1, 3, CONFIG, B1, new SequenceNumber(1, 1), 0, List.of(), 0));
        acceptor.handleIncoming(new AcceptDecide<>(1, 3, CONFIG, B1, new SequenceNumber(1, 2), 0, List.of("a")));
        List<Accepted<String>> accepted = ofType(acceptor.outgoingMessages(), Accepted.class);
        assertEquals(new Accepted<String>(3, 1, CONFIG, B1, 1), accepted.get(accepted.size() - 1));

        acceptor.handleIncoming(new Prepare<>(2, 3, CONFIG, B2, 0, Ballot.NONE, 0));
        List<Promise<String>> promises = ofType(acceptor.outgoingMessages(), Promise.class);
        assertEquals(List.of(new Promise<String>(3, 2, CONFIG, B2, B1, 0, 1, 0, List.of("a"))), promises,
                "the promise carries the value the earlier leader may have had decided");
        assertEquals(B2, storage.getPromise());

        acceptor.handleIncoming(new AcceptDecide<>(1, 3, CONFIG, B1, new SequenceNumber(1, 3), 0, List.of("late")));
        assertEquals(List.of(new NotAccepted<String>(3, 1, CONFIG, B2)), ofType(acceptor.outgoingMessages(), NotAccepted.class));
        assertEquals(1, storage.getLogLength(), "nothing of the earlier ballot is accepted after the promise");
    }

    @Test
    void theLaterLeaderKeepsTheValueTheEarlierOneMayHaveDecided() {
        OmniPaxos<String> leader = server(2);
        electSelf(leader, 2);
        leader.handleIncoming(new Promise<>(3, 2, CONFIG, B2, B1, 0, 1, 0, List.of("a")));
        List<AcceptSync<String>> syncs = ofType(leader.outgoingMessages(), AcceptSync.class);
        assertEquals(List.of(new AcceptSync<String>(2, 3, CONFIG, B2, new SequenceNumber(1, 1), 1, List.of(), 0)), syncs,
                "the follower already holds the adopted log, so nothing is resent");
        assertEquals(List.of("a"), storage.getEntries(0, 1));
        assertEquals(B2, storage.getAcceptedRound());

        leader.append("b");
        leader.handleIncoming(new Accepted<>(3, 2, CONFIG, B2, 2));
        assertEquals(List.of(new LogEntry.Decided<>("a"), new LogEntry.Decided<>("b")), leader.readDecidedSuffix(0));
    }

    @Test
    void aFollowerThatMissesAMessageAsksToBePreparedAgain() {
        OmniPaxos<String> follower = server(3);
        follower.handleIncoming(new Prepare<>(1, 3, CONFIG, B1, 0, Ballot.NONE, 0));
        follower.handleIncoming(new AcceptSync<>(1, 3, CONFIG, B1, new SequenceNumber(1, 1), 0, List.of(), 0));
        follower.outgoingMessages();
        follower.handleIncoming(new AcceptDecide<>(1, 3, CONFIG, B1, new SequenceNumber(1, 3), 0, List.of("gap")));
        assertEquals(0, storage.getLogLength(), "an entry after a gap is not accepted");
        List<PrepareReq<String>> requests = ofType(follower.outgoingMessages(), PrepareReq.class);
        assertEquals(2, requests.size());
    }

    @Test
    void messagesFromUnknownPidsOtherConfigurationsOrToOthersAreDroppedAndCounted() {
        OmniPaxos<String> follower = server(3);
        follower.handleIncoming(new Prepare<>(9, 3, CONFIG, new Ballot(5, 0, 9), 0, Ballot.NONE, 0));
        follower.handleIncoming(new Prepare<>(1, 3, CONFIG + 1, B1, 0, Ballot.NONE, 0));
        follower.handleIncoming(new Prepare<>(1, 2, CONFIG, B1, 0, Ballot.NONE, 0));
        assertEquals(3, follower.droppedIncomingCount());
        assertEquals(Ballot.NONE, storage.getPromise());
        assertTrue(ofType(follower.outgoingMessages(), Promise.class).isEmpty());
    }

    @Test
    void aServerBuiltOnStoredStateRecoversByAskingEveryPeer() {
        storage.setPromise(B1);
        storage.setAcceptedRound(B1);
        storage.appendEntries(List.of("a"));
        OmniPaxos<String> restarted = server(3);
        List<PrepareReq<String>> requests = ofType(restarted.outgoingMessages(), PrepareReq.class);
        assertEquals(List.of(new PrepareReq<String>(3, 1, CONFIG), new PrepareReq<String>(3, 2, CONFIG)), requests);
        restarted.handleIncoming(new Prepare<>(1, 3, CONFIG, B1, 0, B1, 1));
        List<Promise<String>> promises = ofType(restarted.outgoingMessages(), Promise.class);
        assertEquals(List.of(new Promise<String>(3, 1, CONFIG, B1, B1, 0, 1, 1, List.of())), promises);
    }

    @Test
    void appendsBeyondBufferSizeWithoutALeaderAreRejected() {
        OmniPaxos<String> lonely = OmniPaxosConfig.builder().configurationId(CONFIG).pid(1).nodes(List.of(1L, 2L, 3L))
                .bufferSize(3).build().build(storage);
        for (int i = 0; i < 3; i++) {
            lonely.append("e" + i);
        }
        AppendRejectedException rejected = assertThrows(AppendRejectedException.class, () -> lonely.append("e3"));
        assertEquals(AppendRejectedException.Reason.BUFFER_FULL, rejected.reason());
    }

    @Test
    void heartbeatRequestsAreAnsweredWithOwnBallotAndConnectivity() {
        OmniPaxos<String> server = server(2);
        server.outgoingMessages();
        server.handleIncoming(new HeartbeatRequest<>(1, 2, CONFIG, 7));
        assertEquals(List.of(new HeartbeatReply<String>(2, 1, CONFIG, 7, B2, true)),
                ofType(server.outgoingMessages(), HeartbeatReply.class));
    }

    @Test
    void readsOutsideTheLogAreRejectedWithTheValues() {
        OmniPaxos<String> server = server(1);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> server.readEntries(0, 5));
        assertTrue(e.getMessage().contains("5"), e.getMessage());
        assertTrue(server.read(0).isEmpty());
        assertTrue(server.readDecidedSuffix(0).isEmpty());
    }
}
