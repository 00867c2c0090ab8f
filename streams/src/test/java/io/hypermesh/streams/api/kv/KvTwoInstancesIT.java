package io.hypermesh.streams.api.kv;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import io.hypermesh.streams.testing.Eventually;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KV on a scale-out bus: one instance runs the KV fold, and a write through the other is answered
 * with the fold's decision as well; reads, indexes and blocking reads are the same on both.
 */
@KafkaIT
class KvTwoInstancesIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void eitherInstanceWritesReadsAndWatchesTheSameKeys(EmbeddedKafka kafka) throws Exception {
        try (BusFixture bus = new BusFixture(kafka)) {
            String appId = BusFixture.uniqueAppId();
            StreamsApp a = bus.start(bus.settings(appId));
            StreamsApp b = bus.start(bus.settings(appId));
            String key = "two/" + UUID.randomUUID().toString().substring(0, 8);
            // Both are running once each answers a write (a rebalance answers 503 until it settles).
            for (StreamsApp app : new StreamsApp[] {a, b}) {
                Eventually.until(() -> send(app, "PUT", "/v1/kv/" + key + "/probe", "x").statusCode(), s -> s == 200,
                        Duration.ofSeconds(60), "writes through " + app.url());
            }
            assertEquals("true", send(a, "PUT", "/v1/kv/" + key + "?cas=0", "from-a").body());
            assertEquals("false", send(b, "PUT", "/v1/kv/" + key + "?cas=0", "from-b").body(), "the fold decided: it exists");
            long index = entry(b, key).getLong("ModifyIndex");
            assertEquals(index, entry(a, key).getLong("ModifyIndex"));
            assertEquals("true", send(b, "PUT", "/v1/kv/" + key + "?cas=" + index, "from-b").body());
            assertEquals("ZnJvbS1i", entry(a, key).getString("Value"), "read-your-write through the other instance");

            String s1 = new JsonObject(send(a, "PUT", "/v1/session/create", "{\"LockDelay\":\"0s\"}").body()).getString("ID");
            String s2 = new JsonObject(send(b, "PUT", "/v1/session/create", "{\"LockDelay\":\"0s\"}").body()).getString("ID");
            assertEquals("true", send(b, "PUT", "/v1/kv/" + key + "/lock?acquire=" + s1, "one").body());
            assertEquals("false", send(a, "PUT", "/v1/kv/" + key + "/lock?acquire=" + s2, "two").body());

            // A blocking read on each instance wakes when the other writes.
            long now = entry(a, key).getLong("ModifyIndex");
            CompletableFuture<HttpResponse<String>> onA = http.sendAsync(get(a, "/v1/kv/" + key + "?index=" + now + "&wait=30s"),
                    HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> onB = http.sendAsync(get(b, "/v1/kv/" + key + "?index=" + now + "&wait=30s"),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(500);
            assertEquals("true", send(b, "PUT", "/v1/kv/" + key, "changed").body());
            long started = System.nanoTime();
            String seenA = onA.get().headers().firstValue("X-Consul-Index").orElseThrow();
            String seenB = onB.get().headers().firstValue("X-Consul-Index").orElseThrow();
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(), "woken by the change, not the wait");
            assertEquals(seenA, seenB);
            assertTrue(Long.parseLong(seenA) > now);
        }
    }

    private JsonObject entry(StreamsApp app, String key) throws Exception {
        return new JsonArray(send(app, "GET", "/v1/kv/" + key, null).body()).getJsonObject(0);
    }

    private HttpRequest get(StreamsApp app, String path) {
        return HttpRequest.newBuilder(URI.create(app.url() + path)).build();
    }

    private HttpResponse<String> send(StreamsApp app, String method, String path, String body) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(app.url() + path)).method(method, body == null
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
