package io.hypermesh.schemas.kafka;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;

/**
 * A client's TLS identity, taken from its Kafka settings ({@code ssl.keystore.*} and
 * {@code ssl.truststore.*}, as {@code hypermesh pki init} writes them): the client presents its
 * certificate and trusts only the bus's CA. Without those settings it is {@link #NONE}.
 */
public record TlsIdentity(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {
    public static final TlsIdentity NONE = new TlsIdentity(null, null, null, null);

    /** From Kafka client settings; {@link #NONE} when they name no PKCS12 keystore and truststore. */
    public static TlsIdentity fromClientSettings(Map<String, ?> settings) {
        Object keystore = settings.get("ssl.keystore.location");
        Object truststore = settings.get("ssl.truststore.location");
        if (keystore == null || truststore == null) {
            return NONE;
        }
        return new TlsIdentity(Path.of(keystore.toString()), String.valueOf(settings.get("ssl.keystore.password")),
                Path.of(truststore.toString()), String.valueOf(settings.get("ssl.truststore.password")));
    }

    public boolean enabled() {
        return keystore != null;
    }

    /** "https" or "http". */
    public String scheme() {
        return enabled() ? "https" : "http";
    }

    /** A JDK HTTP client with this identity (plain when TLS is off). */
    public HttpClient jdkClient(Duration connectTimeout) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout);
        if (enabled()) {
            builder.sslContext(sslContext());
        }
        return builder.build();
    }

    /** This identity for the JDK's TLS: its key, and trust in the bus CA alone. */
    public SSLContext sslContext() {
        if (!enabled()) {
            throw new IllegalStateException("no TLS identity configured");
        }
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(keystore, keystorePassword), keystorePassword.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(truststore, truststorePassword));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load the TLS identity in " + keystore + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return enabled() ? "TLS identity " + keystore : "no TLS identity";
    }

    private static KeyStore load(Path file, String password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }
}
