package io.omnipaxos.examples.kv.net;

import io.netty.channel.Channel;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * TLS of a node's client port: a context whose trust is the node CA and the client CA together
 * (nodes fetching state and clients both connect there), and the node CA alone, which tells a
 * node's certificate from a client's after the handshake.
 *
 * @param context the server-side context of the client port
 * @param nodeTrust the trust of peer links ({@code trust_store}), to recognise nodes
 */
public record ClientPortTls(SSLContext context, X509TrustManager nodeTrust) {

    /** Checks the fields. */
    public ClientPortTls {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(nodeTrust, "nodeTrust");
    }

    /**
     * The CN of the certificate the other side of {@code channel} presented, if the channel runs
     * TLS and that certificate chains to the node CA; empty for a client certificate, whatever its
     * CN says.
     */
    public Optional<String> nodeCommonName(Channel channel) {
        return TlsContexts.peerChain(channel).flatMap(chain -> TlsContexts.trustedCommonName(chain, nodeTrust));
    }
}
