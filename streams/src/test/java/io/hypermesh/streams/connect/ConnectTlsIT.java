package io.hypermesh.streams.connect;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.streams.testing.BusFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two HTTPS services that hold leaf certificates from the bus, as Connect-native services do: the
 * server requires a client certificate chaining to the bus's roots and asks authorize on every new
 * connection. Requests flow through a leaf rotation and a root rotation without one failing, and
 * once the intention flips to deny, new connections are refused within a second.
 */
@KafkaIT
class ConnectTlsIT {
    private final HttpClient api = HttpClient.newHttpClient();
    private String base;

    @Test
    void leavesFromTheBusCarryMutualTlsThroughRotationsAndADenyStopsNewConnections(EmbeddedKafka kafka) throws Exception {
        Vertx vertx = Vertx.vertx();
        try (BusFixture bus = new BusFixture(kafka)) {
            base = bus.start(bus.settings(BusFixture.uniqueAppId()).withConnect(new ConnectSettings(null,
                    IntentionBook.DefaultPolicy.DENY, DecisionLog.Mode.OFF))).url();
            String web = "web-" + UUID.randomUUID().toString().substring(0, 6);
            String db = "db-" + UUID.randomUUID().toString().substring(0, 6);
            assertEquals(200, call("PUT", "/v1/connect/intentions/exact?source=" + web + "&destination=" + db, "{\"Action\":\"allow\"}")
                    .statusCode());

            Identity dbIdentity = new Identity(db);
            Identity webIdentity = new Identity(web);
            Map<HttpConnection, Future<Boolean>> authorized = new ConcurrentHashMap<>();
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setClientAuth(ClientAuth.REQUIRED)
                            .setKeyCertOptions(dbIdentity.keyCert()).setTrustOptions(dbIdentity.trust()))
                    .connectionHandler(conn -> conn.closeHandler(v -> authorized.remove(conn)))
                    .requestHandler(req -> authorized.computeIfAbsent(req.connection(), c -> authorize(vertx, c, db)).onComplete(ok -> {
                        if (ok.succeeded() && ok.result()) {
                            req.response().end("hello " + db);
                        } else {
                            req.response().setStatusCode(403).end("refused");
                            req.connection().close();
                        }
                    }))
                    .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
            dbIdentity.onChange(() -> server.updateSSLOptions(new ServerSSLOptions().setClientAuth(ClientAuth.REQUIRED)
                    .setKeyCertOptions(dbIdentity.keyCert()).setTrustOptions(dbIdentity.trust())));
            // A new connection per request, so every request is a new handshake and a new authorization.
            HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false).setKeepAlive(false)
                    .setKeyCertOptions(webIdentity.keyCert()).setTrustOptions(webIdentity.trust()));
            webIdentity.onChange(() -> client.updateSSLOptions(new ClientSSLOptions().setHostnameVerificationAlgorithm("")
                    .setKeyCertOptions(webIdentity.keyCert()).setTrustOptions(webIdentity.trust())));

            AtomicInteger ok = new AtomicInteger();
            AtomicLong firstRefusal = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            long traffic = vertx.setPeriodic(20, id -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
                    .compose(r -> r.send()).compose(r -> r.body().map(b -> r.statusCode() + " " + b)).onComplete(ar -> {
                        if (ar.succeeded() && ar.result().equals("200 hello " + db)) {
                            ok.incrementAndGet();
                        } else if (ar.succeeded() && ar.result().startsWith("403")) {
                            firstRefusal.compareAndSet(0, System.nanoTime());
                        } else {
                            failures.add(ar.succeeded() ? ar.result() : String.valueOf(ar.cause()));
                        }
                    }));
            waitFor(() -> ok.get() >= 20, "requests flow with the first leaves");

            // A leaf rotation: a new TTL reissues every leaf; both services take theirs while requests flow.
            String webSerial = webIdentity.serial;
            String dbSerial = dbIdentity.serial;
            assertEquals(200, call("PUT", "/v1/connect/ca/configuration", "{\"Provider\":\"consul\",\"Config\":{\"LeafCertTTL\":\"48h\"}}")
                    .statusCode());
            waitFor(() -> !webIdentity.serial.equals(webSerial) && !dbIdentity.serial.equals(dbSerial), "both leaves rotated");
            int afterLeaf = ok.get();
            waitFor(() -> ok.get() >= afterLeaf + 20, "requests flow on the new leaves");

            // A root rotation: a new key size makes a new root, cross-signed by the old one.
            String rootBefore = webIdentity.activeRoot;
            assertEquals(200, call("PUT", "/v1/connect/ca/configuration", "{\"Provider\":\"consul\",\"Config\":{\"LeafCertTTL\":\"48h\","
                    + "\"PrivateKeyType\":\"ec\",\"PrivateKeyBits\":384}}").statusCode());
            waitFor(() -> !webIdentity.activeRoot.equals(rootBefore) && !dbIdentity.activeRoot.equals(rootBefore)
                    && webIdentity.leafRoot.equals(webIdentity.activeRoot) && dbIdentity.leafRoot.equals(dbIdentity.activeRoot),
                    "both services hold leaves of the new root");
            int afterRoot = ok.get();
            waitFor(() -> ok.get() >= afterRoot + 20, "requests flow under the new root");
            assertEquals(List.of(), List.copyOf(failures), "no request failed through both rotations");
            assertEquals(0, firstRefusal.get(), "nothing was refused while the intention allowed");

            assertEquals(200, call("PUT", "/v1/connect/intentions/exact?source=" + web + "&destination=" + db, "{\"Action\":\"deny\"}")
                    .statusCode());
            long denied = System.nanoTime();
            waitFor(() -> firstRefusal.get() != 0, "a new connection is refused");
            long millis = (firstRefusal.get() - denied) / 1_000_000;
            assertTrue(millis < 1_000, "refused " + millis + " ms after the deny was written");
            int okAtDeny = ok.get();
            Thread.sleep(500);
            assertTrue(ok.get() <= okAtDeny + 3, "after the first refusal, no new connection is served: " + (ok.get() - okAtDeny));
            vertx.cancelTimer(traffic);
            dbIdentity.close();
            webIdentity.close();
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** Asks the bus whether the client of {@code conn} may reach {@code target}, by its certificate's SPIFFE ID. */
    private Future<Boolean> authorize(Vertx vertx, HttpConnection conn, String target) {
        return vertx.executeBlocking(() -> {
            X509Certificate cert = (X509Certificate) conn.peerCertificates().get(0);
            String uri = String.valueOf(cert.getSubjectAlternativeNames().iterator().next().get(1));
            HttpResponse<String> r = call("POST", "/v1/agent/connect/authorize", new JsonObject().put("Target", target)
                    .put("ClientCertURI", uri).put("ClientCertSerial", cert.getSerialNumber().toString(16)).encode());
            return new JsonObject(r.body()).getBoolean("Authorized");
        });
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return api.send(HttpRequest.newBuilder(URI.create(base + path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * A service's leaf and the bus's roots, each kept current by a blocking query on its index, as
     * Consul's agent cache keeps them; {@code onChange} runs after either moved.
     */
    private final class Identity implements AutoCloseable {
        private final String service;
        private volatile boolean open = true;
        private volatile Runnable onChange = () -> { };
        volatile String certPem;
        volatile String keyPem;
        volatile String rootsPem;
        volatile String serial;
        volatile String activeRoot;
        volatile String leafRoot;
        private final Thread watcher;

        Identity(String service) throws Exception {
            this.service = service;
            long leafIndex = readLeaf(0);
            long rootsIndex = readRoots(0);
            watcher = new Thread(() -> watch(leafIndex, rootsIndex), "identity-" + service);
            watcher.setDaemon(true);
            watcher.start();
        }

        void onChange(Runnable action) {
            onChange = action;
        }

        PemKeyCertOptions keyCert() {
            return new PemKeyCertOptions().addCertValue(Buffer.buffer(certPem)).addKeyValue(Buffer.buffer(keyPem));
        }

        PemTrustOptions trust() {
            return new PemTrustOptions().addCertValue(Buffer.buffer(rootsPem));
        }

        private void watch(long leafIndex, long rootsIndex) {
            // Two watches in one thread, taking turns with short waits: enough for a test, and simple.
            long leaf = leafIndex;
            long roots = rootsIndex;
            while (open) {
                try {
                    long nextRoots = readRoots(roots);
                    long nextLeaf = readLeaf(leaf);
                    if (nextRoots != roots || nextLeaf != leaf) {
                        roots = nextRoots;
                        leaf = nextLeaf;
                        onChange.run();
                    }
                } catch (Exception e) {
                    if (open) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }

        private long readLeaf(long index) throws Exception {
            HttpResponse<String> r = call("GET", "/v1/agent/connect/ca/leaf/" + service + (index == 0 ? "" : "?index=" + index
                    + "&wait=200ms"), null);
            JsonObject leaf = new JsonObject(r.body());
            certPem = leaf.getString("CertPEM");
            keyPem = leaf.getString("PrivateKeyPEM");
            serial = leaf.getString("SerialNumber");
            X509Certificate cert = ConnectCaTest.chain(certPem).get(0);
            leafRoot = CaCertificates.signingKeyId(ca(cert));
            return leaf.getLong("ModifyIndex");
        }

        /** The active root the leaf names as its issuer, found among the roots by subject. */
        private X509Certificate ca(X509Certificate leaf) throws Exception {
            for (X509Certificate root : ConnectCaTest.chain(rootsPem == null ? call("GET", "/v1/connect/ca/roots?pem=true", null).body()
                    : rootsPem)) {
                if (root.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
                    return root;
                }
            }
            return leaf;
        }

        private long readRoots(long index) throws Exception {
            HttpResponse<String> r = call("GET", "/v1/connect/ca/roots" + (index == 0 ? "" : "?index=" + index + "&wait=200ms"), null);
            JsonObject roots = new JsonObject(r.body());
            StringBuilder pem = new StringBuilder();
            String active = null;
            for (Object o : roots.getJsonArray("Roots")) {
                JsonObject root = (JsonObject) o;
                pem.append(root.getString("RootCert"));
                if (root.getBoolean("Active")) {
                    active = CaCertificates.signingKeyId(ConnectCaTest.chain(root.getString("RootCert")).get(0));
                }
            }
            rootsPem = pem.toString();
            activeRoot = active;
            return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
        }

        @Override
        public void close() throws InterruptedException {
            open = false;
            watcher.join(5_000);
            assertNotEquals(null, serial);
        }
    }
}
