package io.hypermesh.streams.connect;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;

/**
 * The certificates of the Connect CA, built with BouncyCastle as Consul's built-in provider builds
 * them: self-signed roots carrying the trust domain as a SPIFFE URI, a new root cross-signed by
 * the old one's key, and leaves carrying a service's SPIFFE ID, for both server and client auth.
 */
final class CaCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private CaCertificates() {
    }

    static KeyPair keys(String type, int bits) {
        try {
            if ("rsa".equals(type)) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(bits, RANDOM);
                return generator.generateKeyPair();
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(bits == 384 ? "secp384r1" : "secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a " + type + " " + bits + " key: " + e.getMessage(), e);
        }
    }

    static BigInteger serial() {
        return new BigInteger(63, RANDOM).add(BigInteger.ONE);
    }

    /** A self-signed root for the trust domain, as Consul names one ({@code pri-<id>.consul.ca.<td8>.consul}). */
    static X509Certificate root(KeyPair keys, String trustDomain, BigInteger serial, Instant from, Instant until) {
        X500Name subject = new X500Name("CN=pri-" + Long.toString(serial.longValue() & 0xffffffL, 36) + ".consul.ca."
                + trustDomain.substring(0, Math.min(8, trustDomain.length())) + ".consul");
        return caCertificate(subject, keys.getPublic(), subject, keys.getPrivate(), null, trustDomain, serial, from, until);
    }

    /** The new root's subject and key, signed by the old root: what lets old trust reach new leaves. */
    static X509Certificate crossSign(X509Certificate newRoot, X509Certificate oldRoot, PrivateKey oldKey, String trustDomain) {
        return caCertificate(X500Name.getInstance(newRoot.getSubjectX500Principal().getEncoded()), newRoot.getPublicKey(),
                X500Name.getInstance(oldRoot.getSubjectX500Principal().getEncoded()), oldKey, oldRoot, trustDomain,
                serial(), newRoot.getNotBefore().toInstant(), oldRoot.getNotAfter().toInstant());
    }

    private static X509Certificate caCertificate(X500Name subject, PublicKey key, X500Name issuer, PrivateKey signer,
                                                 X509Certificate issuerCert, String trustDomain, BigInteger serial, Instant from,
                                                 Instant until) {
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(from), Date.from(until),
                    subject, key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign
                            | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
            if (issuerCert != null) {
                builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerCert));
            }
            return sign(builder, signer);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a CA certificate: " + e.getMessage(), e);
        }
    }

    /** A leaf for {@code id}, signed by the active root. */
    static X509Certificate leaf(SpiffeId id, PublicKey key, X509Certificate root, PrivateKey rootKey, BigInteger serial, Instant from,
                                Instant until) {
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            String td8 = id.trustDomain().substring(0, Math.min(8, id.trustDomain().length()));
            String cn = id.service() + ".svc." + id.namespace() + "." + td8 + ".consul";
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(root, serial, Date.from(from), Date.from(until),
                    new X500Name("CN=" + cn), key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                            | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(root))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.uri())));
            return sign(builder, rootKey);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a leaf certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
        String algorithm = signer instanceof ECKey ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** Consul's root ID: the certificate's SHA-1 fingerprint, colon-separated lower-case hex. */
    static String fingerprint(X509Certificate cert) {
        try {
            return colonHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The subject key identifier, as Consul's SigningKeyID shows it. */
    static String signingKeyId(X509Certificate cert) {
        try {
            return colonHex(new JcaX509ExtensionUtils().createSubjectKeyIdentifier(cert.getPublicKey()).getKeyIdentifier());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String colonHex(byte[] bytes) {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }

    static String colonHex(BigInteger serial) {
        byte[] bytes = serial.toByteArray();
        int skip = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        return colonHex(java.util.Arrays.copyOfRange(bytes, skip, bytes.length));
    }

    static String pem(Object certificateOrKey) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            // Keys as PKCS#8 ("PRIVATE KEY"), which Go, OpenSSL, Netty and the JDK all read.
            writer.writeObject(certificateOrKey instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : certificateOrKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(
                    pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException("not a PEM private key");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM private key: " + e.getMessage(), e);
        }
    }
}
