package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.client.KvException;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.examples.kv.net.TlsSettings;
import io.omnipaxos.examples.kv.reconfig.ReconfigureRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * Peer and client links over TLS with mutual authentication. Keys are made here with the JDK's
 * keytool (no private key is committed). Nodes 1 and 2 hold certificates for CN node1 and node2;
 * node 3 holds a certificate the cluster trusts but whose CN is node9, so its links are refused
 * although TLS itself succeeds, and nodes 1 and 2 serve as a majority.
 */
class KvTlsProcessTest extends KvProcessTest {

    private static final String PASSWORD = "test-only-password";

    @Test
    void matchingCertificatesAreAcceptedAndAPeerClaimingAnotherPidIsRefused() throws Exception {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        List<String> names = List.of("node1", "node2", "node9", "client");
        for (String name : names) {
            keytool(tls, name);
        }
        Path trust = trustStore(tls, names);
        cluster = new KvCluster(dir, 3);
        for (long pid = 1; pid <= 3; pid++) {
            String keyStore = pid == 3 ? "node9" : "node" + pid;
            cluster.tls(pid, table(tls.resolve(keyStore + ".p12"), trust));
        }
        cluster.startAll();
        SSLContext clientTls = TlsContexts.create(new TlsSettings(true, tls.resolve("client.p12"), PASSWORD, trust,
                PASSWORD));
        try (KvClient client = new KvClient(cluster.nodes(), clientTls, null, Duration.ofMillis(500),
                Duration.ofSeconds(20))) {
            KvCluster.await("a leader over TLS", STARTUP, () -> {
                try {
                    client.put("secure", "yes");
                    return true;
                } catch (KvException e) {
                    return false;
                }
            });
            assertEquals(Optional.of("yes"), client.get("secure"));
            assertTrue(client.lastAnsweringPid() != 3, "node 3 is cut off and cannot lead");
        }
        KvCluster.await("node 1 to refuse node 3", Duration.ofSeconds(30),
                () -> cluster.console(1).contains("certificate CN is node9, expected node3"));
        assertTrue(cluster.console(1).contains("peer 2 up"), cluster.console(1));
        assertFalse(cluster.console(1).contains("peer 3 up"), cluster.console(1));
        // (Node 3 accepts node 1's hello, whose certificate is right, before node 1 refuses node 3's
        // answer and hangs up: only the refusing side never counts the link as up.)
    }

    @Test
    void aNewNodeFetchesTheStateOverTlsAndReplacesAnOldOne() throws Exception {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        List<String> names = List.of("node1", "node2", "node3", "node4", "client");
        for (String name : names) {
            keytool(tls, name);
        }
        Path trust = trustStore(tls, names);
        cluster = new KvCluster(dir, 3);
        cluster.addJoiner(4, 2, List.of(1L, 2L, 4L));
        for (long pid = 1; pid <= 4; pid++) {
            cluster.tls(pid, table(tls.resolve("node" + pid + ".p12"), trust));
        }
        cluster.startAll();
        SSLContext clientTls = TlsContexts.create(new TlsSettings(true, tls.resolve("client.p12"), PASSWORD, trust,
                PASSWORD));
        try (KvClient client = new KvClient(cluster.nodes(), clientTls, null, Duration.ofMillis(500),
                Duration.ofSeconds(20))) {
            KvCluster.awaitLeader(client, STARTUP);
            client.put("before", "1");
            client.reconfigure(ReconfigureRequest.fromNodeToml(cluster.toml(4)));
            cluster.awaitConsole(4, "runs configuration 2", STARTUP);
            cluster.kill(3);
            cluster.kill(1); // nodes 2 and 4: the new node must hold the state
            client.put("after", "2");
            assertEquals(Optional.of("1"), client.get("before"));
            assertEquals(Optional.of("2"), client.get("after"));
        }
    }

    private static String table(Path keyStore, Path trustStore) {
        return "enabled = true\nkey_store = \"" + keyStore + "\"\nkey_store_password = \"" + PASSWORD
                + "\"\ntrust_store = \"" + trustStore + "\"\ntrust_store_password = \"" + PASSWORD + "\"";
    }

    /** A key pair with a self-signed certificate for CN={@code name} in {@code name}.p12. */
    private static void keytool(Path folder, String name) throws IOException, InterruptedException {
        Path javaHome = Path.of(System.getProperty("java.home"));
        Process process = new ProcessBuilder(javaHome.resolve("bin").resolve("keytool").toString(), "-genkeypair",
                "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name, "-validity", "2",
                "-keystore", folder.resolve(name + ".p12").toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-keypass", PASSWORD).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), "keytool failed: " + out);
    }

    /** A trust store with every certificate made above (built with the KeyStore API). */
    private static Path trustStore(Path folder, List<String> names) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (String name : names) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(folder.resolve(name + ".p12"))) {
                keys.load(in, PASSWORD.toCharArray());
            }
            trust.setCertificateEntry(name, keys.getCertificate(name));
        }
        Path file = folder.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            trust.store(out, PASSWORD.toCharArray());
        }
        return file;
    }
}
