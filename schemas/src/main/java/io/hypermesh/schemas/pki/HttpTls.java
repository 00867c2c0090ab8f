package io.hypermesh.schemas.pki;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PfxOptions;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;

/**
 * One component's TLS identity for HTTP, taken from the same settings as its Kafka identity
 * ({@code ssl.keystore.*} and {@code ssl.truststore.*}, as {@code hypermesh pki init} writes them):
 * servers present the component's certificate and ask for the client's; clients present theirs
 * and trust only the bus's CA. Without those settings it is {@link #NONE}: plain HTTP.
 */
public final class HttpTls {
    public static final HttpTls NONE = new HttpTls(null, null, null, null);

    private final Path keystore;
    private final String keystorePassword;
    private final Path truststore;
    private final String truststorePassword;

    private HttpTls(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {
        this.keystore = keystore;
        this.keystorePassword = keystorePassword;
        this.truststore = truststore;
        this.truststorePassword = truststorePassword;
    }

    /** From Kafka client settings; {@link #NONE} when they name no PKCS12 keystore and truststore. */
    public static HttpTls fromClientSettings(Map<String, ?> settings) {
        Object keystore = settings.get("ssl.keystore.location");
        Object truststore = settings.get("ssl.truststore.location");
        if (keystore == null || truststore == null) {
            return NONE;
        }
        return new HttpTls(Path.of(keystore.toString()), String.valueOf(settings.get("ssl.keystore.password")),
                Path.of(truststore.toString()), String.valueOf(settings.get("ssl.truststore.password")));
    }

    public boolean enabled() {
        return keystore != null;
    }

    /** "https" or "http". */
    public String scheme() {
        return enabled() ? "https" : "http";
    }

    /**
     * A server that presents this identity and asks every client for a certificate of the bus CA.
     * Asks, not requires: reads stay open to anyone who trusts the CA, and writes check
     * {@link #verifiedClient} themselves, so a token can stand in for a certificate.
     */
    public HttpServerOptions server(HttpServerOptions options) {
        if (!enabled()) {
            return options;
        }
        return options.setSsl(true).setKeyCertOptions(keyCert()).setTrustOptions(trust()).setClientAuth(ClientAuth.REQUEST);
    }

    /** A Vert.x client that presents this identity and trusts only the bus CA, checking host names. */
    public <T extends HttpClientOptions> T client(T options) {
        if (enabled()) {
            options.setSsl(true);
            options.setVerifyHost(true);
            options.setKeyCertOptions(keyCert());
            options.setTrustOptions(trust());
        }
        return options;
    }

    /** A JDK HTTP client with this identity (plain when TLS is off). */
    public java.net.http.HttpClient jdkClient(java.time.Duration connectTimeout) {
        java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder().connectTimeout(connectTimeout);
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

    /**
     * Whether the request came over TLS from a client that presented a certificate the server's
     * truststore verified (a certificate that fails verification ends the handshake, so one that
     * is present was verified).
     */
    public static boolean verifiedClient(HttpServerRequest request) {
        if (!request.isSSL()) {
            return false;
        }
        try {
            return !request.connection().peerCertificates().isEmpty();
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    private PfxOptions keyCert() {
        return new PfxOptions().setPath(keystore.toString()).setPassword(keystorePassword);
    }

    private PfxOptions trust() {
        return new PfxOptions().setPath(truststore.toString()).setPassword(truststorePassword);
    }

    private static KeyStore load(Path file, String password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }
}
