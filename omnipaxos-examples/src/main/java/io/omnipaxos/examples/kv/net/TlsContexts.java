package io.omnipaxos.examples.kv.net;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;

/**
 * JDK {@link SSLContext}s from {@link TlsSettings}, Netty {@link SslHandler}s on them (mutual
 * authentication: the accepting side requires a client certificate), and the peer certificate's
 * common name, which peer links compare with the pid the other side claims.
 */
public final class TlsContexts {

    /** Only TLS 1.3 and 1.2: older versions are broken. */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsContexts() {}

    /**
     * Loads the key and trust stores named in {@code settings} into a TLS context.
     *
     * @throws IllegalStateException naming the store that could not be loaded
     */
    public static SSLContext create(TlsSettings settings) {
        try {
            KeyStore keys = load(settings.keyStore(), settings.keyStorePassword());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, settings.keyStorePassword().toCharArray());
            KeyStore trusted = load(settings.trustStore(), settings.trustStorePassword());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS from key store " + settings.keyStore()
                    + " and trust store " + settings.trustStore() + ": " + e, e);
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
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return Optional.empty();
            }
            return commonName(leaf.getSubjectX500Principal().getName());
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
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

    private static KeyStore load(java.nio.file.Path file, String password) throws GeneralSecurityException,
            IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }
}
