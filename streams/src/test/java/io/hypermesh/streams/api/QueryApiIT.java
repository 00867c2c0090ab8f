package io.hypermesh.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The query API on one instance against the real broker: register with HTTP, discover, watch, expire, dead-letter. */
@KafkaIT
class QueryApiIT {
    static BusFixture bus;
    static StreamsApp app;
    static Http http;

    @BeforeAll
    static void start(EmbeddedKafka kafka) throws Exception {
        bus = new BusFixture(kafka);
        app = bus.start(bus.settings(BusFixture.uniqueAppId()));
        http = new Http(app.url());
    }

    @AfterAll
    static void stop() {
        bus.close();
    }

    static String name() {
        return "svc-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static void register(String service, String id, String ttl, String... tags) {
        String tagJson = tags.length == 0 ? "[]" : "[\"" + String.join("\",\"", tags) + "\"]";
        Http.Response r = http.put("/v1/agent/service/register", "{\"ID\":\"" + id + "\",\"Name\":\"" + service
                + "\",\"Address\":\"10.1.2.3\",\"Port\":8080,\"Tags\":" + tagJson + ",\"Weights\":{\"Passing\":5,\"Warning\":1},"
                + "\"Check\":{\"TTL\":\"" + ttl + "\"}}");
        assertEquals(200, r.status(), r.body());
    }

    static JsonNode instances(String path) {
        Http.Response r = http.get(path);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    void registeredOverHttpAppearsInDiscoveryAndChecksGateIt() {
        String web = name();
        register(web, web + "-1", "60s", "blue");
        register(web, web + "-2", "60s", "green");
        // A write is answered once visible: no waiting needed before reading.
        JsonNode both = instances("/v1/health/service/" + web);
        assertEquals(2, both.size());
        assertEquals("10.1.2.3", both.get(0).get("Service").get("Address").asText());
        assertEquals(5, both.get(0).get("Service").get("Weights").get("Passing").asInt());
        assertEquals("critical", both.get(0).get("Checks").get(0).get("Status").asText(), "a new TTL check starts critical, as in Consul");
        assertEquals(0, instances("/v1/health/service/" + web + "?passing").size());
        assertEquals(1, instances("/v1/health/service/" + web + "?tag=green").size());
        assertTrue(http.get("/v1/catalog/services").json().get(web).toString().contains("blue"));

        assertEquals(200, http.put("/v1/agent/check/pass/service:" + web + "-1", "").status());
        for (int i = 0; i < 4; i++) {
            assertEquals(200, http.put("/v1/agent/check/fail/service:" + web + "-2?note=timeout", "").status());
        }
        JsonNode passing = instances("/v1/health/service/" + web + "?passing");
        assertEquals(1, passing.size());
        assertEquals(web + "-1", passing.get(0).get("Service").get("ID").asText());
        assertEquals("timeout", instances("/v1/health/checks/" + web).get(1).get("Output").asText(), "the note is the output");
        // The health fold scores the same reports, under our own prefix.
        until(() -> http.get("/v1/hypermesh/health/component/" + web + "-2"), r -> r.status() == 200
                && r.json().get("Status").asText().equals("UNHEALTHY"), Duration.ofSeconds(30), "scored unhealthy");
        assertTrue(http.get("/v1/hypermesh/health/state/unhealthy").body().contains(web + "-2"));
        until(() -> http.get("/v1/hypermesh/health/component/" + web + "-1"), r -> r.status() == 200, Duration.ofSeconds(30), "scored");
        for (int i = 0; i < 10; i++) {
            assertEquals(web + "-1", http.get("/v1/hypermesh/discovery/pick/" + web).json().get("ID").asText(),
                    "only the passing one is picked");
        }

        assertEquals(200, http.put("/v1/agent/service/deregister/" + web + "-1", "").status());
        assertEquals(1, instances("/v1/catalog/service/" + web).size(), "deregistered, and visible at once");
        assertEquals(404, http.get("/v1/hypermesh/discovery/pick/" + web).status(), "the one left is unhealthy");
    }

    @Test
    void aLapsedTtlCheckTurnsCriticalAndTheInstanceStaysRegistered() {
        String svc = name();
        register(svc, svc + "-1", "2s");
        assertEquals(200, http.put("/v1/agent/check/pass/service:" + svc + "-1", "").status());
        assertEquals(1, instances("/v1/health/service/" + svc + "?passing").size());
        long passedAt = System.currentTimeMillis();
        JsonNode lapsed = until(() -> instances("/v1/health/checks/" + svc), n -> n.get(0).get("Status").asText().equals("critical"),
                Duration.ofSeconds(30), "TTL lapsed");
        assertTrue(System.currentTimeMillis() - passedAt >= 1500, "not before its TTL");
        assertEquals("TTL expired", lapsed.get(0).get("Output").asText());
        assertEquals(0, instances("/v1/health/service/" + svc + "?passing").size());
        assertEquals(1, instances("/v1/catalog/service/" + svc).size(), "Consul keeps the service until it is deregistered");
    }

    @Test
    void ttlReportsKeepACheckPassing() throws Exception {
        String svc = name();
        register(svc, svc + "-1", "2s");
        for (int i = 0; i < 8; i++) {
            Http.Response passed = http.put("/v1/agent/check/pass/service:" + svc + "-1", "");
            assertEquals(200, passed.status(), passed.body());
            Thread.sleep(500);
        }
        assertEquals(1, instances("/v1/health/service/" + svc + "?passing").size(), "4 s of reports every 0.5 s kept a 2 s TTL passing");
    }

    @Test
    void blockingQueryReturnsWhenTheViewChangesAndTheIndexOnlyEverGrows() throws Exception {
        String svc = name();
        register(svc, svc + "-1", "60s");
        Http.Response first = http.get("/v1/health/service/" + svc);
        long index = Long.parseLong(header(app.url() + "/v1/health/service/" + svc));
        assertEquals(index, Long.parseLong(header(app.url() + "/v1/health/service/" + svc)), "same view, same index");
        register(name(), "other-" + UUID.randomUUID(), "60s");
        assertEquals(index, Long.parseLong(header(app.url() + "/v1/health/service/" + svc)), "another service's change does not move it");

        Http.Response timedOut = http.get("/v1/health/service/" + svc + "?index=" + index + "&wait=300ms");
        assertEquals(first.body(), timedOut.body(), "nothing changed: the wait ends with the same view");

        CompletableFuture<Http.Response> blocked = CompletableFuture.supplyAsync(() ->
                http.get("/v1/health/service/" + svc + "?index=" + index + "&wait=30s"));
        Thread.sleep(500);
        assertTrue(!blocked.isDone(), "blocks while the view is unchanged");
        register(svc, svc + "-2", "60s");
        Http.Response changed = blocked.get(30, TimeUnit.SECONDS);
        assertEquals(2, changed.json().size());
        long moved = Long.parseLong(header(app.url() + "/v1/health/service/" + svc));
        assertTrue(moved > index, moved + " after " + index);
        assertEquals(200, http.put("/v1/agent/service/deregister/" + svc + "-1", "").status());
        assertEquals(200, http.put("/v1/agent/service/deregister/" + svc + "-2", "").status());
        assertTrue(Long.parseLong(header(app.url() + "/v1/health/service/" + svc)) > moved, "an emptied view moves forward too");

        Http.Response badIndex = http.get("/v1/health/service/" + svc + "?index=x");
        assertEquals(400, badIndex.status());
        assertEquals("Invalid index", badIndex.body());
        Http.Response badWait = http.get("/v1/health/service/" + svc + "?index=1&wait=forever");
        assertEquals(400, badWait.status());
        assertEquals("Invalid wait time", badWait.body());
    }

    @Test
    void catalogRegistrationsNameTheirNodeAndTheAgentViewsShowThisInstancesOwn() {
        String svc = name();
        String node = "node-" + svc;
        Http.Response registered = http.put("/v1/catalog/register", "{\"Node\":\"" + node + "\",\"Address\":\"10.9.9.9\","
                + "\"Service\":{\"ID\":\"" + svc + "-1\",\"Service\":\"" + svc + "\",\"Port\":9000,\"Tags\":[\"x\"]},"
                + "\"Check\":{\"Name\":\"external\",\"Status\":\"passing\"}}");
        assertEquals(200, registered.status(), registered.body());
        assertEquals("true", registered.body());
        JsonNode onNode = instances("/v1/catalog/node/" + node);
        assertEquals("10.9.9.9", onNode.get("Node").get("Address").asText());
        assertEquals(9000, onNode.get("Services").get(svc + "-1").get("Port").asInt());
        assertEquals("passing", instances("/v1/health/node/" + node).get(0).get("Status").asText());
        assertTrue(instances("/v1/catalog/nodes").toString().contains("\"Node\":\"" + node + "\""));
        assertEquals(1, instances("/v1/health/service/" + svc + "?passing").size(), "a catalog check is as written");
        assertEquals("null", http.get("/v1/catalog/node/nowhere-" + svc).body(), "Consul's answer for an unknown node");
        assertEquals(1, instances("/v1/catalog/service/" + svc + "?filter="
                + java.net.URLEncoder.encode("ServiceTags contains x and Node == \""
                + node + "\"", java.nio.charset.StandardCharsets.UTF_8)).size());
        assertEquals(0, instances("/v1/catalog/service/" + svc + "?filter=" + java.net.URLEncoder.encode("ServicePort != 9000",
                java.nio.charset.StandardCharsets.UTF_8)).size());
        assertTrue(!instances("/v1/agent/services").has(svc + "-1"), "registered in the catalog on another node, not through this agent");

        register(svc, svc + "-2", "60s");
        JsonNode own = instances("/v1/agent/services");
        assertEquals(svc, own.get(svc + "-2").get("Service").asText());
        assertEquals("critical", instances("/v1/agent/checks").get("service:" + svc + "-2").get("Status").asText());
        assertEquals(200, http.get("/v1/agent/service/" + svc + "-2").status());
        assertEquals(404, http.get("/v1/agent/service/" + svc + "-1").status(), "not this agent's");
        assertEquals("dc1", instances("/v1/agent/self").get("Config").get("Datacenter").asText());
        assertEquals(1, instances("/v1/agent/members").size());
        assertTrue(http.get("/v1/status/leader").body().matches("\"127\\.0\\.0\\.1:\\d+\""), http.get("/v1/status/leader").body());
        assertEquals("[\"dc1\"]", http.get("/v1/catalog/datacenters").body());

        assertEquals("true", http.put("/v1/catalog/deregister", "{\"Node\":\"" + node + "\",\"ServiceID\":\"" + svc + "-1\"}").body());
        assertEquals(1, instances("/v1/catalog/service/" + svc).size(), "gone at once");
        assertEquals(400, http.put("/v1/catalog/register", "{\"Node\":\"n\",\"Address\":\"1.2.3.4\"}").status(), "no service: refused");
    }

    @Test
    void anHttpCheckIsRunWithItsMethodHeadersAndTimeoutAndShowsItsDefinition() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
        com.sun.net.httpserver.HttpServer target = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1",
                0), 0);
        target.createContext("/h", exchange -> {
            seen.set(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("X-Probe"));
            exchange.sendResponseHeaders(429, -1); // Consul: 429 Too Many Requests is a warning
            exchange.close();
        });
        target.start();
        try {
            String svc = name();
            String url = "http://127.0.0.1:" + target.getAddress().getPort() + "/h";
            assertEquals(200, http.put("/v1/agent/service/register", "{\"ID\":\"" + svc + "-1\",\"Name\":\"" + svc + "\",\"Port\":80,"
                    + "\"Check\":{\"HTTP\":\"" + url + "\",\"Method\":\"POST\",\"Header\":{\"X-Probe\":[\"yes\"]},"
                    + "\"Interval\":\"200ms\",\"Timeout\":\"1s\",\"DeregisterCriticalServiceAfter\":\"90m\"}}").status());
            JsonNode check = until(() -> instances("/v1/health/checks/" + svc).get(0), c -> c.get("Status").asText().equals("warning"),
                    Duration.ofSeconds(30), "the HTTP check ran").deepCopy();
            assertEquals("POST yes", seen.get());
            assertTrue(check.get("Output").asText().startsWith("HTTP POST " + url + ": 429"), check.get("Output").asText());
            assertEquals("http", check.get("Type").asText());
            assertEquals("200ms", check.get("Interval").asText());
            assertEquals("1s", check.get("Definition").get("Timeout").asText());
            assertEquals("1h30m0s", check.get("Definition").get("DeregisterCriticalServiceAfter").asText());
            assertEquals("POST", check.get("Definition").get("Method").asText());
        } finally {
            target.stop(0);
        }
    }

    @Test
    void aClientSlowToSendItsRequestHeadIsCutButALongPollIsNot() throws Exception {
        String svc = name();
        register(svc, svc + "-1", "60s");
        long index = Long.parseLong(header(app.url() + "/v1/health/service/" + svc));
        CompletableFuture<Http.Response> longPoll = CompletableFuture.supplyAsync(() ->
                http.get("/v1/health/service/" + svc + "?index=" + index + "&wait=13s"));
        URI api = URI.create(app.url());
        long start = System.nanoTime();
        try (java.net.Socket slowloris = new java.net.Socket(api.getHost(), api.getPort())) {
            slowloris.setSoTimeout(30_000);
            slowloris.getOutputStream().write("GET /v1/catalog/services HTTP/1.1\r\nHost: x\r\n".getBytes());
            slowloris.getOutputStream().flush();
            assertEquals(-1, slowloris.getInputStream().read(), "closed without an answer");
        }
        long heldMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(heldMs >= 9_000 && heldMs < 20_000, "cut after the 10 s head timeout: " + heldMs + " ms");
        Http.Response answered = longPoll.get(30, TimeUnit.SECONDS);
        assertEquals(200, answered.status(), "a request being answered is never cut");
    }

    @Test
    void watchesPastTheLimitAreAnswered429WithRetryAfter() throws Exception {
        StreamsApp capped = bus.start(bus.settings(BusFixture.uniqueAppId()).withMaxWatchers(2));
        Http api = new Http(capped.url());
        String svc = name();
        CompletableFuture<Http.Response> first = CompletableFuture.supplyAsync(() -> api.get("/v1/health/service/" + svc
                + "?index=1&wait=3s"));
        HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(capped.url()
                + "/v1/hypermesh/service/" + svc + "?stream")).build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread.sleep(500);
        HttpResponse<String> third = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(capped.url()
                + "/v1/catalog/service/" + svc + "?index=1&wait=3s")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(429, third.statusCode(), third.body());
        assertEquals("1", third.headers().firstValue("Retry-After").orElse(""));
        assertTrue(third.body().contains("the limit is 2"), third.body());
        assertEquals(200, api.get("/v1/health/service/" + svc).status(), "plain reads are not watches");
        assertEquals(200, first.get(30, TimeUnit.SECONDS).status());
        stream.body().close();
        assertEquals(200, until(() -> api.get("/v1/catalog/service/" + svc + "?index=1&wait=10ms"), r -> r.status() == 200,
                Duration.ofSeconds(10), "places given back").status());
        bus.stop(capped);
    }

    @Test
    void serverSentEventsStreamEveryChangeOfOurOwnViews() throws Exception {
        String svc = name();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<java.io.InputStream> response = client.send(HttpRequest.newBuilder(URI.create(app.url()
                        + "/v1/hypermesh/service/" + svc + "?stream")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body()))) {
            assertEquals("[]", nextData(in), "the current view first");
            register(svc, svc + "-1", "60s");
            assertTrue(nextData(in).contains(svc + "-1"));
        }
    }

    static String nextData(BufferedReader in) throws Exception {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("data: ")) {
                return line.substring(6);
            }
        }
        throw new AssertionError("stream ended");
    }

    static String header(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .headers().firstValue(Responses.INDEX_HEADER).orElseThrow();
    }

    @Test
    void badRequestsGetA4xxWithTheReason() {
        Http.Response noName = http.put("/v1/agent/service/register", "{\"Port\":80}");
        assertEquals(400, noName.status());
        assertEquals("Missing service name", noName.body(), "Consul's words, in plain text");
        assertEquals(400, http.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Port\":70000}").status());
        assertEquals(400, http.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Port\":80,\"Tags\":[1]}").status());
        assertEquals(400, http.put("/v1/agent/service/register", "{not json").status());
        assertEquals(404, http.put("/v1/agent/check/maybe/c1", "").status());
        assertEquals(404, http.put("/v1/agent/check/pass/service:nobody-" + UUID.randomUUID(), "").status());
        Http.Response unknown = http.put("/v1/agent/service/deregister/nobody", "");
        assertEquals(404, unknown.status());
        assertTrue(unknown.body().startsWith("Unknown service ID \"nobody\""), unknown.body());
        assertEquals(405, http.get("/v1/agent/service/register").status());
        // The peer endpoints refuse what no peer sends: an unknown store, a partition that is not one (found by BadInputFuzzIT).
        assertEquals(404, http.send("POST", "/internal/v1/stores/nope/keys", "{\"k\":1}", "application/json").status());
        assertEquals(400, http.send("POST", "/internal/v1/stores/" + io.hypermesh.streams.registry.RegistryTopology.STORE + "/keys",
                "{\"k\":-4761}", "application/json").status());
        assertEquals(400, http.get("/internal/v1/stores/" + io.hypermesh.streams.registry.RegistryTopology.STORE
                + "/keys/k?partition=x").status());
        assertEquals(400, http.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Check\":\"x\"}").status());
        assertEquals(400, http.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Weights\":{\"Passing\":\"3\"}}").status());
        Http.Response hugeTtl = http.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Check\":{\"TTL\":\"99999999999999999999s\"}}");
        assertEquals(400, hugeTtl.status());
        assertTrue(hugeTtl.body().contains("time: invalid duration"), hugeTtl.body());
        Http.Response otherDc = http.get("/v1/catalog/services?dc=dc9");
        assertEquals(500, otherDc.status());
        assertEquals("No path to datacenter", otherDc.body());
        Http.Response badFilter = http.get("/v1/catalog/service/x?filter=" + java.net.URLEncoder.encode("ServiceTags contains",
                java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(400, badFilter.status());
        assertTrue(badFilter.body().contains("1:21 (20)"), badFilter.body());
        assertEquals(400, http.get("/v1/catalog/service/x?filter=Nope%20%3D%3D%20x").status());

        // curl's default content type, with a body past 8 KB: read as JSON, as Consul reads it.
        String svc = name();
        String bigTags = "[\"" + "t".repeat(20_000) + "\"]";
        Http.Response form = http.send("PUT", "/v1/agent/service/register", "{\"Name\":\"" + svc + "\",\"Port\":80,\"Tags\":" + bigTags
                + "}",
                "application/x-www-form-urlencoded");
        assertEquals(200, form.status(), form.body());
        Http.Response huge = http.put("/v1/agent/service/register", "{\"Name\":\"" + svc + "\",\"Meta\":{\"k\":\""
                + "v".repeat(2_000_000) + "\"}}");
        assertEquals(413, huge.status());
        assertTrue(huge.body().contains("1048576"), "the limit is named: " + huge.body());
        Http.Response lone = http.put("/v1/agent/service/register", "{\"Name\":\"x\\ud800\"}");
        assertEquals(400, lone.status());
        assertTrue(lone.body().contains("lone surrogate"), lone.body());
        Http.Response meta = http.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Meta\":{\"k\":\"" + "v".repeat(600) + "\"}}");
        assertEquals(400, meta.status());
        assertTrue(meta.body().endsWith("Value is too long (limit: 512 characters)"), meta.body());
        assertEquals(400, http.put("/v1/agent/service/register", "{\"Name\":\"x\",\"Weights\":{\"Passing\":4294967299}}").status());
        assertEquals(400, http.get("/v1/hypermesh/health/state/sideways").status());
        assertEquals(404, http.get("/v1/hypermesh/health/component/nobody-" + UUID.randomUUID()).status());
        assertEquals(400, http.get("/v1/hypermesh/lifecycle/phase/9").status());
        assertEquals(404, http.get("/v1/nothing/here").status());
    }

    @Test
    void undecodableBytesOnAnInputTopicReachTheDeadLetterTopicAndTheFoldGoesOn() throws Exception {
        String key = "garbage-" + UUID.randomUUID();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(bus.kafka.clientConfig(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.HEALTH_CHECKS.name(), key.getBytes(), "{\"oops\":true}".getBytes())).get();
        }
        String svc = name();
        register(svc, svc + "-1", "60s");
        until(() -> instances("/v1/catalog/service/" + svc), n -> n.size() == 1, Duration.ofSeconds(30), "fold still running");

        try (HttpRegistryClient registry = new HttpRegistryClient(bus.registry.url());
             KafkaConsumer<String, DeadLetterEvent> dlq = new KafkaConsumer<>(bus.kafka.clientConfig(), new StringDeserializer(),
                     new AvroDeserializer<>(registry, DeadLetterEvent.class))) {
            TopicPartition tp = new TopicPartition(Topics.DEAD_LETTERS.name(), 0);
            dlq.assign(List.of(tp));
            dlq.seekToBeginning(List.of(tp));
            DeadLetter found = until(() -> {
                for (ConsumerRecord<String, DeadLetterEvent> r : dlq.poll(Duration.ofMillis(200))) {
                    DeadLetter letter = (DeadLetter) r.value().getPayload();
                    if (letter.getKey() != null && new String(letter.getKey().array()).equals(key)) {
                        return letter;
                    }
                }
                return null;
            }, l -> l != null, Duration.ofSeconds(30), "dead letter for " + key);
            assertEquals("deserialize", found.getStage());
            assertEquals(Topics.HEALTH_CHECKS.name(), found.getSourceTopic());
            assertTrue(found.getReason().contains("magic byte"), found.getReason());
        }
    }

    @Test
    void metricsEndpointServesStreamsAndHttpMetrics() {
        http.get("/v1/catalog/services");
        String scrape = http.get("/metrics").body();
        assertTrue(scrape.contains("kafka_stream_"), "Kafka Streams metrics bound");
        assertTrue(scrape.contains("http_server_requests_seconds_count"), "HTTP timings");
        assertTrue(scrape.contains("route=\"/v1/catalog/services\""));
    }
}
