package io.hypermesh.streams.api;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances of the folds on a broker of their own (fresh topics): a blocking query on one
 * returns when the other applies a change it shows, because the change is pushed (the fallback look
 * at the index is set far beyond the query's wait), and the first change a view ever sees moves its
 * index from 1.
 */
class PeerChangesIT {
    private static final String FALLBACK = "hypermesh.api.peer-poll-ms";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aBlockingQueryOnOneInstanceReturnsWhenTheOtherAppliesTheChange() throws Exception {
        System.setProperty(FALLBACK, "600000");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0); BusFixture bus = new BusFixture(kafka)) {
            String appId = BusFixture.uniqueAppId();
            StreamsApp writer = bus.start(bus.settings(appId));
            StreamsApp reader = bus.start(bus.settings(appId));
            until(() -> writer.state() == KafkaStreams.State.RUNNING && reader.state() == KafkaStreams.State.RUNNING
                            && new Http(reader.url()).get("/v1/agent/members").json().size() == 2, ok -> ok,
                    Duration.ofSeconds(90), "both instances running and each other's members");
            Thread.sleep(3_000); // each follows the other from its next look at the members (every second)

            String service = "pushed";
            HttpResponse<String> before = get(reader, "/v1/catalog/service/" + service);
            assertEquals("[]", before.body());
            String index = index(before);
            assertEquals("1", index, "a view nothing touched yet");
            // Eight instances spread over the partitions, so some are applied by the writer's folds and
            // some by the reader's: every one must wake the reader's query within its wait.
            for (int i = 0; i < 8; i++) {
                String id = service + "-" + i;
                CompletableFuture<HttpResponse<String>> blocked = http.sendAsync(HttpRequest.newBuilder(URI.create(reader.url()
                        + "/v1/catalog/service/" + service + "?index=" + index + "&wait=5m")).build(),
                                HttpResponse.BodyHandlers.ofString());
                Http.Response registered = new Http(writer.url()).put("/v1/agent/service/register",
                        "{\"ID\":\"" + id + "\",\"Name\":\"" + service + "\",\"Port\":" + (8000 + i) + "}");
                assertEquals(200, registered.status(), registered.body());
                // Woken by the change, not by the end of its 5-minute wait.
                HttpResponse<String> woken = blocked.get(60, TimeUnit.SECONDS);
                assertTrue(woken.body().contains("\"ServiceID\":\"" + id + "\""),
                        "the query at index " + index + " returned with " + id + " (the first change of a partition included): "
                                + woken.body());
                assertTrue(Long.parseLong(index(woken)) > Long.parseLong(index), index(woken) + " after " + index);
                index = index(woken);
            }
        } finally {
            System.clearProperty(FALLBACK);
        }
    }

    private HttpResponse<String> get(StreamsApp app, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(app.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String index(HttpResponse<String> r) {
        return r.headers().firstValue("X-Consul-Index").orElseThrow();
    }
}
