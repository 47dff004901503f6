package io.omnipaxos.examples.kv.net;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * JDK {@link SSLContext}s from {@link TlsSettings}, Netty {@link SslHandler}s on them (mutual
 * authentication: the accepting side requires a client certificate), and the peer certificate's
 * common name, which peer links compare with the pid the other side claims.
 *
 * <p>Two kinds of context: {@link #create} trusts the node CA only ({@code trust_store}): peer
 * links, in both directions, and clients (which check the node's certificate with it). {@link
 * #clientPort} is a node's client port: it trusts the node CA and the client CA ({@code
 * client_trust_store}), and keeps the node CA apart to tell nodes from clients.
 */
public final class TlsContexts {

    /** Only TLS 1.3 and 1.2: older versions are broken. */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsContexts() {}

    /**
     * A context with this side's key store that trusts only the node CA ({@code trust_store}): for
     * peer links (a certificate of the client CA fails their handshake) and for connecting to a
     * node's client port.
     *
     * @throws IllegalStateException naming the store that could not be loaded
     */
    public static SSLContext create(TlsSettings settings) {
        try {
            KeyStore trusted = load(settings.trustStore(), settings.trustStorePassword());
            return context(settings, trustFactory(trusted).getTrustManagers());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS from key store " + settings.keyStore()
                    + " and trust store " + settings.trustStore() + ": " + e, e);
        }
    }

    /**
     * The client port's TLS: a context that accepts certificates of the node CA and of the client
     * CA, and the node CA alone to recognise nodes among them.
     *
     * @throws IllegalStateException naming the stores that could not be loaded
     */
    public static ClientPortTls clientPort(TlsSettings settings) {
        try {
            KeyStore nodes = load(settings.trustStore(), settings.trustStorePassword());
            KeyStore clients = load(settings.clientTrustStore(), settings.clientTrustStorePassword());
            SSLContext context = context(settings, trustFactory(union(nodes, clients)).getTrustManagers());
            return new ClientPortTls(context, x509(trustFactory(nodes).getTrustManagers()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up the client port's TLS from key store "
                    + settings.keyStore() + ", trust store " + settings.trustStore() + " and client trust store "
                    + settings.clientTrustStore() + ": " + e, e);
        }
    }

    /** A handler for the accepting side of a link: it demands the other side's certificate. */
    public static SslHandler serverHandler(SSLContext context, Channel channel) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(true);
        engine.setEnabledProtocols(PROTOCOLS);
        return new SslHandler(engine);
    }

    /** A handler for the connecting side of a link. */
    public static SslHandler clientHandler(SSLContext context, Channel channel) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(PROTOCOLS);
        return new SslHandler(engine);
    }

    /**
     * The CN of the certificate the other side of {@code channel} presented, if the channel runs
     * TLS and the handshake is done.
     */
    public static Optional<String> peerCommonName(Channel channel) {
        return peerChain(channel).flatMap(chain -> commonName(chain[0].getSubjectX500Principal().getName()));
    }

    /** The certificate chain the other side of {@code channel} presented, if it runs TLS and the handshake is done. */
    public static Optional<X509Certificate[]> peerChain(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            X509Certificate[] x509 = new X509Certificate[chain.length];
            for (int i = 0; i < chain.length; i++) {
                if (!(chain[i] instanceof X509Certificate certificate)) {
                    return Optional.empty();
                }
                x509[i] = certificate;
            }
            return x509.length == 0 ? Optional.empty() : Optional.of(x509);
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /**
     * The CN of {@code chain}'s first certificate if the chain validates against {@code trust} (as
     * a client certificate); empty if it does not.
     */
    public static Optional<String> trustedCommonName(X509Certificate[] chain, X509TrustManager trust) {
        if (chain.length == 0) {
            return Optional.empty();
        }
        try {
            trust.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
        } catch (CertificateException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return commonName(chain[0].getSubjectX500Principal().getName());
    }

    /** Whether {@code channel} runs TLS. */
    public static boolean isTls(Channel channel) {
        return channel.pipeline().get(SslHandler.class) != null;
    }

    static Optional<String> commonName(String distinguishedName) {
        try {
            for (Rdn rdn : new LdapName(distinguishedName).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
            return Optional.empty();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    private static SSLContext context(TlsSettings settings, TrustManager[] trust) throws GeneralSecurityException,
            IOException {
        KeyStore keys = load(settings.keyStore(), settings.keyStorePassword());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, settings.keyStorePassword().toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), trust, null);
        return context;
    }

    private static TrustManagerFactory trustFactory(KeyStore trusted) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        return tmf;
    }

    private static X509TrustManager x509(TrustManager[] managers) {
        for (TrustManager manager : managers) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the JDK's trust manager factory made no X509TrustManager");
    }

    /** One trust store with the trusted certificates of both (as a TrustManagerFactory reads them). */
    private static KeyStore union(KeyStore first, KeyStore second) throws GeneralSecurityException, IOException {
        KeyStore both = KeyStore.getInstance("PKCS12");
        both.load(null, null);
        copyCertificates(first, "node-", both);
        copyCertificates(second, "client-", both);
        return both;
    }

    private static void copyCertificates(KeyStore from, String prefix, KeyStore to) throws GeneralSecurityException {
        for (String alias : Collections.list(from.aliases())) {
            Certificate certificate = from.getCertificate(alias);
            if (certificate != null) {
                to.setCertificateEntry(prefix + alias, certificate);
            }
        }
    }

    private static KeyStore load(Path file, String password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }
}
