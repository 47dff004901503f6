package io.omnipaxos.examples.kv.peer;

import io.netty.channel.Channel;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.examples.kv.peer.Incarnations.Member;
import java.util.Set;

/**
 * What one node of one configuration makes of the hellos on its peer links, apart from the
 * channels: who may link (a peer, the pid dialed, with TLS the certificate of {@code node<pid>}),
 * and whether the incarnations agree with what this node recorded ({@link Incarnations}). The
 * {@link PeerNetwork} acts on the answers. Event loop only.
 */
final class HelloChecks {

    private final long pid;
    private final int configurationId;
    private final Set<Long> peers;
    private final Incarnations incarnations;

    HelloChecks(long pid, int configurationId, Set<Long> peers, Incarnations incarnations) {
        this.pid = pid;
        this.configurationId = configurationId;
        this.peers = peers;
        this.incarnations = incarnations;
    }

    /** This node's hello; {@code refusal}: it refuses the link for a conflicting incarnation. */
    PeerHello ours(boolean refusal) {
        return new PeerHello(pid, configurationId, incarnations.self(), refusal,
                incarnations.helloTable(configurationId));
    }

    /** Why {@code hello} (of our configuration) is not from a peer we may link with, or null. */
    String refusal(PeerHello hello, long dialedPid, Channel channel) {
        if (!peers.contains(hello.pid())) {
            return "pid " + hello.pid() + " is not a peer " + peers;
        }
        if (dialedPid != 0 && hello.pid() != dialedPid) {
            return "dialed pid " + dialedPid + " but pid " + hello.pid() + " answered";
        }
        if (TlsContexts.isTls(channel)) {
            String expected = "node" + hello.pid();
            String actual = TlsContexts.peerCommonName(channel).orElse("(none)");
            if (!expected.equals(actual)) {
                return "claims pid " + hello.pid() + " but its certificate CN is " + actual + ", expected " + expected;
            }
        }
        return null;
    }

    /**
     * Why this node must stop, if {@code hello} says that its sender recorded this node, in this
     * configuration, under another incarnation: this data folder is not the one that was a member.
     * Null if not.
     */
    String replaced(PeerHello hello) {
        Long known = hello.seen().get(new Member(configurationId, pid));
        return known == null || known == incarnations.self() ? null
                : incarnations.replacedMessage(configurationId, known);
    }

    /**
     * Why {@code hello}'s sender is refused because this node recorded it under another incarnation
     * (its data folder was replaced or emptied since), or null.
     */
    String incarnationConflict(PeerHello hello) {
        Long recorded = incarnations.recorded(new Member(configurationId, hello.pid()));
        if (recorded == null || recorded == hello.incarnation()) {
            return null;
        }
        return "pid " + hello.pid() + " of configuration " + configurationId + " is incarnation "
                + Incarnations.hex(recorded) + " here, its hello says " + Incarnations.hex(hello.incarnation())
                + ": its data folder was replaced or emptied since it was a member (it must come back as a new node"
                + " through reconfiguration)";
    }

    /** Records {@code hello}'s incarnation and merges its table, durably, before the link goes on. */
    void record(PeerHello hello) {
        incarnations.record(configurationId, hello.pid(), hello.incarnation(), hello.seen());
    }
}
