package io.omnipaxos.examples.kv.server;

import io.netty.channel.Channel;
import io.omnipaxos.examples.kv.net.ClientPortTls;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who may send administrative requests ({@link KvOp#RECONFIGURE}, {@link KvOp#FETCH_STATE}, {@link
 * KvOp#CONFIGURATION}) to the client port. Reconfiguring ends the cluster's configuration, a state
 * fetch hands out the whole map with every client's session, and the configuration lists the
 * nodes' addresses: none is for any client. A request is accepted if one of these holds:
 *
 * <ul>
 *   <li>it comes from a loopback address: whoever runs {@code kv reconfigure} on a node's host (the
 *       demos, a single-host cluster) is its operator;
 *   <li>its connection runs TLS, the client certificate chains to the node CA ({@code
 *       trust_store}, the trust of peer links) and its CN is {@code node<pid>}: another node (a new
 *       node fetching its starting state). A certificate of the client CA ({@code
 *       client_trust_store}) is a plain client's, whatever its CN says;
 *   <li>the node has an admin token ({@code network.admin_token}) and the request's key equals it
 *       (compared in constant time).
 * </ul>
 *
 * <p>Anything else is refused with the reason. Ordinary operations are not checked here.
 */
final class AdminPolicy {

    /** The CN of a node certificate, as peer links check it. */
    private static final Pattern NODE_COMMON_NAME = Pattern.compile("node[1-9][0-9]{0,18}");

    private final Optional<byte[]> adminToken;
    /** The client port's TLS, which recognises node certificates; null without TLS. */
    private final ClientPortTls tls;

    /**
     * A policy for a client port without TLS.
     *
     * @param adminToken the node's {@code network.admin_token}, if configured
     */
    AdminPolicy(Optional<String> adminToken) {
        this(adminToken, null);
    }

    /**
     * @param adminToken the node's {@code network.admin_token}, if configured
     * @param tls the client port's TLS (null without TLS): only a certificate that chains to its node
     *     CA counts as a node's
     */
    AdminPolicy(Optional<String> adminToken, ClientPortTls tls) {
        this.adminToken = adminToken.map(token -> token.getBytes(StandardCharsets.UTF_8));
        this.tls = tls;
    }

    /**
     * Why {@code command}, which arrived on {@code channel}, is refused; empty if it may proceed
     * (always for operations that are not administrative).
     */
    Optional<String> refusal(KvCommand command, Channel channel) {
        if (!command.op().isAdministrative() || isLoopback(channel.remoteAddress()) || hasNodeCertificate(channel)
                || hasToken(command)) {
            return Optional.empty();
        }
        String token = adminToken.isEmpty() ? "this node has no admin token configured"
                : command.key().isEmpty() ? "the request carries no admin token" : "the request's admin token is wrong";
        return Optional.of(command.op() + " refused: administrative requests are accepted only from loopback, over TLS"
                + " with a certificate of the node CA (CN node<pid>), or with the cluster's admin token"
                + " (network.admin_token);"
                + " this one comes from " + channel.remoteAddress() + " and " + token);
    }

    /** Whether {@code address} is a loopback address (the node's own host). */
    static boolean isLoopback(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                && inet.getAddress().isLoopbackAddress();
    }

    private boolean hasNodeCertificate(Channel channel) {
        return tls != null && tls.nodeCommonName(channel).filter(cn -> NODE_COMMON_NAME.matcher(cn).matches())
                .isPresent();
    }

    private boolean hasToken(KvCommand command) {
        return adminToken.isPresent() && !command.key().isEmpty()
                && MessageDigest.isEqual(adminToken.get(), command.key().getBytes(StandardCharsets.UTF_8));
    }
}
