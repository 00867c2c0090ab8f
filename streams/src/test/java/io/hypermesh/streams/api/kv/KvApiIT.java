package io.hypermesh.streams.api.kv;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import io.hypermesh.streams.testing.Eventually;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a client library does not show: Consul's exact layouts, headers, status codes and texts for
 * KV, sessions and transactions, the bounds, the history, and a session ended by its check.
 */
@KafkaIT
class KvApiIT {
    static BusFixture bus;
    static StreamsApp app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(EmbeddedKafka kafka) throws Exception {
        bus = new BusFixture(kafka);
        app = bus.start(bus.settings(BusFixture.uniqueAppId()));
    }

    @AfterAll
    static void stop() {
        bus.close();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(app.url() + path)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String key() {
        return "api-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void entriesHaveConsulsFieldsHeadersAndRefusals() throws Exception {
        String k = key() + "/conf";
        assertEquals("true", send("PUT", "/v1/kv/" + k + "?flags=7", "hello").body());
        HttpResponse<String> got = send("GET", "/v1/kv/" + k, null);
        JsonObject entry = new JsonArray(got.body()).getJsonObject(0);
        assertEquals(Set.of("LockIndex", "Key", "Flags", "Value", "CreateIndex", "ModifyIndex"), entry.fieldNames());
        assertEquals("aGVsbG8=", entry.getString("Value"));
        assertEquals(7, entry.getLong("Flags"));
        assertEquals(Long.toString(entry.getLong("ModifyIndex")), got.headers().firstValue("X-Consul-Index").orElseThrow());
        assertEquals("true", got.headers().firstValue("X-Consul-KnownLeader").orElseThrow());

        HttpResponse<String> raw = send("GET", "/v1/kv/" + k + "?raw", null);
        assertEquals("hello", raw.body());
        assertEquals("text/plain", raw.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("sandbox", raw.headers().firstValue("Content-Security-Policy").orElseThrow());

        HttpResponse<String> absent = send("GET", "/v1/kv/" + k + "-absent", null);
        assertEquals(404, absent.statusCode());
        assertTrue(absent.headers().firstValue("X-Consul-Index").isPresent(), "a 404 carries the index too");
        assertEquals(400, send("GET", "/v1/kv/", null).statusCode());
        assertEquals("Missing key name", send("PUT", "/v1/kv/", "x").body());
        HttpResponse<String> conflicting = send("PUT", "/v1/kv/" + k + "?cas=1&acquire=abc", "x");
        assertEquals(400, conflicting.statusCode());
        assertEquals("Conflicting flags: acquire=abc&cas=1\n", conflicting.body());
        HttpResponse<String> big = send("PUT", "/v1/kv/" + k, "x".repeat(512 * 1024 + 1));
        assertEquals(413, big.statusCode());
        assertTrue(big.body().startsWith("Request body(524289 bytes) too large, max size: 524288 bytes."), big.body());
        assertEquals("missing session", send("PUT", "/v1/kv/" + k + "?acquire=", "x").body());
        assertEquals(405, send("POST", "/v1/kv/" + k, "x").statusCode());

        // A blocking read waits for the key's next change, not another key's.
        long index = entry.getLong("ModifyIndex");
        var waiting = http.sendAsync(HttpRequest.newBuilder(URI.create(app.url() + "/v1/kv/" + k + "?index=" + index + "&wait=20s"))
                .build(), HttpResponse.BodyHandlers.ofString());
        send("PUT", "/v1/kv/" + key() + "/elsewhere", "noise");
        Thread.sleep(500);
        assertFalse(waiting.isDone(), "another key's change does not answer it");
        send("PUT", "/v1/kv/" + k, "changed");
        JsonObject changed = new JsonArray(waiting.get().body()).getJsonObject(0);
        assertTrue(changed.getLong("ModifyIndex") > index);

        // A prefix's index moves on a delete under it and never goes down (the tombstone keeps it).
        String folder = k.substring(0, k.indexOf('/') + 1);
        long before = Long.parseLong(send("GET", "/v1/kv/" + folder + "?recurse", null).headers().firstValue("X-Consul-Index")
                .orElseThrow());
        send("PUT", "/v1/kv/" + folder + "gone", "x");
        send("DELETE", "/v1/kv/" + folder + "gone", null);
        HttpResponse<String> after = send("GET", "/v1/kv/" + folder + "?recurse", null);
        long afterIndex = Long.parseLong(after.headers().firstValue("X-Consul-Index").orElseThrow());
        assertTrue(afterIndex > before + 1, before + " then " + afterIndex);
        assertEquals(afterIndex, Long.parseLong(send("GET", "/v1/kv/" + folder + "gone", null).headers()
                .firstValue("X-Consul-Index").orElseThrow()), "the deleted key's own view has the delete's index");

        // Ours: the key's history, with who changed it.
        JsonObject history = new JsonObject(send("GET", "/v1/hypermesh/kv/" + k + "/history", null).body());
        JsonArray versions = history.getJsonArray("Versions");
        assertEquals(2, versions.size());
        assertEquals("aGVsbG8=", versions.getJsonObject(0).getString("Value"));
        assertTrue(versions.getJsonObject(1).getString("By").startsWith("client "), versions.encode());
        assertEquals(changed.getLong("ModifyIndex"), versions.getJsonObject(1).getLong("ModifyIndex"));
    }

    @Test
    void transactionsAnswerAsConsulAndRefuseWhatIsTooBig() throws Exception {
        String k = key();
        HttpResponse<String> failed = send("PUT", "/v1/txn", "[{\"KV\":{\"Verb\":\"set\",\"Key\":\"" + k + "\",\"Value\":\"eA==\"}},"
                + "{\"KV\":{\"Verb\":\"get\",\"Key\":\"" + k + "-absent\"}}]");
        assertEquals(409, failed.statusCode());
        JsonObject refused = new JsonObject(failed.body());
        assertEquals(null, refused.getValue("Results"));
        assertEquals(new JsonObject().put("OpIndex", 1).put("What", "key \"" + k + "-absent\" doesn't exist"),
                refused.getJsonArray("Errors").getJsonObject(0));
        assertEquals(404, send("GET", "/v1/kv/" + k, null).statusCode(), "nothing of it was applied");

        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append("{\"KV\":{\"Verb\":\"get-or-empty\",\"Key\":\"").append(k).append("\"}}");
        }
        HttpResponse<String> tooMany = send("PUT", "/v1/txn", many.append("]").toString());
        assertEquals(413, tooMany.statusCode());
        assertEquals("Transaction contains too many operations (65 > 64)", tooMany.body());
        assertEquals(400, send("PUT", "/v1/txn", "{\"not\":\"an array\"}").statusCode());
        assertEquals(400, send("PUT", "/v1/txn", "[{\"Node\":{\"Verb\":\"get\",\"Node\":{\"Node\":\"n\"}}}]").statusCode());

        HttpResponse<String> ok = send("PUT", "/v1/txn", "[{\"KV\":{\"Verb\":\"cas\",\"Key\":\"" + k + "\",\"Value\":\"eA==\","
                + "\"Index\":0}}]");
        assertEquals(200, ok.statusCode());
        JsonObject result = new JsonObject(ok.body()).getJsonArray("Results").getJsonObject(0).getJsonObject("KV");
        assertEquals(null, result.getValue("Value"), "a set's result carries no value, as Consul's");
        assertEquals(null, new JsonObject(ok.body()).getValue("Errors"));
    }

    @Test
    void sessionsHaveConsulsFieldsAndEndWithTheirCheck() throws Exception {
        HttpResponse<String> badTtl = send("PUT", "/v1/session/create", "{\"TTL\":\"5s\"}");
        assertEquals(400, badTtl.statusCode());
        assertEquals("Invalid Session TTL '5000000000', must be between [10s=24h0m0s]", badTtl.body());
        assertEquals("Invalid Behavior setting 'keep'", send("PUT", "/v1/session/create", "{\"Behavior\":\"keep\"}").body());
        assertEquals("Missing node registration", send("PUT", "/v1/session/create", "{\"Node\":\"nowhere\"}").body());
        assertEquals("Missing check 'nope' registration", send("PUT", "/v1/session/create",
                "{\"ServiceChecks\":[{\"ID\":\"nope\"}]}").body());

        // The check a session is tied to by default exists, on the bus's own node, as on every Consul agent's.
        JsonObject serf = new JsonArray(send("GET", "/v1/health/node/" + app.settings().nodeName(), null).body()).getJsonObject(0);
        assertEquals("serfHealth", serf.getString("CheckID"));
        assertEquals("passing", serf.getString("Status"));
        String plain = new JsonObject(send("PUT", "/v1/session/create", "{\"Name\":\"plain\"}").body()).getString("ID");
        JsonObject info = new JsonArray(send("GET", "/v1/session/info/" + plain, null).body()).getJsonObject(0);
        assertEquals(Set.of("ID", "Name", "Node", "LockDelay", "Behavior", "TTL", "NodeChecks", "ServiceChecks", "CreateIndex",
                "ModifyIndex"), info.fieldNames(), "the docs' sample: Checks is left out when serfHealth is the only one");
        assertEquals(15_000_000_000L, info.getLong("LockDelay"));
        assertEquals(new JsonArray().add("serfHealth"), info.getJsonArray("NodeChecks"));
        assertEquals("release", info.getString("Behavior"));
        assertEquals("[]", send("GET", "/v1/session/info/" + UUID.randomUUID(), null).body());
        assertEquals(404, send("PUT", "/v1/session/renew/" + UUID.randomUUID(), null).statusCode());
        assertEquals(plain, new JsonArray(send("PUT", "/v1/session/renew/" + plain, null).body()).getJsonObject(0).getString("ID"));

        // A session tied to a service's check ends when the check goes critical, and its lock with it.
        String service = "svc-" + UUID.randomUUID().toString().substring(0, 6);
        assertEquals(200, send("PUT", "/v1/agent/service/register", "{\"Name\":\"" + service + "\",\"ID\":\"" + service + "\","
                + "\"Check\":{\"TTL\":\"60s\",\"Status\":\"passing\"}}").statusCode());
        String tied = new JsonObject(send("PUT", "/v1/session/create", "{\"LockDelay\":\"0s\",\"ServiceChecks\":[{\"ID\":\"service:"
                + service + "\"}]}").body()).getString("ID");
        String lock = key() + "/lock";
        assertEquals("true", send("PUT", "/v1/kv/" + lock + "?acquire=" + tied, "me").body());
        assertEquals(200, send("PUT", "/v1/agent/check/fail/service:" + service, null).statusCode());
        Eventually.until(() -> {
            try {
                return send("GET", "/v1/session/info/" + tied, null).body();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "[]"::equals, Duration.ofSeconds(10), "the session ended with its check");
        assertFalse(new JsonArray(send("GET", "/v1/kv/" + lock, null).body()).getJsonObject(0).containsKey("Session"), "lock released");
        assertEquals("true", send("PUT", "/v1/session/destroy/" + plain, null).body());
    }
}
