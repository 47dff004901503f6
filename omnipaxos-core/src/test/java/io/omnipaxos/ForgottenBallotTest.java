package io.omnipaxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.messages.HeartbeatReply;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.sim.ListStorage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server that took over and crashed before its promise was durable (an asynchronous storage)
 * comes back with a lower candidacy: the ballot it announced is forgotten, and nobody will ever lead
 * it. Its peers accept one reply with an older ballot (sent just before a takeover), but not two
 * rounds of them: then they elect anew instead of following a ballot nobody leads.
 */
class ForgottenBallotTest {

    private static final int CONFIG = 1;
    private static final List<Long> NODES = List.of(1L, 2L, 3L);
    private static final Ballot ANNOUNCED = new Ballot(6, 0, 3);

    @Test
    void aLeaderThatAnswersWithAnOlderBallotTwiceInARowIsReplaced() {
        OmniPaxos<String> server = OmniPaxosConfig.builder().configurationId(CONFIG).pid(2).nodes(NODES).build()
                .build(new ListStorage<>(), null, StringCodec.INSTANCE);
        endRound(server); // round 1 starts
        answer(server, 1, new Ballot(1, 0, 1), ANNOUNCED);
        endRound(server);
        assertEquals(ANNOUNCED, server.getCurrentLeaderInfo().orElseThrow().ballot(), "it follows the announced ballot");

        Ballot forgotten = new Ballot(1, 0, 3); // server 3 restarted without its promise of round 6
        answer(server, 2, new Ballot(1, 0, 1), forgotten);
        endRound(server);
        assertEquals(ANNOUNCED, server.getCurrentLeaderInfo().orElseThrow().ballot(),
                "one older reply may have been sent just before the takeover");

        answer(server, 3, new Ballot(1, 0, 1), forgotten);
        endRound(server);
        Ballot now = server.getCurrentLeaderInfo().orElseThrow().ballot();
        assertTrue(now.isGreaterThan(ANNOUNCED), "after two older replies in a row a new ballot leads, not " + now);
    }

    /**
     * One older reply each from two servers whose ballots it followed in turn is no forgotten ballot:
     * each may have been sent just before that server took over (fault mix seed 2078 of 3,000: counted
     * together, they made servers take over from each other round after round).
     */
    @Test
    void olderRepliesOfTwoDifferentLeadersAreNotCountedTogether() {
        OmniPaxos<String> server = OmniPaxosConfig.builder().configurationId(CONFIG).pid(2).nodes(NODES).build()
                .build(new ListStorage<>(), null, StringCodec.INSTANCE);
        endRound(server);
        answer(server, 1, new Ballot(1, 0, 1), ANNOUNCED);
        endRound(server);
        answer(server, 2, new Ballot(1, 0, 1), new Ballot(5, 0, 3)); // once older: sent before its takeover
        endRound(server);

        Ballot next = new Ballot(7, 0, 1);
        server.handleIncoming(new Prepare<>(1, 2, CONFIG, next, 0, Ballot.NONE, 0)); // server 1 took over
        answer(server, 3, new Ballot(6, 0, 1), ANNOUNCED); // its reply left before its takeover
        endRound(server);
        assertEquals(next, server.getCurrentLeaderInfo().orElseThrow().ballot(), "server 1's new ballot still leads");
    }

    private static void answer(OmniPaxos<String> server, long round, Ballot fromOne, Ballot fromThree) {
        server.handleIncoming(new HeartbeatReply<>(1, 2, CONFIG, round, fromOne, true));
        server.handleIncoming(new HeartbeatReply<>(3, 2, CONFIG, round, fromThree, true));
    }

    private static void endRound(OmniPaxos<String> server) {
        for (int i = 0; i < ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT; i++) {
            server.tick();
        }
        server.outgoingMessages();
    }
}
