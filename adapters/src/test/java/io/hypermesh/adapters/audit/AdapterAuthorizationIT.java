package io.hypermesh.adapters.audit;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.security.SecurityAlert;
import io.hypermesh.events.security.SecurityEngine;
import io.hypermesh.events.security.SecurityEvent;
import io.hypermesh.events.security.Severity;
import io.hypermesh.events.transport.LinkTelemetry;
import io.hypermesh.events.transport.TransportEvent;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.pki.Pki;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.schemas.topics.BusAcls;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a secured bus (mutual TLS, ACLs) an adapter publishing to another adapter's topic is refused
 * by the broker; the refused event fails, the attempt goes on the adapter's signed trail as DENIED,
 * and the adapter goes on publishing to its own topic.
 */
class AdapterAuthorizationIT {
    @TempDir
    Path dir;

    @Test
    void anAdaptersWriteToAnotherAdaptersTopicIsRefusedAndAudited() throws Exception {
        Path pki = dir.resolve("pki");
        Pki.init(pki, List.of(EmbeddedKafka.BROKER_COMPONENT, "adapter-security"), List.of("localhost", "127.0.0.1"),
                Duration.ofDays(1), false);
        try (EmbeddedKafka kafka = EmbeddedKafka.startSecured(dir.resolve("kafka"), 0, pki);
             SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), "127.0.0.1", 0);
             HttpRegistryClient schemas = new HttpRegistryClient(registry.url(), kafka.access("adapter-security").tls())) {
            try (Admin admin = Admin.create(kafka.clientConfig())) {
                TopicAdmin.ensure(admin, Topics.ALL);
                admin.createAcls(BusAcls.adapter("adapter-security")).all().get(30, TimeUnit.SECONDS);
            }
            String adapterId = "security-" + UUID.randomUUID().toString().substring(0, 6);
            var key = AuditKeys.loadOrCreate(dir.resolve(adapterId + ".key"));
            var settings = new AuditedPublisher.Settings(adapterId, ComponentKind.SECURITY_AGENT, kafka.access("adapter-security"),
                    schemas, key, 100,
                    Duration.ofMillis(500));
            try (AuditedPublisher publisher = AuditedPublisher.open(settings)) {
                EventSource source = publisher.source();
                publisher.publish(Topics.SECURITY, "node-1", alert(source), AuditedPublisher.Action.observed("falco", "security.alert",
                        "node-1", Map.of()))
                        .get(30, TimeUnit.SECONDS);
                ExecutionException refused = assertThrows(ExecutionException.class, () -> publisher.publish(Topics.TRANSPORT, "link-9",
                        telemetry(source), AuditedPublisher.Action.observed("node:x", "transport.telemetry", "link-9",
                                Map.of())).get(30, TimeUnit.SECONDS));
                assertInstanceOf(TopicAuthorizationException.class, refused.getCause());
                publisher.publish(Topics.SECURITY, "node-2", alert(source), AuditedPublisher.Action.observed("falco", "security.alert",
                        "node-2", Map.of()))
                        .get(30, TimeUnit.SECONDS); // it goes on with its own topic
            }

            AuditLog log = new AuditLog(kafka.access(), schemas, Topics.AUDIT.name());
            AuditLog.Report report = log.verify(Map.of(AuditTrail.keyId(key), key.generatePublicKey()), Duration.ofMinutes(5),
                    Map.of(adapterId, 3L),
                    Set.of(adapterId), (at, total) -> { });
            assertTrue(report.intact(), "the trail with the refusal on it verifies: " + report.breaks());
            StringWriter json = new StringWriter();
            log.replayAsJson(new AuditLog.Filter(null, null, adapterId, null, "transport.telemetry"), new PrintWriter(json), (at, total) ->
                    { });
            String denied = json.toString();
            assertTrue(denied.contains("\"DENIED\""), denied);
            assertTrue(denied.contains("not authorized to write " + Topics.TRANSPORT.name()), denied);
            assertEquals(1, denied.lines().count(), denied);
        }
    }

    private static SecurityEvent alert(EventSource source) {
        return SecurityEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(source).setOccurredAt(Instant.now())
                .setTraceId(null)
                .setPayload(new SecurityAlert(SecurityEngine.FALCO, "rule", Severity.WARNING, "output", "node-1", null, null,
                        Map.of())).build();
    }

    private static TransportEvent telemetry(EventSource source) {
        return TransportEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(source).setOccurredAt(Instant.now())
                .setTraceId(null)
                .setPayload(new LinkTelemetry("link-9", "x", "y", 1.0, 0.0, 0.0, 0L)).build();
    }
}
