package io.omnipaxos;

import io.omnipaxos.messages.HeartbeatReply;
import java.util.List;

/** Makes a server elect itself in unit tests, without a network. */
final class TestElections {

    private TestElections() {}

    /**
     * Server {@code pid} elects itself: it runs a heartbeat round in which every other member of
     * {@code nodes} answers as not quorum-connected with a ballot of round 1, then ends the next
     * round (it takes over with a higher ballot and starts preparing).
     */
    static void electSelf(OmniPaxos<String> server, int configurationId, long pid, List<Long> nodes) {
        for (int i = 0; i < ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT; i++) {
            server.tick();
        }
        server.outgoingMessages();
        for (long peer : nodes) {
            if (peer != pid) {
                server.handleIncoming(new HeartbeatReply<>(peer, pid, configurationId, 1, new Ballot(1, 0, peer), false));
            }
        }
        for (int i = 0; i < ServerConfig.DEFAULT_ELECTION_TICK_TIMEOUT; i++) {
            server.tick();
        }
    }
}
