package io.hypermesh.streams.connect;

import io.hypermesh.events.connect.AuthorizationDecided;
import io.hypermesh.events.connect.DecisionEvent;
import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consul Connect's HTTP API against a running instance on the embedded broker: field sets as
 * Consul's (vertx-consul-client has no Connect calls, so plain HTTP), its rules and refusals,
 * writes that need a credential on a secured bus, and decisions in {@code hypermesh.decisions}.
 */
@KafkaIT
class ConnectApiIT {
    private static final Set<String> ROOT_FIELDS = Set.of("ID", "Name", "SerialNumber", "SigningKeyID", "ExternalTrustDomain",
            "NotBefore", "NotAfter", "RootCert", "IntermediateCerts", "Active", "PrivateKeyType", "PrivateKeyBits", "CreateIndex",
            "ModifyIndex");
    private static final Set<String> LEAF_FIELDS = Set.of("SerialNumber", "CertPEM", "PrivateKeyPEM", "Service", "ServiceURI",
            "ValidAfter", "ValidBefore", "CreateIndex", "ModifyIndex");
    private static final Set<String> EXACT_FIELDS = Set.of("Description", "SourceNS", "SourceName", "DestinationNS",
            "DestinationName", "SourceType", "Action", "Meta", "Precedence", "CreateIndex", "ModifyIndex");
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @Test
    void theCaAnswersWithConsulsFieldsAndRules(EmbeddedKafka kafka) throws Exception {
        try (BusFixture bus = new BusFixture(kafka)) {
            StreamsApp app = bus.start(bus.settings(BusFixture.uniqueAppId()));
            base = app.url();
            HttpResponse<String> rootsAnswer = send("GET", "/v1/connect/ca/roots", null, null);
            JsonObject roots = new JsonObject(rootsAnswer.body());
            assertEquals(Set.of("ActiveRootID", "TrustDomain", "Roots"), roots.fieldNames());
            String trustDomain = roots.getString("TrustDomain");
            assertTrue(trustDomain.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.consul"), trustDomain);
            JsonObject root = roots.getJsonArray("Roots").getJsonObject(0);
            assertEquals(ROOT_FIELDS, root.fieldNames());
            assertEquals(roots.getString("ActiveRootID"), root.getString("ID"));
            assertTrue(root.getString("ID").matches("([0-9a-f]{2}:){19}[0-9a-f]{2}"), root.getString("ID"));
            assertEquals(rootsAnswer.headers().firstValue("X-Consul-Index").orElseThrow(), Long.toString(root.getLong("ModifyIndex")));
            assertEquals(roots, new JsonObject(send("GET", "/v1/agent/connect/ca/roots", null, null).body()));
            HttpResponse<String> pem = send("GET", "/v1/connect/ca/roots?pem=true", null, null);
            assertEquals("application/pem-certificate-chain", pem.headers().firstValue("Content-Type").orElse(""));
            assertEquals(root.getString("RootCert"), pem.body());

            JsonObject config = new JsonObject(send("GET", "/v1/connect/ca/configuration", null, null).body());
            assertEquals(Set.of("Provider", "Config", "State", "ForceWithoutCrossSigning", "CreateIndex", "ModifyIndex"),
                    config.fieldNames());
            assertEquals("consul", config.getString("Provider"));
            assertEquals("72h", config.getJsonObject("Config").getString("LeafCertTTL"));
            HttpResponse<String> tooShort = send("PUT", "/v1/connect/ca/configuration",
                    "{\"Provider\":\"consul\",\"Config\":{\"LeafCertTTL\":\"30m\"}}", null);
            assertEquals(400, tooShort.statusCode());
            assertEquals("leaf cert TTL must be greater or equal than 1h0m0s", tooShort.body());
            assertEquals(400, send("PUT", "/v1/connect/ca/configuration", "{\"Provider\":\"vault\",\"Config\":{}}", null).statusCode());

            String service = "web-" + UUID.randomUUID().toString().substring(0, 6);
            HttpResponse<String> leafAnswer = send("GET", "/v1/agent/connect/ca/leaf/" + service, null, null);
            JsonObject leaf = new JsonObject(leafAnswer.body());
            assertEquals(LEAF_FIELDS, leaf.fieldNames());
            assertEquals("spiffe://" + trustDomain + "/ns/default/dc/dc1/svc/" + service, leaf.getString("ServiceURI"));
            assertEquals(service, leaf.getString("Service"));
            assertTrue(leaf.getString("SerialNumber").matches("([0-9a-f]{2}:)+[0-9a-f]{2}"), leaf.getString("SerialNumber"));
            assertEquals(Duration.ofHours(72).plusMinutes(1), Duration.between(Instant.parse(leaf.getString("ValidAfter")),
                    Instant.parse(leaf.getString("ValidBefore"))));
            assertTrue(leaf.getString("PrivateKeyPEM").startsWith("-----BEGIN PRIVATE KEY-----"));
            // A blocking query on the leaf's index waits while the leaf is not due, and gives the same leaf back.
            long started = System.nanoTime();
            JsonObject same = new JsonObject(send("GET", "/v1/agent/connect/ca/leaf/" + service + "?index=" + leaf.getLong("ModifyIndex")
                    + "&wait=1s", null, null).body());
            assertTrue(System.nanoTime() - started >= Duration.ofMillis(900).toNanos());
            assertEquals(leaf.getString("SerialNumber"), same.getString("SerialNumber"));
            assertEquals(400, send("GET", "/v1/agent/connect/ca/leaf/we*b", null, null).statusCode());

            // A flood of issuance: each answer is a leaf, a 429 past CSRMaxPerSecond or a 503 past the CA's queue; never a 500.
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                flood.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/agent/connect/ca/leaf/flood-" + i + "-" + service))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
            java.util.Map<Integer, Long> statuses = flood.stream().map(java.util.concurrent.CompletableFuture::join)
                    .collect(java.util.stream.Collectors.groupingBy(HttpResponse::statusCode, java.util.stream.Collectors.counting()));
            assertTrue(Set.of(200, 429, 503).containsAll(statuses.keySet()), statuses.toString());
            assertTrue(statuses.getOrDefault(429, 0L) + statuses.getOrDefault(503, 0L) > 0, statuses.toString());
            assertTrue(statuses.getOrDefault(200, 0L) >= 20, statuses.toString());
            assertEquals("Rate limit reached, try again later", flood.stream().map(java.util.concurrent.CompletableFuture::join)
                    .filter(r -> r.statusCode() == 429).findFirst().map(HttpResponse::body).orElse("Rate limit reached, try again later"));
            String metrics = send("GET", "/metrics", null, null).body();
            assertTrue(metrics.contains("hypermesh_connect_decisions_dropped_total"), "decision log metrics are served");
        }
    }

    @Test
    void intentionsAndAuthorizeFollowConsul(EmbeddedKafka kafka) throws Exception {
        try (BusFixture bus = new BusFixture(kafka)) {
            String app = BusFixture.uniqueAppId();
            bus.start(bus.settings(app).withConnect(new ConnectSettings(null, IntentionBook.DefaultPolicy.ALLOW, DecisionLog.Mode.ALL)));
            base = bus.start(bus.settings(app + "-2")).url();
            String web = "web-" + UUID.randomUUID().toString().substring(0, 6);
            String db = "db-" + UUID.randomUUID().toString().substring(0, 6);
            String td = new JsonObject(send("GET", "/v1/connect/ca/roots", null, null).body()).getString("TrustDomain");

            HttpResponse<String> put = send("PUT", "/v1/connect/intentions/exact?source=" + web + "&destination=" + db,
                    "{\"Action\":\"allow\",\"Description\":\"web reads db\"}", null);
            assertEquals(200, put.statusCode(), put.body());
            assertEquals("true", put.body());
            JsonObject exact = new JsonObject(send("GET", "/v1/connect/intentions/exact?source=" + web + "&destination=" + db, null, null)
                    .body());
            assertEquals(EXACT_FIELDS, exact.fieldNames());
            assertEquals(9, exact.getInteger("Precedence"));
            assertEquals("allow", exact.getString("Action"));
            assertEquals("default", exact.getString("SourceNS"));

            // The deprecated ID routes: create (a duplicate is refused), read, update, delete.
            String api = "api-" + UUID.randomUUID().toString().substring(0, 6);
            JsonObject created = new JsonObject(send("POST", "/v1/connect/intentions", "{\"SourceName\":\"" + api
                    + "\",\"DestinationName\":\"" + db + "\",\"Action\":\"deny\",\"Meta\":{\"team\":\"payments\"}}", null).body());
            String id = created.getString("ID");
            assertTrue(id.matches("[0-9a-f-]{36}"), id);
            HttpResponse<String> duplicate = send("POST", "/v1/connect/intentions", "{\"SourceName\":\"" + api + "\",\"DestinationName\":\""
                    + db + "\",\"Action\":\"allow\"}", null);
            assertEquals(400, duplicate.statusCode());
            assertEquals("duplicate intention found: " + api + " => " + db + " (deny)", duplicate.body());
            JsonObject byId = new JsonObject(send("GET", "/v1/connect/intentions/" + id, null, null).body());
            assertTrue(byId.fieldNames().containsAll(Set.of("ID", "CreatedAt", "UpdatedAt")), byId.encode());
            assertEquals("payments", byId.getJsonObject("Meta").getString("team"));
            assertFalse(authorize(api, db, td).getBoolean("Authorized"));
            assertEquals(200, send("PUT", "/v1/connect/intentions/" + id, "{\"SourceName\":\"" + api + "\",\"DestinationName\":\"" + db
                    + "\",\"Action\":\"allow\"}", null).statusCode());
            assertEquals(byId.getLong("CreateIndex"), new JsonObject(send("GET", "/v1/connect/intentions/" + id, null, null).body())
                    .getLong("CreateIndex"));
            // A new source renames it (the old pair goes with the same write); a new destination is refused, as Consul 1.9+ does.
            String batch = "batch-" + UUID.randomUUID().toString().substring(0, 6);
            assertEquals(200, send("PUT", "/v1/connect/intentions/" + id, "{\"SourceName\":\"" + batch + "\",\"DestinationName\":\"" + db
                    + "\",\"Action\":\"deny\"}", null).statusCode());
            assertEquals(404, send("GET", "/v1/connect/intentions/exact?source=" + api + "&destination=" + db, null, null).statusCode());
            assertEquals(id, new JsonObject(send("GET", "/v1/connect/intentions/exact?source=" + batch + "&destination=" + db, null, null)
                    .body()).getString("ID"));
            assertRefused("PUT", "/v1/connect/intentions/" + id, "{\"SourceName\":\"" + batch + "\",\"DestinationName\":\"other\","
                    + "\"Action\":\"deny\"}", "Cannot modify DestinationNS or DestinationName for an intention once it exists.");
            assertEquals("true", send("DELETE", "/v1/connect/intentions/" + id, null, null).body());
            assertEquals(404, send("GET", "/v1/connect/intentions/" + id, null, null).statusCode());
            assertEquals(400, send("GET", "/v1/connect/intentions/not-a-uuid", null, null).statusCode());

            JsonArray listed = new JsonArray(send("GET", "/v1/connect/intentions?filter=" + enc("SourceName == \"" + web + "\""), null,
                    null).body());
            assertEquals(1, listed.size());
            assertEquals(db, listed.getJsonObject(0).getString("DestinationName"));
            assertEquals("{\"Allowed\":true}", send("GET", "/v1/connect/intentions/check?source=" + web + "&destination=" + db, null,
                    null).body());
            send("PUT", "/v1/connect/intentions/exact?source=*&destination=" + db, "{\"Action\":\"deny\"}", null);
            JsonObject matched = new JsonObject(send("GET", "/v1/connect/intentions/match?by=destination&name=" + db, null, null).body());
            assertEquals(List.of(9, 8), matched.getJsonArray(db).stream().map(o -> ((JsonObject) o).getInteger("Precedence")).toList());

            JsonObject allowed = authorize(web, db, td);
            assertEquals(Set.of("Authorized", "Reason"), allowed.fieldNames());
            assertEquals(new JsonObject().put("Authorized", true).put("Reason", "Matched L4 intention: " + web + " => " + db + " (allow)"),
                    allowed);
            assertEquals("Matched L4 intention: * => " + db + " (deny)", authorize("other", db, td).getString("Reason"));

            // L7: Consul's authorize counts it as deny; ours applies its permissions.
            String l7 = "l7-" + UUID.randomUUID().toString().substring(0, 6);
            assertEquals(200, send("PUT", "/v1/connect/intentions/exact?source=" + web + "&destination=" + l7, "{\"Permissions\":["
                    + "{\"Action\":\"allow\",\"HTTP\":{\"PathPrefix\":\"/api/\",\"Methods\":[\"GET\"]}},"
                    + "{\"Action\":\"deny\",\"HTTP\":{\"PathRegex\":\"/.*\"}}]}", null).statusCode());
            assertEquals("Matched L7 intention: " + web + " => " + l7 + " ()", authorize(web, l7, td).getString("Reason"));
            assertTrue(l7(web, l7, td, "GET", "/api/items").getBoolean("Authorized"));
            assertFalse(l7(web, l7, td, "POST", "/api/items").getBoolean("Authorized"));

            // Refusals, each a 400 with its reason.
            assertRefused("PUT", "/v1/connect/intentions/exact?source=" + web + "&destination=" + db, "{\"Action\":\"maybe\"}",
                    "Action must be set to 'allow' or 'deny'");
            assertRefused("PUT", "/v1/connect/intentions/exact?source=we*&destination=" + db, "{\"Action\":\"allow\"}",
                    "source: wildcard character '*' cannot be used with partial values");
            assertRefused("PUT", "/v1/connect/intentions/exact?destination=" + db, "{\"Action\":\"allow\"}",
                    "required query parameter 'source' not set");
            assertRefused("PUT", "/v1/connect/intentions/exact?source=" + web + "&destination=" + db,
                    "{\"Permissions\":[{\"Action\":\"allow\",\"HTTP\":{\"PathRegex\":\"(\"}}]}",
                    "Permissions[0].HTTP.PathRegex is not a valid regex");
            assertRefused("POST", "/v1/agent/connect/authorize", "{\"Target\":\"" + db + "\",\"ClientCertURI\":\"https://x\"}",
                    "ClientCertURI not a valid Connect identifier");
            assertRefused("POST", "/v1/agent/connect/authorize", "{\"ClientCertURI\":\"spiffe://" + td + "/ns/default/dc/dc1/svc/a\"}",
                    "Target service must be specified");
            assertRefused("GET", "/v1/connect/intentions/match?by=sideways&name=" + db, null,
                    "'by' parameter must be one of 'source' or 'destination'");

            // The first instance logs every decision; this one logs none.
            List<AuthorizationDecided> logged = decisions(bus, db, 0);
            assertTrue(logged.isEmpty(), logged.toString());
            base = bus.start(bus.settings(app + "-3").withConnect(new ConnectSettings(null, IntentionBook.DefaultPolicy.ALLOW,
                    DecisionLog.Mode.DENIALS))).url();
            authorize(web, db, td);
            authorize("other", db, td);
            List<AuthorizationDecided> denials = decisions(bus, db, 1);
            assertEquals("Matched L4 intention: * => " + db + " (deny)", denials.get(0).getReason());
            assertEquals("* => " + db + " (deny)", denials.get(0).getIntention());
            assertEquals("L4", denials.get(0).getLayer());
        }
    }

    @Test
    void onASecuredBusChangesAndLeavesNeedACredentialAndNoIntentionMeansDeny(EmbeddedKafka kafka) throws Exception {
        String token = "connect-" + UUID.randomUUID();
        try (BusFixture bus = new BusFixture(kafka);
             StreamsApp app = StreamsApp.start(bus.settings(BusFixture.uniqueAppId()).withConnect(new ConnectSettings(null,
                     IntentionBook.DefaultPolicy.DENY, DecisionLog.Mode.OFF)), new HttpRegistryClient(bus.registry.url()),
                     ApiTokens.of(List.of(token)))) {
            app.awaitRunning(Duration.ofSeconds(90));
            base = app.url();
            String td = new JsonObject(send("GET", "/v1/connect/ca/roots", null, null).body()).getString("TrustDomain");
            String db = "db-" + UUID.randomUUID().toString().substring(0, 6);
            assertEquals(401, send("PUT", "/v1/connect/intentions/exact?source=a&destination=" + db, "{\"Action\":\"allow\"}", null)
                    .statusCode());
            assertEquals(401, send("POST", "/v1/connect/intentions", "{\"SourceName\":\"a\",\"DestinationName\":\"" + db
                    + "\",\"Action\":\"allow\"}", null).statusCode());
            assertEquals(401, send("PUT", "/v1/connect/ca/configuration", "{\"Provider\":\"consul\",\"Config\":{}}", null).statusCode());
            assertEquals(401, send("GET", "/v1/agent/connect/ca/leaf/" + db, null, null).statusCode());
            assertEquals(200, send("GET", "/v1/agent/connect/ca/leaf/" + db, null, "Bearer " + token).statusCode());
            assertEquals(new JsonObject().put("Authorized", false).put("Reason", "Default behavior configured by ACLs"),
                    authorize("a", db, td));
            assertEquals(200, send("PUT", "/v1/connect/intentions/exact?source=a&destination=" + db, "{\"Action\":\"allow\"}",
                    "Bearer " + token).statusCode());
            assertTrue(authorize("a", db, td).getBoolean("Authorized"));
            assertTrue(send("GET", "/v1/connect/intentions/exact?source=a&destination=" + db, null, null).statusCode() == 200);
        }
    }

    private void assertRefused(String method, String path, String body, String reason) throws Exception {
        HttpResponse<String> r = send(method, path, body, null);
        assertEquals(400, r.statusCode(), method + " " + path + ": " + r.body());
        assertTrue(r.body().contains(reason), r.body());
    }

    private JsonObject authorize(String source, String target, String td) throws Exception {
        HttpResponse<String> r = send("POST", "/v1/agent/connect/authorize", new JsonObject().put("Target", target)
                .put("ClientCertURI", "spiffe://" + td + "/ns/default/dc/dc1/svc/" + source).put("ClientCertSerial", "01:02").encode(),
                null);
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }

    private JsonObject l7(String source, String target, String td, String method, String path) throws Exception {
        HttpResponse<String> r = send("POST", "/v1/hypermesh/connect/authorize", new JsonObject().put("Target", target)
                .put("ClientCertURI", "spiffe://" + td + "/ns/default/dc/dc1/svc/" + source).put("Method", method).put("Path", path)
                .encode(), null);
        assertEquals(200, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }

    private HttpResponse<String> send(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The decisions about {@code destination} in the log, once there are {@code count} (waiting 3 s for more when 0). */
    private static List<AuthorizationDecided> decisions(BusFixture bus, String destination, int count) {
        try (KafkaConsumer<String, DecisionEvent> consumer = new KafkaConsumer<>(new java.util.HashMap<>(bus.kafka.clientConfig()),
                new StringDeserializer(), new AvroDeserializer<>(new HttpRegistryClient(bus.registry.url()), DecisionEvent.class))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < Topics.DECISIONS.partitions(); p++) {
                partitions.add(new TopicPartition(Topics.DECISIONS.name(), p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<AuthorizationDecided> found = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(count == 0 ? 3 : 30).toNanos();
            while ((count == 0 || found.size() < count) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, DecisionEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key().equals(destination)) {
                        found.add((AuthorizationDecided) r.value().getPayload());
                    }
                }
            }
            assertNotNull(found);
            return found;
        }
    }
}
