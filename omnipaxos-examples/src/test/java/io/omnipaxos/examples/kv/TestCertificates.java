package io.omnipaxos.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnipaxos.examples.kv.net.TlsSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificate authorities and certificates they sign, made with the JDK's keytool in a test's
 * folder (no private key is committed): {@code <name>.p12} holds a key and its chain (leaf, CA),
 * {@code <ca>-trust.p12} the CA's certificate alone, as a trust store. Every store has the password
 * {@link #PASSWORD}.
 */
final class TestCertificates {

    static final String PASSWORD = "test-only-password";

    private final Path folder;

    TestCertificates(Path folder) {
        this.folder = folder;
    }

    /** Makes certificate authority {@code ca} (a self-signed CA certificate) and its trust store. */
    Path authority(String ca) throws Exception {
        keytool("-genkeypair", "-alias", ca, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + ca,
                "-ext", "bc:c", "-validity", "2", "-keystore", store(ca).toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(ca, load(store(ca)).getCertificate(ca));
        Path file = folder.resolve(ca + "-trust.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            trust.store(out, PASSWORD.toCharArray());
        }
        return file;
    }

    /** Makes key store {@code name}.p12 with a key for CN={@code commonName} that {@code ca} signed. */
    Path signed(String name, String commonName, String ca) throws Exception {
        Path keys = store(name);
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + commonName, "-validity", "2", "-keystore", keys.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(
                command("-certreq", "-alias", name, "-keystore", keys.toString(), "-storepass", PASSWORD),
                command("-gencert", "-alias", ca, "-keystore", store(ca).toString(), "-storepass", PASSWORD,
                        "-validity", "2", "-rfc")));
        Process last = pipeline.get(pipeline.size() - 1);
        byte[] pem = last.getInputStream().readAllBytes();
        for (Process process : pipeline) {
            assertEquals(0, process.waitFor(), "keytool -certreq | -gencert for " + name + " failed: "
                    + new String(process.getErrorStream().readAllBytes()));
        }
        Certificate leaf = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
        KeyStore store = load(keys);
        Key key = store.getKey(name, PASSWORD.toCharArray());
        store.setKeyEntry(name, key, PASSWORD.toCharArray(), new Certificate[] {leaf, load(store(ca)).getCertificate(ca)});
        try (OutputStream out = Files.newOutputStream(keys)) {
            store.store(out, PASSWORD.toCharArray());
        }
        return keys;
    }

    /** A client's (or node's) TLS settings: its key store, and the node CA to check the nodes with. */
    TlsSettings settings(String name, Path nodeTrust, Path clientTrust) {
        return new TlsSettings(true, store(name), PASSWORD, nodeTrust, PASSWORD, clientTrust, PASSWORD);
    }

    /** The body of a node's {@code [network.tls]} table. */
    String table(String name, Path nodeTrust, Path clientTrust) {
        return "enabled = true\nkey_store = \"" + store(name) + "\"\nkey_store_password = \"" + PASSWORD
                + "\"\ntrust_store = \"" + nodeTrust + "\"\ntrust_store_password = \"" + PASSWORD
                + "\"\nclient_trust_store = \"" + clientTrust + "\"\nclient_trust_store_password = \"" + PASSWORD
                + "\"";
    }

    Path store(String name) {
        return folder.resolve(name + ".p12");
    }

    static KeyStore load(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        Process process = command(args).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), "keytool failed: " + out);
    }
}
