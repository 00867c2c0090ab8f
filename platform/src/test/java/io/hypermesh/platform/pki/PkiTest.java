package io.hypermesh.platform.pki;

import io.hypermesh.schemas.kafka.PkiDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PkiTest {
    @TempDir
    Path dir;

    static KeyStore load(Path dir, String name) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(PkiDirectory.storeOf(dir, name))) {
            store.load(in, PkiDirectory.passwordOf(dir, name).toCharArray());
        }
        return store;
    }

    @Test
    void issuesACaAndComponentCertificatesThatValidateAsAPkixChain() throws Exception {
        Pki.Report report = Pki.init(dir, List.of("registry-fold", "adapter-security"), List.of("localhost", "127.0.0.1"),
                Duration.ofDays(30), false);
        assertTrue(report.caCreated());
        assertEquals(List.of("registry-fold", "adapter-security"), report.issued());

        KeyStore store = load(dir, "registry-fold");
        var chain = store.getCertificateChain("registry-fold");
        assertEquals(2, chain.length, "the certificate and the CA");
        X509Certificate cert = (X509Certificate) chain[0];
        X509Certificate ca = (X509Certificate) load(dir, Pki.TRUSTSTORE).getCertificate(Pki.CA);
        assertEquals("CN=registry-fold,O=HyperMesh", cert.getSubjectX500Principal().getName());
        assertEquals(-1, cert.getBasicConstraints(), "not a CA");
        assertEquals(0, ca.getBasicConstraints(), "a CA that signs end certificates only");
        assertTrue(cert.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")), "server and client use");
        assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("127.0.0.1")));
        assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("registry-fold")));

        PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        pkix.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), pkix);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(PkiDirectory.storeOf(dir, Pki.CA))),
                "the CA key is private");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("registry-fold.password"))));
        assertTrue(Files.readString(dir.resolve("ca.crt")).startsWith("-----BEGIN CERTIFICATE-----"));
    }

    @Test
    void runningItAgainKeepsTheCaAndWhatWasIssuedAndAddsWhatIsNew() throws Exception {
        Pki.init(dir, List.of("a"), List.of("127.0.0.1"), Duration.ofDays(30), false);
        byte[] caBefore = load(dir, Pki.TRUSTSTORE).getCertificate(Pki.CA).getEncoded();
        byte[] aBefore = load(dir, "a").getCertificate("a").getEncoded();

        Pki.Report again = Pki.init(dir, List.of("a", "b"), List.of("127.0.0.1"), Duration.ofDays(30), false);
        assertEquals(false, again.caCreated());
        assertEquals(List.of("b"), again.issued());
        assertEquals(List.of("a"), again.kept());
        assertArrayEquals(caBefore, load(dir, Pki.TRUSTSTORE).getCertificate(Pki.CA).getEncoded());
        assertArrayEquals(aBefore, load(dir, "a").getCertificate("a").getEncoded());
        X509Certificate b = (X509Certificate) load(dir, "b").getCertificate("b");
        b.verify(load(dir, Pki.TRUSTSTORE).getCertificate(Pki.CA).getPublicKey());

        Pki.init(dir, List.of("a"), List.of("127.0.0.1"), Duration.ofDays(30), true);
        assertTrue(!java.util.Arrays.equals(aBefore, load(dir, "a").getCertificate("a").getEncoded()), "renewed on request");
    }

    @Test
    void badComponentNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Pki.init(dir, List.of("Bad Name"), List.of(), Duration.ofDays(1), false));
        assertThrows(IllegalArgumentException.class, () -> Pki.init(dir, List.of("ca"), List.of(), Duration.ofDays(1), false));
    }

    @Test
    void mutualTlsAcceptsAComponentOfThisCaAndRefusesNoCertificateAndAnotherCa(@TempDir Path other) throws Exception {
        Pki.init(dir, List.of("broker", "registry-fold"), List.of("127.0.0.1"), Duration.ofDays(30), false);
        Pki.init(other, List.of("intruder"), List.of("127.0.0.1"), Duration.ofDays(30), false);
        SSLContext server = context(dir, "broker", dir);
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 5,
                InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> acceptOne(listener));
            try (SSLSocket client = (SSLSocket) context(dir, "registry-fold", dir).getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                client.startHandshake();
                assertEquals("CN=broker,O=HyperMesh", client.getSession().getPeerPrincipal().getName());
            }
            assertEquals("CN=registry-fold,O=HyperMesh", accepted.get(10, TimeUnit.SECONDS), "the server sees who the client is");

            for (SSLContext refused : List.of(context(null, null, dir), context(other, "intruder", dir))) {
                CompletableFuture<String> attempt = CompletableFuture.supplyAsync(() -> acceptOne(listener));
                try (SSLSocket client = (SSLSocket) refused.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                        listener.getLocalPort())) {
                    client.setSoTimeout(5_000);
                    client.startHandshake();
                    client.getOutputStream().write(1); // TLS 1.3 reports the server's refusal on first use
                    client.getInputStream().read();
                } catch (java.io.IOException expected) {
                    // refused
                }
                assertTrue(attempt.get(10, TimeUnit.SECONDS).startsWith("refused"), "a client without a certificate of this CA is refused");
            }
        }
    }

    private static String acceptOne(SSLServerSocket listener) {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
            s.startHandshake();
            return s.getSession().getPeerPrincipal().getName();
        } catch (Exception e) {
            return "refused: " + e;
        }
    }

    /** A TLS context with a component's store (none when null) trusting the CA of {@code trustDir}. */
    private static SSLContext context(Path dir, String component, Path trustDir) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance("PKIX");
        if (component != null) {
            keys.init(load(dir, component), PkiDirectory.passwordOf(dir, component).toCharArray());
        } else {
            KeyStore empty = KeyStore.getInstance("PKCS12");
            empty.load(null, null);
            keys.init(empty, new char[0]);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(load(trustDir, Pki.TRUSTSTORE));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }
}
