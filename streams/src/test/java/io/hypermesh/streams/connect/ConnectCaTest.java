package io.hypermesh.streams.connect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectCaTest {
    private static final String CLUSTER = "0b7a1f3c-2d4e-4f60-8a91-b2c3d4e5f607";

    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-06T12:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void aLeafCarriesTheServicesSpiffeIdForSeventyTwoHoursAndIsReusedUntilDue() throws Exception {
        TestClock clock = new TestClock();
        ConnectCa ca = ConnectCa.open(dir, CLUSTER, "dc1", clock);
        assertEquals(CLUSTER + ".consul", ca.trustDomain());
        ConnectCa.Leaf leaf = ca.leaf("web");
        X509Certificate cert = chain(leaf.certPem()).get(0);
        assertEquals(List.of(List.of(6, "spiffe://" + CLUSTER + ".consul/ns/default/dc/dc1/svc/web")),
                cert.getSubjectAlternativeNames().stream().map(n -> List.copyOf(n)).toList());
        assertEquals("spiffe://" + CLUSTER + ".consul/ns/default/dc/dc1/svc/web", leaf.uri());
        assertEquals(Duration.ofHours(72), Duration.between(clock.now, leaf.validBefore()));
        assertTrue(cert.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")));
        validate(List.of(cert), ca.active().cert());
        assertSame(leaf, ca.leaf("web"));
        // Due between 60% and 90% of its life: a new leaf, a higher index.
        assertTrue(leaf.rotateAt().isAfter(clock.now.plus(Duration.ofHours(43))) && leaf.rotateAt().isBefore(clock.now.plus(
                Duration.ofHours(65))), leaf.rotateAt().toString());
        clock.now = leaf.rotateAt().plusSeconds(1);
        ConnectCa.Leaf next = ca.leaf("web");
        assertNotEquals(leaf.serial(), next.serial());
        assertTrue(next.modifyIndex() > leaf.modifyIndex());
    }

    @Test
    void aNewRootIsCrossSignedSoOldTrustReachesNewLeavesAndTheOldRootStaysUntilItsLeavesExpired() throws Exception {
        TestClock clock = new TestClock();
        ConnectCa ca = ConnectCa.open(dir, CLUSTER, "dc1", clock);
        ConnectCa.Root old = ca.active();
        X509Certificate oldLeaf = chain(ca.leaf("web").certPem()).get(0);
        long before = ca.rootsIndex();
        assertTrue(ca.configure(CaConfig.of(Map.of("PrivateKeyType", "ec", "PrivateKeyBits", 384))));
        assertFalse(ca.configure(CaConfig.of(Map.of("PrivateKeyType", "ec", "PrivateKeyBits", 384, "LeafCertTTL", "24h"))));
        List<ConnectCa.Root> roots = ca.roots();
        assertEquals(2, roots.size());
        assertTrue(roots.get(0).active());
        assertFalse(roots.get(1).active());
        assertEquals(old.id(), roots.get(1).id());
        assertTrue(ca.rootsIndex() > before);
        List<X509Certificate> fresh = chain(ca.leaf("web").certPem());
        assertEquals(2, fresh.size(), "the leaf carries the cross-signed root");
        // A verifier that trusts only the old root, and one that trusts only the new one, both accept the new leaf.
        validate(fresh, old.cert());
        validate(fresh.subList(0, 1), ca.active().cert());
        validate(List.of(oldLeaf), old.cert());

        ConnectCa reopened = ConnectCa.open(dir, CLUSTER, "dc1", clock);
        assertEquals(ca.active().id(), reopened.active().id());
        assertEquals(2, reopened.roots().size());
        assertEquals(Duration.ofHours(24), reopened.config().leafTtl());
        for (Path key : Files.newDirectoryStream(dir, "root-*.key")) {
            assertEquals(Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(key), key.toString());
        }
        long index = ca.rootsIndex();
        clock.now = clock.now.plus(Duration.ofHours(25));
        assertEquals(1, ca.roots().size(), "every leaf of the old root has expired: it goes");
        assertTrue(ca.rootsIndex() > index, "the index never goes down");
    }

    @Test
    void aConfigurationIsCheckedAsConsulChecksIt() {
        assertEquals("leaf cert TTL must be greater or equal than 1h0m0s",
                assertThrows(IllegalArgumentException.class, () -> CaConfig.of(Map.of("LeafCertTTL", "30m"))).getMessage());
        assertEquals("leaf cert TTL must be less than 8760h0m0s",
                assertThrows(IllegalArgumentException.class, () -> CaConfig.of(Map.of("LeafCertTTL", "9000h"))).getMessage());
        assertEquals("private key type must be either 'ec' or 'rsa'",
                assertThrows(IllegalArgumentException.class, () -> CaConfig.of(Map.of("PrivateKeyType", "dsa"))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> CaConfig.of(Map.of("PrivateKeyBits", 128)));
        assertThrows(IllegalArgumentException.class, () -> CaConfig.of(Map.of("Surprise", 1)));
        assertEquals(Duration.ofHours(72), CaConfig.defaults().leafTtl());
    }

    @Test
    void issuancePastItsRateIsRefused() {
        ConnectCa ca = ConnectCa.open(dir, CLUSTER, "dc1", new TestClock());
        ca.configure(CaConfig.of(Map.of("CSRMaxPerSecond", 1)));
        List<RuntimeException> refused = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            try {
                ca.leaf("svc-" + i);
            } catch (ConnectCa.RateLimitedException e) {
                refused.add(e);
            }
        }
        assertTrue(refused.size() >= 3, "5 leaves at once at 1 per second: " + refused.size() + " refused");
        assertEquals("Rate limit reached, try again later", refused.get(0).getMessage());
    }

    static List<X509Certificate> chain(String pem) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(
                pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    private static void validate(List<X509Certificate> path, X509Certificate anchor) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(Instant.now().plus(Duration.ofMinutes(5))));
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    }
}
