package io.hypermesh.adapters.security;

import io.hypermesh.adapters.AdapterHost;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.testing.BusForAdapters;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.audit.AuditEvent;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.audit.AuditRecord;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.events.security.SecurityAlert;
import io.hypermesh.events.security.SecurityEngine;
import io.hypermesh.events.security.SecurityEvent;
import io.hypermesh.events.security.Severity;
import io.hypermesh.schemas.kafka.EmbeddedKafka;
import io.hypermesh.schemas.testing.KafkaIT;
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
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(falco).POST(HttpRequest.BodyPublishers.ofString(SecurityInputTest.FALCO))
                    .header("content-type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, ok.statusCode(), ok.body());
            SecurityAlert alert = (SecurityAlert) security.await(r -> r.value().getSource().getComponentId().equals(settings.adapterId())
                    && ((SecurityAlert) r.value().getPayload()).getEngine() == SecurityEngine.FALCO, Duration.ofSeconds(10), "the Falco alert")
                    .value().getPayload();
            assertEquals(Severity.WARNING, alert.getSeverity());
            assertEquals("Read sensitive file untrusted", alert.getRule());

            for (String bad : List.of("{not json", "{\"rule\":\"r\",\"priority\":\"Loud\",\"output\":\"x\"}", "")) {
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(falco).POST(HttpRequest.BodyPublishers.ofString(bad)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(400, refused.statusCode(), bad);
                assertTrue(refused.body().contains("invalid Falco alert"), refused.body());
            }
            HttpResponse<String> tooBig = http.send(HttpRequest.newBuilder(falco).POST(HttpRequest.BodyPublishers.ofString("x".repeat(2 << 20))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, tooBig.statusCode());
            assertTrue(tooBig.body().contains("\"message\":\"request body larger than "), tooBig.body());

            Files.writeString(export, SecurityInputTest.TETRAGON_KPROBE + "\n{\"process_exec\": broken\n", StandardOpenOption.APPEND);
            SecurityAlert kprobe = (SecurityAlert) security.await(r -> r.value().getSource().getComponentId().equals(settings.adapterId())
                    && ((SecurityAlert) r.value().getPayload()).getEngine() == SecurityEngine.TETRAGON, Duration.ofSeconds(10), "the Tetragon alert")
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
            security.await(r -> "late-node".equals(((SecurityAlert) r.value().getPayload()).getHost()), Duration.ofSeconds(10), "the line completed later");

            audit.await(r -> r.value().getPayload() instanceof AuditRecord a && a.getAdapterId().equals(settings.adapterId())
                    && a.getAction().equals("security.falco-rejected") && a.getOutcome() == AuditOutcome.DENIED, Duration.ofSeconds(10),
                    "the refused alert audited");
            audit.await(r -> r.value().getPayload() instanceof AuditRecord a && a.getAdapterId().equals(settings.adapterId())
                    && a.getAction().equals("security.alert") && a.getActor().equals("falco:node-7"), Duration.ofSeconds(10),
                    "the Falco alert audited with Falco's host as actor");
        }
    }
}
