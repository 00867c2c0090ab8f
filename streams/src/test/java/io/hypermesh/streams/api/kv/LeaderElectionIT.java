package io.hypermesh.streams.api.kv;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import io.hypermesh.streams.testing.Eventually;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leader election through sessions, as Consul's docs teach it, with three contenders in processes
 * of their own: one wins; its process is killed (no goodbye, its session just stops being renewed);
 * another wins after the session lapses and the lock-delay passes. The key's history, folded from
 * the log, shows the lock never went from one holder to another without a release between.
 */
@KafkaIT
class LeaderElectionIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anotherContenderLeadsAfterTheLeadersProcessDies(EmbeddedKafka kafka) throws Exception {
        try (BusFixture bus = new BusFixture(kafka)) {
            StreamsApp app = bus.start(bus.settings(BusFixture.uniqueAppId()));
            base = app.url();
            String key = "election/" + java.util.UUID.randomUUID().toString().substring(0, 8) + "/leader";
            Map<String, Process> contenders = new ConcurrentHashMap<>();
            Map<String, Long> heldAt = new ConcurrentHashMap<>();
            try {
                for (String name : List.of("alpha", "beta", "gamma")) {
                    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp",
                            System.getProperty("java.class.path"), LockContender.class.getName(), app.url(), key, name)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    contenders.put(name, p);
                    Thread reader = new Thread(() -> follow(p, heldAt));
                    reader.setDaemon(true);
                    reader.start();
                }
                String leader = Eventually.until(() -> heldAt.keySet().stream().findFirst().orElse(null), n -> n != null,
                        Duration.ofSeconds(30), "a first leader");
                assertEquals(leader, value(key), "the lock's value names its holder");
                Thread.sleep(2_000);
                assertEquals(1, heldAt.size(), "one leader while it lives: " + heldAt.keySet());

                long killed = System.nanoTime();
                contenders.get(leader).destroyForcibly().waitFor();
                String next = Eventually.until(() -> heldAt.keySet().stream().filter(n -> !n.equals(leader)).findFirst().orElse(null),
                        n -> n != null, Duration.ofSeconds(40), "a new leader");
                long took = heldAt.get(next) - killed;
                // The session lapses 10 to 20 s after its last renewal (at most 3 s before the kill), then the lock-delay of 3 s.
                assertTrue(took >= Duration.ofSeconds(7 + 3).toNanos(), "not before the session lapsed and the lock-delay passed: "
                        + Duration.ofNanos(took));
                assertTrue(took <= Duration.ofSeconds(20 + 3 + 3).toNanos(), "within twice the TTL and the delay: "
                        + Duration.ofNanos(took));
                assertNotEquals(leader, next);
                assertEquals(next, value(key));
                assertEquals(2, heldAt.size(), "the third still waits: " + heldAt.keySet());

                // The log's account, through the key's history: every change of holder passes through a release.
                JsonArray versions = new JsonObject(get("/v1/hypermesh/kv/" + key + "/history", app).body()).getJsonArray("Versions");
                List<String> holders = new ArrayList<>();
                for (int i = 0; i < versions.size(); i++) {
                    holders.add(versions.getJsonObject(i).getString("Session"));
                }
                for (int i = 1; i < holders.size(); i++) {
                    String before = holders.get(i - 1);
                    String after = holders.get(i);
                    assertTrue(before == null || after == null || before.equals(after), "two holders at once: " + holders);
                }
                assertEquals(3, holders.size(), "held, released by the lapse, held again: " + holders);
                assertNull(holders.get(1));
                assertEquals("session-release", versions.getJsonObject(1).getString("Verb"));
            } finally {
                contenders.values().forEach(Process::destroyForcibly);
            }
        }
    }

    private static void follow(Process p, Map<String, Long> heldAt) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("HOLD ")) {
                    heldAt.putIfAbsent(line.substring(5), System.nanoTime());
                }
            }
        } catch (java.io.IOException e) {
            // The process was killed.
        }
    }

    private String value(String key) throws Exception {
        HttpResponse<String> raw = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key + "?raw")).build(),
                HttpResponse.BodyHandlers.ofString());
        return raw.body();
    }

    private String base;

    private HttpResponse<String> get(String path, StreamsApp app) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(app.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
