package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.client.KvClient;
import io.omnipaxos.examples.kv.client.KvException;
import io.omnipaxos.examples.kv.net.ClientPortTls;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.examples.kv.reconfig.ReconfigureRequest;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer and client links over TLS with mutual authentication and two certificate authorities: the
 * node CA (each node's {@code trust_store}, the only trust of peer links) signs node1..node4 and
 * node9, the client CA (each node's {@code client_trust_store}, accepted on the client port only)
 * signs "client" and a rogue certificate whose CN is node1. Keys are made once for the class with
 * the JDK's keytool ({@link TestCertificates}); no private key is committed.
 */
class KvTlsProcessTest extends KvProcessTest {

    @TempDir
    static Path tls;
    private static TestCertificates certificates;
    private static Path nodeTrust;
    private static Path clientTrust;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = new TestCertificates(tls);
        nodeTrust = certificates.authority("nodes-ca");
        clientTrust = certificates.authority("clients-ca");
        for (String node : List.of("node1", "node2", "node3", "node4", "node9")) {
            certificates.signed(node, node, "nodes-ca");
        }
        certificates.signed("client", "client", "clients-ca");
        certificates.signed("rogue-node1", "node1", "clients-ca");
    }

    /**
     * Nodes 1 and 2 hold certificates for CN node1 and node2; node 3 holds one the node CA signed
     * whose CN is node9, so its links are refused although TLS itself succeeds, and nodes 1 and 2
     * serve as a majority.
     */
    @Test
    void matchingCertificatesAreAcceptedAndAPeerClaimingAnotherPidIsRefused() throws Exception {
        cluster = new KvCluster(dir, 3);
        for (long pid = 1; pid <= 3; pid++) {
            cluster.tls(pid, certificates.table(pid == 3 ? "node9" : "node" + pid, nodeTrust, clientTrust));
        }
        cluster.startAll();
        try (KvClient client = client("client")) {
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

    /**
     * A certificate of the client CA whose CN is node1 is refused on the peer port (its TLS
     * handshake fails: peer links trust the node CA only), while clients with client certificates,
     * the rogue one included, are served as plain clients on the client port.
     */
    @Test
    void aClientCaCertificateNamedNode1IsRefusedAsAPeerAndClientsWithClientCertificatesWork() throws Exception {
        cluster = new KvCluster(dir, 3);
        for (long pid = 1; pid <= 3; pid++) {
            cluster.tls(pid, certificates.table("node" + pid, nodeTrust, clientTrust));
        }
        cluster.startAll();
        try (KvClient client = client("client")) {
            KvCluster.awaitLeader(client, STARTUP);
            client.put("k", "from a client certificate");
            assertEquals(Optional.of("from a client certificate"), client.get("k"));
        }
        cluster.awaitConsole(2, "peer 1 up", STARTUP);
        NodeAddress node2 = cluster.nodes().get(2L);
        assertTrue(peerLinkRefused(node2, TlsContexts.create(certificates.settings("rogue-node1", nodeTrust,
                clientTrust))), "a client certificate with CN node1 must not pass for node 1");
        KvCluster.await("node 2 to refuse the rogue's TLS handshake", Duration.ofSeconds(30),
                () -> cluster.console(2).contains("TLS failed"));
        try (KvClient rogue = client("rogue-node1")) {
            assertEquals(Optional.of("from a client certificate"), rogue.get("k"), "a plain client still");
        }
        try (KvClient client = client("client")) {
            client.put("k", "still served");
            assertEquals(Optional.of("still served"), client.get("k"));
        }
    }

    /** Without processes: only a chain to the node CA counts as a node's certificate on the client port. */
    @Test
    void onlyACertificateOfTheNodeCaCountsAsANodesOnTheClientPort() throws Exception {
        ClientPortTls clientPort = TlsContexts.clientPort(certificates.settings("node1", nodeTrust, clientTrust));
        assertEquals(Optional.of("node1"), TlsContexts.trustedCommonName(chain("node1"), clientPort.nodeTrust()));
        assertEquals(Optional.empty(), TlsContexts.trustedCommonName(chain("rogue-node1"), clientPort.nodeTrust()));
        assertEquals(Optional.empty(), TlsContexts.trustedCommonName(chain("client"), clientPort.nodeTrust()));
    }

    @Test
    void aNewNodeFetchesTheStateOverTlsAndReplacesAnOldOne() throws Exception {
        cluster = new KvCluster(dir, 3);
        cluster.addJoiner(4, 2, List.of(1L, 2L, 4L));
        for (long pid = 1; pid <= 4; pid++) {
            cluster.tls(pid, certificates.table("node" + pid, nodeTrust, clientTrust));
        }
        cluster.startAll();
        try (KvClient client = client("client")) {
            KvCluster.awaitLeader(client, STARTUP);
            client.put("before", "1");
            client.reconfigure(ReconfigureRequest.fromNodeToml(cluster.toml(4)));
            cluster.awaitConsole(4, "node 4 runs configuration 2", STARTUP);
            cluster.kill(3);
            cluster.kill(1); // nodes 2 and 4: the new node must hold the state
            client.put("after", "2");
            assertEquals(Optional.of("1"), client.get("before"));
            assertEquals(Optional.of("2"), client.get("after"));
        }
    }

    /**
     * With TLS on, the HTTP port is HTTPS and demands a certificate, as the client port does: a
     * client certificate reads /status, a connection without one or in plain HTTP gets nothing.
     */
    @Test
    void theHttpPortServesHttpsToCertificateHoldersOnly() throws Exception {
        cluster = new KvCluster(dir, 3).http();
        for (long pid = 1; pid <= 3; pid++) {
            cluster.tls(pid, certificates.table("node" + pid, nodeTrust, clientTrust));
        }
        cluster.startAll();
        try (KvClient client = client("client")) {
            KvCluster.awaitLeader(client, STARTUP);
        }
        int port = cluster.httpPort(1);
        SSLContext withCertificate = TlsContexts.create(certificates.settings("client", nodeTrust, clientTrust));
        String response = httpsGet(port, withCertificate, "/status");
        assertTrue(response.startsWith("HTTP/1.1 200") && response.contains("\"pid\":1"), response);
        assertTrue(httpsGet(port, withCertificate, "/").contains("<title>OmniPaxos key-value cluster</title>"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(TestCertificates.load(nodeTrust));
        SSLContext trustOnly = SSLContext.getInstance("TLS");
        trustOnly.init(null, trust.getTrustManagers(), null); // trusts the node, presents no certificate
        assertFalse(answers(() -> httpsGet(port, trustOnly, "/status")), "no client certificate, no status");
        assertFalse(answers(() -> plainGet(port, "/status")), "plain HTTP on the HTTPS port");
    }

    private interface Get {
        String get() throws Exception;
    }

    /** Whether {@code get} returned an HTTP 200 response. */
    private static boolean answers(Get get) {
        try {
            return get.get().startsWith("HTTP/1.1 200");
        } catch (Exception e) {
            return false;
        }
    }

    /** One GET over TLS with {@code context} (no host name check: the node's certificate names the node). */
    private static String httpsGet(int port, SSLContext context, String path) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            return exchange(socket, path);
        }
    }

    private static String plainGet(int port, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            return exchange(socket, path);
        }
    }

    private static String exchange(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private KvClient client(String keyStore) {
        SSLContext context = TlsContexts.create(certificates.settings(keyStore, nodeTrust, clientTrust));
        return new KvClient(cluster.nodes(), context, null, Duration.ofMillis(500), Duration.ofSeconds(20));
    }

    /**
     * Whether {@code node}'s peer port refuses a TLS connection with {@code context} that says hello
     * as node 1: the handshake fails, or the connection is closed without an answer.
     */
    private static boolean peerLinkRefused(NodeAddress node, SSLContext context) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(node.host(), node.peerPort())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake(); // with TLS 1.3 the server checks our certificate after this returns
            socket.getOutputStream().write(RawConnection.peerHello(1, 1));
            socket.getOutputStream().flush();
            return socket.getInputStream().read() < 0;
        } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
            return true;
        }
    }

    private static X509Certificate[] chain(String keyStore) throws Exception {
        Certificate[] chain = TestCertificates.load(certificates.store(keyStore)).getCertificateChain(keyStore);
        return Arrays.copyOf(chain, chain.length, X509Certificate[].class);
    }
}
