package io.hypermesh.streams.anomaly;

import com.fasterxml.jackson.databind.JsonNode;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.anomaly.AnomalyCleared;
import io.hypermesh.events.anomaly.AnomalyDetected;
import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.security.SecurityAlert;
import io.hypermesh.events.security.SecurityEngine;
import io.hypermesh.events.security.Severity;
import io.hypermesh.events.transport.LinkTelemetry;
import io.hypermesh.events.transport.TransportEvent;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.events.SeriesKeys;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import io.hypermesh.streams.testing.Eventually;
import io.hypermesh.streams.testing.Scrape;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The anomaly fold end to end on a real broker: link telemetry with a latency step opens one
 * anomaly, seen in the API and the metrics within a second of the step's first event, and clears
 * it; folds started afresh on the same log give the same anomalies.
 */
@KafkaIT
class AnomalyIT {
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    static BusFixture bus;

    @BeforeAll
    static void start(EmbeddedKafka kafka) {
        bus = new BusFixture(kafka);
    }

    @AfterAll
    static void stop() {
        bus.close();
    }

    static void telemetry(BusPublisher writer, String link, int from, int to, double level) {
        SplittableRandom noise = new SplittableRandom(from);
        for (int i = from; i < to; i++) {
            Instant at = T0.plusSeconds(i);
            TransportEvent event = Envelopes.wrap(Topics.TRANSPORT, link + ":" + i,
                    new EventSource("transport-it", ComponentKind.TRANSPORT), at,
                    new LinkTelemetry(link, "a", "b", level + noise.nextDouble(-0.5, 0.5), 0.1, 0.0, 1_000_000L));
            writer.publish(new ProducerRecord<>(Topics.TRANSPORT.name(), null, at.toEpochMilli(), link, event));
        }
        writer.flush();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aLatencyStepOpensOneAnomalySeenWithinASecondClearsItAndAReplayGivesTheSame() throws Exception {
        StreamsApp first = bus.start(bus.settings(BusFixture.uniqueAppId()));
        Http http = new Http(first.url());
        String link = "link-" + UUID.randomUUID().toString().substring(0, 8);
        String series = SeriesKeys.of("link_latency_ms", Map.of("link", link, "node", "a", "peer", "b"));
        try (BusPublisher writer = BusPublisher.idempotent(bus.kafka.access(), new HttpRegistryClient(bus.registry.url()))) {
            telemetry(writer, link, 0, 400, 10);
            Eventually.until(() -> http.get("/v1/hypermesh/series?key=" + encode(series)),
                    r -> r.status() == 200 && r.json().get("Points").asLong() == 400, Duration.ofSeconds(60), "400 points judged");

            long stepSent = System.nanoTime();
            telemetry(writer, link, 400, 401, 30);
            JsonNode open = Eventually.until(() -> http.get("/v1/hypermesh/anomalies?open&series=link_latency_ms").json(),
                    list -> hasSubject(list, series), Duration.ofSeconds(10), "the anomaly open in the API");
            double seenInApi = (System.nanoTime() - stepSent) / 1e9;
            Scrape metrics = Eventually.until(() -> new Scrape(http.get("/metrics").body()),
                    s -> s.value("hypermesh_anomalies_open", "detector", "series-context").orElse(0) >= 1
                            && s.value("hypermesh_anomalies_total", "detector", "series-context").orElse(0) >= 1,
                    Duration.ofSeconds(10), "the anomaly in the metrics");
            double seenInMetrics = (System.nanoTime() - stepSent) / 1e9;
            assertTrue(seenInApi < 1.0 && seenInMetrics < 1.0, "seen in the API after " + seenInApi + " s, the metrics after "
                    + seenInMetrics + " s: " + metrics.text().length());
            JsonNode anomaly = find(open, series);
            assertEquals(T0.plusSeconds(400).toString(), anomaly.get("OpenedAt").asText());
            assertTrue(anomaly.get("Value").asDouble() > 29, anomaly.toString());
            assertEquals("step", anomaly.get("Evidence").get("novelty").asText());

            telemetry(writer, link, 401, 440, 30);
            Eventually.until(() -> http.get("/v1/hypermesh/anomalies?series=" + encode(series)).json(),
                    list -> list.size() == 1 && !list.get(0).get("Open").asBoolean(), Duration.ofSeconds(30), "the anomaly cleared");
            JsonNode view = http.get("/v1/hypermesh/series?key=" + encode(series)).json();
            assertEquals(AnomalyTopology.RECENT_POINTS, view.get("Recent").size());
            assertTrue(view.get("Recent").findValuesAsText("AnomalyID").contains(anomaly.get("AnomalyID").asText()), view.toString());
        }
        // The folds' lag is a series of the bus's own, sampled every 10 s by each instance.
        JsonNode all = Eventually.until(() -> http.get("/v1/hypermesh/series").json(), list -> list.findValuesAsText("SeriesKey").stream()
                .anyMatch(k -> k.startsWith("fold_lag_records{") && k.contains("topic=\"" + Topics.TRANSPORT.name() + "\"")),
                Duration.ofSeconds(40), "the fold lag series");
        assertTrue(all.size() > 1, all.toString());
        List<AnomalyEvent> firstRun = anomalies(series, first.settings().applicationId(), 2);
        assertEquals(List.of(AnomalyDetected.class, AnomalyCleared.class), firstRun.stream().map(e -> e.getPayload().getClass()).toList());

        StreamsApp replay = bus.start(bus.settings(BusFixture.uniqueAppId()));
        List<AnomalyEvent> replayed = anomalies(series, replay.settings().applicationId(), 2);
        for (int i = 0; i < 2; i++) {
            assertEquals(firstRun.get(i).getEventId(), replayed.get(i).getEventId());
            assertEquals(firstRun.get(i).getOccurredAt(), replayed.get(i).getOccurredAt());
            assertEquals(firstRun.get(i).getPayload(), replayed.get(i).getPayload());
        }
    }

    static void exec(BusPublisher writer, String workload, String path, Instant at) {
        SecurityAlert alert = new SecurityAlert(SecurityEngine.FALCO, "Spawned process", Severity.NOTICE, "spawned " + path, "node-1",
                "c1", path, Map.of("evt.type", "execve", "proc.exepath", path, "proc.pexepath", "/bin/sh",
                "container.image.repository", workload));
        writer.publish(new ProducerRecord<>(Topics.SECURITY.name(), null, at.toEpochMilli(), "node-1", Envelopes.wrap(Topics.SECURITY,
                UUID.randomUUID().toString(), new EventSource("security-it", ComponentKind.SECURITY_AGENT), at, alert)));
        writer.flush();
    }

    @Test
    void aWorkloadsNewExecIsFlaggedListedAndClearedWhenAPersonAcceptsIt() throws Exception {
        StreamsApp app = bus.start(bus.settings(BusFixture.uniqueAppId()));
        Http http = new Http(app.url());
        String workload = "registry.local/it-" + UUID.randomUUID().toString().substring(0, 8);
        String query = "?workload=" + encode(workload);
        try (BusPublisher writer = BusPublisher.idempotent(bus.kafka.access(), new HttpRegistryClient(bus.registry.url()))) {
            exec(writer, workload, "/usr/local/bin/app", T0);
            Eventually.until(() -> http.get("/v1/hypermesh/workloads/baseline" + query), r -> r.status() == 200
                    && r.json().get("Learned").asLong() == 1, Duration.ofSeconds(30), "the workload learning");
            // Two hours later, past its learning hour: a new exec is flagged at its first event.
            exec(writer, workload, "/bin/nc", T0.plusSeconds(7_200));
            JsonNode open = Eventually.until(() -> http.get("/v1/hypermesh/anomalies?open&series=" + encode(workload)).json(),
                    list -> list.size() == 1, Duration.ofSeconds(30), "the new exec flagged");
            assertEquals("WORKLOAD", open.get(0).get("SubjectKind").asText());
            assertEquals("exec /bin/nc <- /bin/sh", open.get(0).get("Evidence").get("behaviour").asText());
            assertEquals("LEARNED", http.get("/v1/hypermesh/workloads/baseline" + query).json().get("State").asText());

            Http.Response accepted = http.put("/v1/hypermesh/workloads/accept" + query + "&behaviour=" + encode("exec /bin/nc <- /bin/sh"),
                    "");
            assertEquals(200, accepted.status(), accepted.body());
            assertTrue(accepted.json().get("By").asText().startsWith("client "), accepted.body());
            Eventually.until(() -> http.get("/v1/hypermesh/anomalies?open&series=" + encode(workload)).json(), JsonNode::isEmpty,
                    Duration.ofSeconds(30), "the anomaly cleared by the acceptance");
            assertEquals(200, http.put("/v1/hypermesh/workloads/lock" + query, "").status());
            Eventually.until(() -> http.get("/v1/hypermesh/workloads/baseline" + query).json(),
                    w -> w.get("State").asText().equals("LOCKED") && w.get("Behaviours").size() == 2, Duration.ofSeconds(30), "locked");
            assertEquals(400, http.put("/v1/hypermesh/workloads/accept" + query, "").status(), "accept names a behaviour");
            Http.Response tooLong = http.put("/v1/hypermesh/workloads/lock?workload=" + "w".repeat(1_025), "");
            assertEquals(400, tooLong.status(), "a workload name is at most 1,024 characters: " + tooLong.body());
            assertEquals(400, http.put("/v1/hypermesh/workloads/lock?workload=a%0Ab", "").status(), "no control characters");
            assertEquals(404, http.get("/v1/hypermesh/workloads/baseline?workload=nothing-" + UUID.randomUUID()).status());
        }
        bus.stop(app);
    }

    static boolean hasSubject(JsonNode list, String series) {
        return find(list, series) != null;
    }

    static JsonNode find(JsonNode list, String series) {
        for (JsonNode a : list) {
            if (a.get("Subject").asText().equals(series)) {
                return a;
            }
        }
        return null;
    }

    /** The anomalies one application wrote for {@code series}, once it has written {@code count}. */
    static List<AnomalyEvent> anomalies(String series, String applicationId, int count) {
        Map<String, Object> config = new HashMap<>(bus.kafka.clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, AnomalyEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroDeserializer<>(new HttpRegistryClient(bus.registry.url()), AnomalyEvent.class))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < Topics.ANOMALIES.partitions(); p++) {
                partitions.add(new TopicPartition(Topics.ANOMALIES.name(), p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<AnomalyEvent> found = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, AnomalyEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key().equals(series) && r.value().getSource().getComponentId().equals(applicationId)) {
                        found.add(r.value());
                    }
                }
            }
            assertEquals(count, found.size(), "anomalies of " + series + " by " + applicationId + ": " + found);
            return found;
        }
    }
}
