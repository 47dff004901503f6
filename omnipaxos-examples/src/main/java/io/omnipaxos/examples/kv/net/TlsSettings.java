package io.omnipaxos.examples.kv.net;

import java.nio.file.Path;

/**
 * TLS settings of a node or client: a PKCS#12 key store with this side's certificate and key, and a
 * trust store with the certificate authorities it accepts from the other side. Mutual
 * authentication is always required when TLS is on.
 *
 * @param enabled whether links use TLS at all
 * @param keyStore this side's key store (PKCS#12)
 * @param keyStorePassword its password (also the key's password)
 * @param trustStore the trusted certificates (PKCS#12)
 * @param trustStorePassword its password
 */
public record TlsSettings(boolean enabled, Path keyStore, String keyStorePassword, Path trustStore,
        String trustStorePassword) {

    /** TLS off. */
    public static final TlsSettings DISABLED = new TlsSettings(false, null, null, null, null);
}
