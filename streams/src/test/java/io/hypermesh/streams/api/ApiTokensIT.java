package io.hypermesh.streams.api;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With tokens configured, the write APIs answer 401 without one of them; reads stay open. */
@KafkaIT
class ApiTokensIT {
    static final String TOKEN = "writer-token-" + UUID.randomUUID();

    @Test
    void writesNeedATokenAndReadsDoNot(EmbeddedKafka kafka) throws Exception {
        try (BusFixture bus = new BusFixture(kafka);
             StreamsApp app = StreamsApp.start(bus.settings(BusFixture.uniqueAppId()), new HttpRegistryClient(bus.registry.url()),
                     ApiTokens.of(List.of(TOKEN)))) {
            HttpClient http = HttpClient.newHttpClient();
            String svc = "tok-" + UUID.randomUUID().toString().substring(0, 6);
            String body = "{\"ID\":\"" + svc + "-1\",\"Name\":\"" + svc + "\",\"Port\":80}";

            HttpResponse<String> none = http.send(put(app, "/v1/agent/service/register", body, null), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, none.statusCode());
            assertEquals("Bearer realm=\"hypermesh\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
            assertTrue(none.body().contains("writes need an API token"), none.body());
            HttpResponse<String> wrong = http.send(put(app, "/v1/agent/check/pass/service:" + svc + "-1", "",
                    "Bearer not-the-token-at-all"),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrong.statusCode());
            assertTrue(wrong.body().contains("not one this bus accepts"), wrong.body());

            HttpResponse<String> ok = http.send(put(app, "/v1/agent/service/register", body, "Bearer " + TOKEN),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
            String listed = until(() -> get(http, app, "/v1/catalog/service/" + svc), b -> b.contains(svc + "-1"), Duration.ofSeconds(30),
                    "registered with the token, read without one");
            assertTrue(listed.contains("\"" + svc + "\""), listed);

            // KV, sessions and transactions are writes too: configuration and locks need the token.
            for (String path : List.of("/v1/kv/" + svc + "/conf", "/v1/txn", "/v1/session/create")) {
                assertEquals(401, http.send(put(app, path, path.equals("/v1/txn") ? "[]" : "", null), HttpResponse.BodyHandlers.ofString())
                        .statusCode(), path);
            }
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(app.url() + "/v1/kv/" + svc + "/conf")).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals("true", http.send(put(app, "/v1/kv/" + svc + "/conf", "v", "Bearer " + TOKEN),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertTrue(get(http, app, "/v1/kv/" + svc + "/conf").contains("\"Value\":\"dg==\""), "read without one");
        }
    }

    private static HttpRequest put(StreamsApp app, String path, String body, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.url() + path)).PUT(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }

    private static String get(HttpClient http, StreamsApp app, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(app.url() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (Exception e) {
            return "";
        }
    }
}
