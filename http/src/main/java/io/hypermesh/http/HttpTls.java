package io.hypermesh.http;

import io.hypermesh.schemas.kafka.TlsIdentity;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PfxOptions;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.time.Duration;
import java.util.Map;

/**
 * One component's TLS identity for Vert.x HTTP servers and clients: servers present the
 * component's certificate and ask for the client's; clients present theirs and trust only the
 * bus's CA. Without an identity it is {@link #NONE}: plain HTTP.
 */
public final class HttpTls {
    public static final HttpTls NONE = new HttpTls(TlsIdentity.NONE);

    private final TlsIdentity identity;

    public HttpTls(TlsIdentity identity) {
        this.identity = identity;
    }

    /** From Kafka client settings; {@link #NONE} when they name no PKCS12 keystore and truststore. */
    public static HttpTls fromClientSettings(Map<String, ?> settings) {
        TlsIdentity identity = TlsIdentity.fromClientSettings(settings);
        return identity.enabled() ? new HttpTls(identity) : NONE;
    }

    public TlsIdentity identity() {
        return identity;
    }

    public boolean enabled() {
        return identity.enabled();
    }

    /** "https" or "http". */
    public String scheme() {
        return identity.scheme();
    }

    /** A JDK HTTP client with this identity (plain when TLS is off). */
    public java.net.http.HttpClient jdkClient(Duration connectTimeout) {
        return identity.jdkClient(connectTimeout);
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
        return new PfxOptions().setPath(identity.keystore().toString()).setPassword(identity.keystorePassword());
    }

    private PfxOptions trust() {
        return new PfxOptions().setPath(identity.truststore().toString()).setPassword(identity.truststorePassword());
    }
}
