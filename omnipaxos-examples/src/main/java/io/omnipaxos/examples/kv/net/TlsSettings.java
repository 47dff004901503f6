package io.omnipaxos.examples.kv.net;

import java.nio.file.Path;

/**
 * TLS settings of a node or client: a PKCS#12 key store with this side's certificate and key, and
 * the trust stores with the certificate authorities it accepts from the other side. Mutual
 * authentication is always required when TLS is on.
 *
 * <p>There are two trusts, so that a client certificate can never pass for a node's: {@code
 * trustStore} holds the node CA (peer links accept only certificates that chain to it, and a
 * client checks the nodes' certificates against it), and {@code clientTrustStore} holds the CA
 * of the clients' certificates, which only a node's client port accepts.
 *
 * @param enabled whether links use TLS at all
 * @param keyStore this side's key store (PKCS#12)
 * @param keyStorePassword its password (also the key's password)
 * @param trustStore the node CA's certificates (PKCS#12): the trust of peer links
 * @param trustStorePassword its password
 * @param clientTrustStore the client CA's certificates (PKCS#12): accepted on the client port only
 * @param clientTrustStorePassword its password
 */
public record TlsSettings(boolean enabled, Path keyStore, String keyStorePassword, Path trustStore,
        String trustStorePassword, Path clientTrustStore, String clientTrustStorePassword) {

    /** TLS off. */
    public static final TlsSettings DISABLED = new TlsSettings(false, null, null, null, null, null, null);
}
