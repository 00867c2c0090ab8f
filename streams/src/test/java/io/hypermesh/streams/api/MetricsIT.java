package io.hypermesh.streams.api;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.audit.AuditCheckpoint;
import io.hypermesh.events.audit.AuditContent;
import io.hypermesh.events.audit.AuditEntry;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.lifecycle.PhaseProgress;
import io.hypermesh.events.lifecycle.PhaseState;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.testing.BusFixture;
import io.hypermesh.streams.testing.Scrape;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bus's own families on /metrics, against the real broker: each moves with what it counts,
 * promtool finds nothing to say about them, and every metric the shipped alert rules use is there.
 */
@KafkaIT
class MetricsIT {
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

    static Scrape scrape() {
        Http.Response r = http.get("/metrics");
        assertEquals(200, r.status(), r.body());
        return new Scrape(r.body());
    }

    static void register(String service, String id) {
        assertEquals(200, http.put("/v1/agent/service/register", "{\"ID\":\"" + id + "\",\"Name\":\"" + service
                + "\",\"Port\":8080,\"Check\":{\"TTL\":\"60s\"}}").status());
    }

    @Test
    void instancesChecksAndHealthScoresMoveWithTheRegistry() {
        String svc = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
        register(svc, svc + "-1");
        register(svc, svc + "-2");
        Scrape before = scrape();
        assertEquals(2.0, before.value("hypermesh_service_instances", "service", svc, "status", "critical").orElseThrow(),
                "a new TTL check starts critical");
        assertEquals(0.0, before.value("hypermesh_service_instances", "service", svc, "status", "passing").orElseThrow(),
                "no passing instance is a series at 0, which an alert can see");
        double applied = before.value("hypermesh_events_folded_total", "fold", "registry", "topic", Topics.REGISTRY.name(), "outcome",
                "applied")
                .orElseThrow();
        assertTrue(applied >= 2, "the registrations were folded: " + applied);
        assertTrue(before.value("hypermesh_propagation_seconds_count", "fold", "registry").orElseThrow() >= 2);
        assertTrue(before.value("hypermesh_propagation_seconds_bucket", "fold", "registry", "le", "+Inf").isPresent(), "a histogram");

        assertEquals(200, http.put("/v1/agent/check/pass/service:" + svc + "-1", "").status());
        for (int i = 0; i < 4; i++) {
            assertEquals(200, http.put("/v1/agent/check/fail/service:" + svc + "-2?note=down", "").status());
        }
        Scrape after = until(MetricsIT::scrape, s -> s.value("hypermesh_component_health_score", "component", svc + "-2", "status",
                "unhealthy")
                .isPresent(), Duration.ofSeconds(30), "the failing instance among the worst scores");
        assertEquals(1.0, after.value("hypermesh_service_instances", "service", svc, "status", "passing").orElseThrow());
        assertEquals(1.0, after.value("hypermesh_service_instances", "service", svc, "status", "critical").orElseThrow());
        assertTrue(after.value("hypermesh_components", "status", "unhealthy").orElseThrow() >= 1);
        assertTrue(after.value("hypermesh_events_folded_total", "fold", "health", "outcome", "applied").orElseThrow() >= 5);
        assertTrue(after.value("hypermesh_events_folded_total", "fold", "registry", "outcome", "applied").orElseThrow() >= applied + 5);
        assertTrue(after.value("hypermesh_component_health_score", "component", svc + "-2").orElseThrow() < 50);
        assertTrue(after.all("hypermesh_fold_lag_records", "topic", Topics.REGISTRY.name()).size() >= 1,
                "lag per partition of the registry");
        // Read from the registry at most every 5 s: the folds registered their subjects as they wrote.
        Scrape schemas = until(MetricsIT::scrape, x -> x.value("hypermesh_schema_subjects").orElse(0) >= 3, Duration.ofSeconds(15),
                "the bus's subjects");
        assertTrue(schemas.value("hypermesh_schema_versions").orElseThrow() >= schemas.value("hypermesh_schema_subjects").orElseThrow());
    }

    @Test
    void anUndecodableRecordIsCountedAsADeadLetterWithItsReason() throws Exception {
        Scrape before = scrape();
        double was = before.value("hypermesh_dead_letters_total", "topic", Topics.HEALTH_CHECKS.name(), "reason", "undecodable").orElse(0);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(bus.kafka.clientConfig(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.HEALTH_CHECKS.name(), "x".getBytes(), "{\"not\":\"avro\"}".getBytes())).get();
        }
        Scrape after = until(MetricsIT::scrape, s -> s.value("hypermesh_dead_letters_total", "topic", Topics.HEALTH_CHECKS.name(),
                "reason", "undecodable").orElse(0) == was + 1, Duration.ofSeconds(30), "one more dead letter");
        assertTrue(after.value("hypermesh_events_folded_total", "fold", "health", "outcome", "undecodable").orElseThrow() >= 1);
    }

    @Test
    void phasesAndThePlatformStateFollowTheCoordinatorsReports() {
        // A name of its own: the test may run twice on the same bus, and a scrape must show this run's reports.
        String name = "metrics-phase-" + UUID.randomUUID().toString().substring(0, 6);
        Instant started = Instant.now().minusSeconds(3);
        try (BusPublisher publisher = BusPublisher.idempotent(bus.kafka.access(), new HttpRegistryClient(bus.registry.url()))) {
            EventSource coordinator = new EventSource("coordinator-it", ComponentKind.COORDINATOR);
            publisher.publish(Topics.LIFECYCLE, "phase-6", Envelopes.wrap(Topics.LIFECYCLE, UUID.randomUUID().toString(), coordinator,
                    started,
                    new PhaseProgress(6, name, 0, 2, PhaseState.RUNNING))).join();
            publisher.publish(Topics.LIFECYCLE, "phase-6", Envelopes.wrap(Topics.LIFECYCLE, UUID.randomUUID().toString(), coordinator,
                    started.plusSeconds(2), new PhaseProgress(6, name, 2, 2, PhaseState.DEGRADED))).join();
        }
        // The platform's state comes from every phase's run, read apart from this instance's: wait for both.
        Scrape s = until(MetricsIT::scrape, x -> x.value("hypermesh_phase_state", "name", name, "state", "DEGRADED").orElse(0) == 1
                && x.value("hypermesh_platform_state", "state", "DEGRADED").orElse(0) == 1, Duration.ofSeconds(30), "phase 6 degraded");
        assertEquals(0.0, s.value("hypermesh_phase_state", "phase", "6", "state", "RUNNING").orElseThrow());
        assertEquals(name, s.all("hypermesh_phase_state", "phase", "6").get(0).labels().get("name"), "the phase's name from the spec");
        assertEquals(2.0, s.value("hypermesh_phase_duration_seconds", "phase", "6").orElseThrow(), 0.001, "RUNNING to DEGRADED");
        assertEquals(1.0, s.value("hypermesh_platform_state", "state", "DEGRADED").orElseThrow());
        assertEquals(0.0, s.value("hypermesh_platform_state", "state", "RUNNING").orElseThrow());
    }

    @Test
    void eachAdaptersAuditTrailShowsItsLengthAndNewestCheckpoint() {
        String adapter = "metrics-adapter-" + UUID.randomUUID().toString().substring(0, 6);
        try (BusPublisher publisher = BusPublisher.idempotent(bus.kafka.access(), new HttpRegistryClient(bus.registry.url()))) {
            EventSource source = new EventSource(adapter, ComponentKind.TRANSPORT);
            for (long seq = 1; seq <= 3; seq++) {
                ByteBuffer content = encode(new AuditContent(adapter, seq, "it", "publish", "somewhere", AuditOutcome.SUCCESS, Map.of()));
                publisher.publish(Topics.AUDIT, adapter, Envelopes.wrap(Topics.AUDIT, source,
                        new AuditEntry(2, adapter, seq, content, ByteBuffer.wrap(new byte[32])))).join();
                if (seq == 2) {
                    publisher.publish(Topics.AUDIT, adapter, Envelopes.wrap(Topics.AUDIT, source, new AuditCheckpoint(adapter, 2L,
                            ByteBuffer.wrap(new byte[32]), ByteBuffer.wrap(new byte[32]), "Ed25519", "k1",
                                    ByteBuffer.wrap(new byte[64])))).join();
                }
            }
        }
        Scrape s = until(MetricsIT::scrape, x -> x.value("hypermesh_adapter_audit_records", "adapter", adapter).orElse(0) == 3,
                Duration.ofSeconds(30), "three records in the trail");
        assertEquals(2.0, s.value("hypermesh_adapter_audit_checkpointed_records", "adapter", adapter).orElseThrow());
        double at = s.value("hypermesh_adapter_audit_last_checkpoint_timestamp_seconds", "adapter", adapter).orElseThrow();
        assertTrue(Math.abs(at - System.currentTimeMillis() / 1000.0) < 60, "the checkpoint's time, in seconds: " + at);
    }

    private static ByteBuffer encode(AuditContent content) {
        try {
            return AuditContent.getEncoder().encode(content);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void openBlockingQueriesAreCounted() throws Exception {
        String svc = "metrics-watch-" + UUID.randomUUID().toString().substring(0, 6);
        register(svc, svc + "-1");
        String index = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(app.url() + "/v1/catalog/service/" + svc)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding())
                .headers().firstValue("X-Consul-Index").orElseThrow();
        double was = scrape().value("hypermesh_api_watches", "kind", "blocking_query").orElseThrow();
        CompletableFuture<?> watching = CompletableFuture.runAsync(() -> http.get("/v1/catalog/service/" + svc + "?index=" + index
                + "&wait=20s"));
        until(MetricsIT::scrape, s -> s.value("hypermesh_api_watches", "kind", "blocking_query").orElse(0) == was + 1,
                Duration.ofSeconds(10), "one more blocking query open");
        register(svc, svc + "-2"); // wakes it
        watching.get(20, TimeUnit.SECONDS);
        until(MetricsIT::scrape, s -> s.value("hypermesh_api_watches", "kind", "blocking_query").orElse(-1) == was,
                Duration.ofSeconds(10), "closed again");
    }

    /** The gauges of instances, phases and trails have series once there is something to show (tests run in any order). */
    private void everyFamilyHasSomethingToShow() throws Exception {
        instancesChecksAndHealthScoresMoveWithTheRegistry();
        phasesAndThePlatformStateFollowTheCoordinatorsReports();
        eachAdaptersAuditTrailShowsItsLengthAndNewestCheckpoint();
    }

    /** promtool's own lint of the scrape: nothing about our families (Kafka's and the JVM's are not ours to rename). */
    @Test
    void promtoolFindsNothingToSayAboutTheBusFamilies() throws Exception {
        everyFamilyHasSomethingToShow();
        Scrape s = scrape();
        Set<String> ours = s.families("hypermesh_");
        assertTrue(ours.size() >= 8, "at least 8 hypermesh_* families: " + ours);
        for (String family : ours) {
            assertTrue(s.help(family) != null && !s.help(family).isBlank(), family + " has HELP text");
        }
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(s.text().getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(30, TimeUnit.SECONDS), "promtool finished");
        List<String> aboutOurs = out.lines().filter(l -> l.contains("hypermesh_")).toList();
        assertTrue(aboutOurs.isEmpty(), "promtool on our families:\n" + String.join("\n", aboutOurs));
    }

    /** The shipped alert rules read only metrics the bus exports: a renamed metric would leave a rule that never fires. */
    @Test
    void everyMetricTheAlertRulesUseIsExported() throws Exception {
        String rules = Files.readString(Path.of("..", "docker", "alerts.yml"));
        Matcher m = Pattern.compile("hypermesh_[a-z_]+").matcher(rules);
        Set<String> used = new java.util.TreeSet<>();
        while (m.find()) {
            used.add(m.group());
        }
        assertTrue(used.size() >= 5, "the rules use the bus's metrics: " + used);
        everyFamilyHasSomethingToShow();
        Scrape s = scrape();
        for (String metric : used) {
            assertTrue(!s.all(metric).isEmpty(), metric + " is in /metrics (used by docker/alerts.yml)");
        }
    }
}
