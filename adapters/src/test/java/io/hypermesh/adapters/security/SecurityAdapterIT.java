package io.hypermesh.adapters.security;

import io.hypermesh.adapters.AdapterHost;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.testing.BusForAdapters;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.audit.AuditEvent;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.events.security.SecurityAlert;
import io.hypermesh.events.security.SecurityEngine;
import io.hypermesh.events.security.SecurityEvent;
import io.hypermesh.events.security.Severity;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Falco alerts over HTTP and Tetragon export lines from a file, good and malformed, through to the bus. */
@KafkaIT
class SecurityAdapterIT {
    @Test
    void alertsArePublishedAndBadInputIsRefusedOrDeadLettered(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        BusForAdapters bus = new BusForAdapters(kafka);
        AuditedPublisher.Settings settings = bus.settings("security-it", ComponentKind.SECURITY_AGENT, dir);
        Path export = dir.resolve("tetragon.log");
        Files.writeString(export, "{\"process_exec\":{\"process\":{\"binary\":\"/old\"}},\"node_name\":\"before-start\"}\n");
        SecurityAdapter[] adapter = new SecurityAdapter[1];
        try (AdapterHost host = AdapterHost.run(settings, 3, publisher -> adapter[0] = new SecurityAdapter(publisher,
                new SecurityAdapter.Settings("127.0.0.1", 0, List.of(export), false, Duration.ofMillis(100))), Duration.ofSeconds(1), true);
             BusForAdapters.Reader<SecurityEvent> security = bus.read(Topics.SECURITY.name(), SecurityEvent.class);
             BusForAdapters.Reader<DeadLetterEvent> dead = bus.read(Topics.DEAD_LETTERS.name(), DeadLetterEvent.class);
             BusForAdapters.Reader<AuditEvent> audit = bus.read(Topics.AUDIT.name(), AuditEvent.class)) {
            HttpClient http = HttpClient.newHttpClient();
            URI falco = URI.create("http://127.0.0.1:" + adapter[0].falcoPort() + "/falco");
            HttpResponse<String> ok =
                    http.send(HttpRequest.newBuilder(falco).POST(HttpRequest.BodyPublishers.ofString(SecurityInputTest.FALCO))
                    .header("content-type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, ok.statusCode(), ok.body());
            SecurityAlert alert = (SecurityAlert) security.await(r -> r.value().getSource().getComponentId().equals(settings.adapterId())
                    && ((SecurityAlert) r.value().getPayload()).getEngine() == SecurityEngine.FALCO, Duration.ofSeconds(10),
                            "the Falco alert")
                    .value().getPayload();
            assertEquals(Severity.WARNING, alert.getSeverity());
            assertEquals("Read sensitive file untrusted", alert.getRule());

            for (String bad : List.of("{not json", "{\"rule\":\"r\",\"priority\":\"Loud\",\"output\":\"x\"}", "")) {
                HttpResponse<String> refused =
                        http.send(HttpRequest.newBuilder(falco).POST(HttpRequest.BodyPublishers.ofString(bad)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(400, refused.statusCode(), bad);
                assertTrue(refused.body().contains("invalid Falco alert"), refused.body());
            }
            HttpResponse<String> tooBig = http.send(HttpRequest.newBuilder(falco).POST(HttpRequest.BodyPublishers.ofString("x".repeat(2
                    << 20))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, tooBig.statusCode());
            assertTrue(tooBig.body().contains("\"message\":\"request body larger than "), tooBig.body());

            Files.writeString(export, SecurityInputTest.TETRAGON_KPROBE + "\n{\"process_exec\": broken\n", StandardOpenOption.APPEND);
            SecurityAlert kprobe = (SecurityAlert) security.await(r -> r.value().getSource().getComponentId().equals(settings.adapterId())
                    && ((SecurityAlert) r.value().getPayload()).getEngine() == SecurityEngine.TETRAGON, Duration.ofSeconds(10),
                            "the Tetragon alert")
                    .value().getPayload();
            assertEquals(Severity.CRITICAL, kprobe.getSeverity());
            assertEquals("kind-worker", kprobe.getHost(), "lines already in the file before the adapter started are not replayed");
            DeadLetter letter = (DeadLetter) dead.await(r -> r.value().getSource().getComponentId().equals(settings.adapterId()),
                    Duration.ofSeconds(10), "the malformed export line").value().getPayload();
            assertEquals("file:" + export, letter.getSourceTopic());
            assertEquals(3, letter.getOffset(), "line number in the file");
            assertEquals("{\"process_exec\": broken", StandardCharsets.UTF_8.decode(letter.getValue()).toString());
            assertTrue(letter.getReason().startsWith("not JSON"), letter.getReason());

            // A partial line is held until its newline arrives.
            Files.writeString(export, "{\"process_exit\":{\"process\":{\"binary\":\"/bin/late\"}},", StandardOpenOption.APPEND);
            Thread.sleep(400);
            Files.writeString(export, "\"node_name\":\"late-node\"}\n", StandardOpenOption.APPEND);
            security.await(r -> "late-node".equals(((SecurityAlert) r.value().getPayload()).getHost()), Duration.ofSeconds(10),
                    "the line completed later");

            audit.await(r -> io.hypermesh.adapters.audit.AuditTrail.content(r.value().getPayload()).filter(a ->
                    a.getAdapterId().equals(settings.adapterId())
                    && a.getAction().equals("security.falco-rejected") && a.getOutcome() == AuditOutcome.DENIED).isPresent(),
                            Duration.ofSeconds(10),
                    "the refused alert audited");
            audit.await(r -> io.hypermesh.adapters.audit.AuditTrail.content(r.value().getPayload()).filter(a ->
                    a.getAdapterId().equals(settings.adapterId())
                    && a.getAction().equals("security.alert") && a.getActor().equals("falco:node-7")).isPresent(), Duration.ofSeconds(10),
                    "the Falco alert audited with Falco's host as actor");
        }
    }

    /**
     * Issue 18: the tail continues where the last run's published lines end, across a rotation
     * while it was down and one while it runs: every line once, none from before its first start.
     */
    @Test
    void theTetragonTailResumesWithoutSkippingOrRepeatingLines(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        BusForAdapters bus = new BusForAdapters(kafka);
        AuditedPublisher.Settings settings = bus.settings("tetragon-resume", ComponentKind.SECURITY_AGENT, dir);
        Path export = dir.resolve("tetragon.log");
        append(export, "before-first-start");
        try (BusForAdapters.Reader<SecurityEvent> security = bus.read(Topics.SECURITY.name(), SecurityEvent.class)) {
            try (AdapterHost host = tetragonOnly(settings, export)) {
                Thread.sleep(300); // the first pass starts at the end of what is there
                append(export, "n1", "n2", "n3");
                awaitHost(security, settings, "n3");
            }
            // Down: more lines, then a rotation (the writer finishes the old file, then starts a new one).
            append(export, "n4", "n5");
            Path rotated = dir.resolve("tetragon.log.1");
            Files.move(export, rotated);
            append(rotated, "n6");
            append(export, "n7", "n8");
            try (AdapterHost host = tetragonOnly(settings, export)) {
                awaitHost(security, settings, "n8");
                // Rotated while running, with the old file's last line still to come.
                append(export, "n9");
                awaitHost(security, settings, "n9");
                Files.move(export, dir.resolve("tetragon.log.2"));
                append(dir.resolve("tetragon.log.2"), "n10");
                append(export, "n11");
                awaitHost(security, settings, "n11");
                List<String> hosts = security.all(Duration.ofSeconds(1)).stream()
                        .filter(r -> r.value().getSource().getComponentId().equals(settings.adapterId()))
                        .map(r -> ((SecurityAlert) r.value().getPayload()).getHost())
                        // Alerts are keyed (and so partitioned) by what they are about: order holds per key only.
                        .sorted(java.util.Comparator.comparingInt((String h) -> Integer.parseInt(h.substring(1)))).toList();
                assertEquals(List.of("n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "n11"), hosts,
                        "each line once, across two runs and two rotations, and none from before the first start");
            }
        }
    }

    /**
     * Issue 30: each decision on a workload baseline (a BaselineChanged the query API wrote) is in the
     * security adapter's signed audit trail with who took it, once, across a restart; so is each
     * change of Connect policy (issue 31).
     */
    @Test
    void decisionsOnWorkloadBaselinesAreAuditedOnceWithWhoTookThem(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        BusForAdapters bus = new BusForAdapters(kafka);
        AuditedPublisher.Settings settings = bus.settings("baselines-it", ComponentKind.SECURITY_AGENT, dir);
        String workload = "registry.local/audit-" + java.util.UUID.randomUUID().toString().substring(0, 6);
        Path export = dir.resolve("tetragon.log");
        append(export);
        try (io.hypermesh.schemas.publish.BusPublisher api = io.hypermesh.schemas.publish.BusPublisher.idempotent(
                io.hypermesh.schemas.kafka.KafkaAccess.to(kafka.bootstrapServers()), bus.registry);
             BusForAdapters.Reader<AuditEvent> audit = bus.read(Topics.AUDIT.name(), AuditEvent.class)) {
            decide(api, workload, io.hypermesh.events.anomaly.BaselineAction.ACCEPT, "exec /bin/nc <- /bin/sh");
            // Issue 31: a change of Connect policy is audited the same way, with who made it.
            String db = "db-" + java.util.UUID.randomUUID().toString().substring(0, 6);
            api.publish(Topics.INTENTIONS, "default/web => default/" + db, io.hypermesh.schemas.events.Envelopes.wrap(Topics.INTENTIONS,
                    new io.hypermesh.events.EventSource("api", ComponentKind.STREAMS),
                    new io.hypermesh.events.connect.IntentionWritten("", "default", "web", "default", db, "consul", "deny", List.of(), "",
                            java.util.Map.of(), java.time.Instant.now(), 0L, null, "bob"))).get(30, TimeUnit.SECONDS);
            // Issue 32: so is every KV write asked of the KV fold.
            String key = "config/" + db;
            api.publish(Topics.KV, key, io.hypermesh.schemas.events.Envelopes.wrap(Topics.KV,
                    new io.hypermesh.events.EventSource("api", ComponentKind.STREAMS),
                    new io.hypermesh.events.kv.KvTxnRequested(List.of(new io.hypermesh.events.kv.KvOp("set", key, null, 0L, 0L, null)),
                            "carol"))).get(30, TimeUnit.SECONDS);
            try (AdapterHost host = tetragonOnly(settings, export)) {
                awaitDecision(audit, settings, workload, "baseline accept", "alice");
                awaitDecision(audit, settings, "web => " + db, "intention write", "bob");
                awaitDecision(audit, settings, key, "kv write", "carol");
            }
            decide(api, workload, io.hypermesh.events.anomaly.BaselineAction.LOCK, null);
            try (AdapterHost host = tetragonOnly(settings, export)) {
                awaitDecision(audit, settings, workload, "baseline lock", "alice");
                Thread.sleep(1_000);
            }
            List<String> audited = audit.all(Duration.ofSeconds(1)).stream()
                    .map(r -> io.hypermesh.adapters.audit.AuditTrail.content(r.value().getPayload()))
                    .flatMap(java.util.Optional::stream)
                    .filter(a -> a.getAdapterId().equals(settings.adapterId()) && a.getTarget().equals(workload))
                    .map(a -> a.getActor() + " " + a.getAction() + " " + a.getDetails().getOrDefault("behaviour", "-")).toList();
            assertEquals(List.of("alice baseline accept exec /bin/nc <- /bin/sh", "alice baseline lock -"), audited,
                    "each decision once, across the restart");
        }
    }

    private static void decide(io.hypermesh.schemas.publish.BusPublisher api, String workload,
                               io.hypermesh.events.anomaly.BaselineAction action, String behaviour) throws Exception {
        api.publish(Topics.ANOMALIES, workload, io.hypermesh.schemas.events.Envelopes.wrap(Topics.ANOMALIES,
                new io.hypermesh.events.EventSource("api", ComponentKind.STREAMS),
                new io.hypermesh.events.anomaly.BaselineChanged(workload, action, behaviour, "alice"))).get(30, TimeUnit.SECONDS);
    }

    private static void awaitDecision(BusForAdapters.Reader<AuditEvent> audit, AuditedPublisher.Settings settings, String target,
                                      String action, String actor) {
        audit.await(r -> io.hypermesh.adapters.audit.AuditTrail.content(r.value().getPayload()).filter(a ->
                a.getAdapterId().equals(settings.adapterId()) && a.getTarget().equals(target) && a.getAction().equals(action)
                        && a.getActor().equals(actor)).isPresent(), Duration.ofSeconds(30), action + " audited");
    }

    private static AdapterHost tetragonOnly(AuditedPublisher.Settings settings, Path export) {
        return AdapterHost.run(settings, 3, publisher -> new SecurityAdapter(publisher,
                new SecurityAdapter.Settings(null, 0, List.of(export), false, Duration.ofMillis(100))), Duration.ofSeconds(1), true);
    }

    private static void append(Path file, String... hosts) throws java.io.IOException {
        StringBuilder lines = new StringBuilder();
        for (String host : hosts) {
            lines.append("{\"process_exec\":{\"process\":{\"binary\":\"/bin/x\"}},\"node_name\":\"").append(host).append("\"}\n");
        }
        Files.writeString(file, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void awaitHost(BusForAdapters.Reader<SecurityEvent> security, AuditedPublisher.Settings settings, String host) {
        security.await(r -> r.value().getSource().getComponentId().equals(settings.adapterId())
                && host.equals(((SecurityAlert) r.value().getPayload()).getHost()), Duration.ofSeconds(20), "the line from " + host);
    }
}
