package io.hypermesh.platform.pki;

import io.hypermesh.schemas.kafka.PkiDirectory;

import static io.hypermesh.schemas.kafka.PkiDirectory.passwordOf;
import static io.hypermesh.schemas.kafka.PkiDirectory.storeOf;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The bus's own certificate authority, in a folder: {@code ca.p12} (the CA key, kept), {@code ca.crt},
 * {@code truststore.p12} (the CA only, for every client and server) and per component
 * {@code <name>.p12} (its key and chain) with {@code <name>.password}. Keys are EC P-256; component
 * certificates carry the name as CN and DNS name, the given hosts as SANs, and both TLS client and
 * server use, so one store serves a component's listeners and its connections. Kafka sees such a
 * client as {@code User:CN=<name>,O=HyperMesh} (or {@code User:<name>} with
 * {@link #PRINCIPAL_MAPPING_RULE}).
 */
public final class Pki {
    public static final String CA = "ca";
    public static final String TRUSTSTORE = PkiDirectory.TRUSTSTORE;
    /** For Kafka's ssl.principal.mapping.rules: a certificate's principal is its CN. */
    public static final String PRINCIPAL_MAPPING_RULE = "RULE:^CN=([^,]+),.*$/$1/,DEFAULT";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,62})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;

    private Pki(Path dir) {
        this.dir = dir;
    }

    /** What {@link #init} did. */
    public record Report(boolean caCreated, List<String> issued, List<String> kept) {
    }

    /**
     * Creates the CA unless the folder has one, and a certificate for each component that has none
     * yet (all of them again with {@code renew}). The CA is never replaced: everything issued
     * before stays trusted.
     */
    public static Report init(Path dir, List<String> components, List<String> hosts, Duration validity, boolean renew) {
        for (String c : components) {
            if (!NAME.matcher(c).matches() || c.equals(CA) || c.equals(TRUSTSTORE)) {
                throw new IllegalArgumentException("component name '" + c + "' must be lower-case letters, digits, '.' or '-' "
                        + "(and not 'ca' or 'truststore')");
            }
        }
        Pki pki = new Pki(dir);
        try {
            Files.createDirectories(dir);
            boolean caCreated = !Files.exists(pki.store(CA));
            Issued ca = caCreated ? pki.createCa(validity) : pki.loadCa();
            List<String> issued = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            for (String component : components) {
                if (!renew && Files.exists(pki.store(component))) {
                    kept.add(component);
                } else {
                    pki.issue(ca, component, hosts, validity);
                    issued.add(component);
                }
                writeClientProperties(dir, component);
            }
            return new Report(caCreated, issued, kept);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the PKI in " + dir + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot create certificates: " + e.getMessage(), e);
        }
    }

    /** The Kafka client settings file of a component: what {@code --kafka-config} takes. */
    public static Path clientPropertiesOf(Path dir, String name) {
        return dir.resolve(name + ".properties");
    }

    /**
     * Writes the component's Kafka client settings, with the store paths relative to the folder so
     * it can be mounted anywhere (a container, another host); owner-only, as it holds the passwords.
     */
    private static void writeClientProperties(Path dir, String component) throws IOException {
        String text = "# Kafka client settings of " + component + " (principal User:" + component + "); written by hypermesh pki init\n"
                + "security.protocol=SSL\n"
                + "ssl.keystore.type=PKCS12\n"
                + "ssl.keystore.location=" + storeOf(dir, component).getFileName() + "\n"
                + "ssl.keystore.password=" + passwordOf(dir, component) + "\n"
                + "ssl.key.password=" + passwordOf(dir, component) + "\n"
                + "ssl.truststore.type=PKCS12\n"
                + "ssl.truststore.location=" + storeOf(dir, TRUSTSTORE).getFileName() + "\n"
                + "ssl.truststore.password=" + passwordOf(dir, TRUSTSTORE) + "\n"
                + "ssl.endpoint.identification.algorithm=https\n";
        Path file = clientPropertiesOf(dir, component);
        Files.deleteIfExists(file);
        writePrivate(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private record Issued(PrivateKey key, X509Certificate certificate) {
    }

    private Path store(String name) {
        return storeOf(dir, name);
    }

    private Issued createCa(Duration validity) throws GeneralSecurityException, IOException,
            org.bouncycastle.operator.OperatorCreationException {
        KeyPair keys = ecKeys();
        X500Name subject = name("HyperMesh Bus CA");
        Instant now = Instant.now();
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minusSeconds(300)),
                Date.from(now.plus(validity.multipliedBy(2))), subject, keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        X509Certificate cert = convert(builder.build(signer(keys.getPrivate())));
        String password = newPassword(CA);
        writeStore(store(CA), password, CA, keys.getPrivate(), new Certificate[]{cert});
        writePem(dir.resolve("ca.crt"), cert);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(CA, cert);
        String trustPassword = newPassword(TRUSTSTORE);
        try (OutputStream out = Files.newOutputStream(store(TRUSTSTORE))) {
            trust.store(out, trustPassword.toCharArray());
        }
        return new Issued(keys.getPrivate(), cert);
    }

    private Issued loadCa() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        char[] password = passwordOf(dir, CA).toCharArray();
        try (InputStream in = Files.newInputStream(store(CA))) {
            store.load(in, password);
        }
        return new Issued((PrivateKey) store.getKey(CA, password), (X509Certificate) store.getCertificate(CA));
    }

    private void issue(Issued ca, String component, List<String> hosts, Duration validity)
            throws GeneralSecurityException, IOException, org.bouncycastle.operator.OperatorCreationException {
        KeyPair keys = ecKeys();
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.dNSName, component));
        for (String host : hosts) {
            boolean ip = host.matches("[0-9.]+") || host.contains(":");
            names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, ip
                    ? InetAddress.getByName(host).getHostAddress() : host));
        }
        Instant now = Instant.now();
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(), Date.from(now.minusSeconds(300)),
                Date.from(now.plus(validity)), name(component), keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                .addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
        X509Certificate cert = convert(builder.build(signer(ca.key())));
        writeStore(store(component), newPassword(component), component, keys.getPrivate(), new Certificate[]{cert, ca.certificate()});
        writePem(dir.resolve(component + ".crt"), cert);
    }

    private static X500Name name(String commonName) {
        // O first: RFC 2253 (and Kafka's principal) lists the last RDN first, so it reads "CN=<name>,O=HyperMesh".
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "HyperMesh").addRDN(BCStyle.CN, commonName).build();
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static ContentSigner signer(PrivateKey key) throws org.bouncycastle.operator.OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate convert(X509CertificateHolder holder) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    /** A fresh random password, written where only the owner can read it. */
    private String newPassword(String name) throws IOException {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Path file = dir.resolve(name + ".password");
        Files.deleteIfExists(file);
        writePrivate(file, password.getBytes(StandardCharsets.UTF_8));
        return password;
    }

    private static void writeStore(Path file, String password, String alias, PrivateKey key, Certificate[] chain)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(alias, key, password.toCharArray(), chain);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        store.store(bytes, password.toCharArray());
        Files.deleteIfExists(file);
        writePrivate(file, bytes.toByteArray());
    }

    private static void writePrivate(Path file, byte[] content) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " appeared while it was being written", e);
        }
        Files.write(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static void writePem(Path file, X509Certificate cert) throws IOException {
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(cert);
        }
        Files.writeString(file, pem.toString());
    }
}
