package io.hypermesh.adapters.transport;

import io.hypermesh.adapters.AdapterHost;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.testing.BusForAdapters;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.transport.LinkStateChanged;
import io.hypermesh.events.transport.LinkTelemetry;
import io.hypermesh.events.transport.ProbeResult;
import io.hypermesh.events.transport.TransportEvent;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Link telemetry posted over HTTP and TCP probes of a listening and a closed port, through to the bus. */
@KafkaIT
class TransportAdapterIT {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> post(TransportAdapter adapter, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adapter.port() + "/v1/transport/telemetry"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static Predicate<ConsumerRecord<String, TransportEvent>> link(String linkId, boolean up) {
        return r -> r.value().getPayload() instanceof LinkStateChanged c && c.getLinkId().equals(linkId) && c.getUp() == up;
    }

    @Test
    void telemetryLinkStatesAndProbesReachTheBus(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        BusForAdapters bus = new BusForAdapters(kafka);
        AuditedPublisher.Settings settings = bus.settings("transport-it", ComponentKind.TRANSPORT, dir);
        String linkId = "link-" + settings.adapterId();
        TransportAdapter[] adapter = new TransportAdapter[1];
        try (ServerSocket listening = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             ServerSocket closed = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int closedPort = closed.getLocalPort();
            closed.close();
            List<TransportAdapter.Probe> probes = List.of(TransportAdapter.Probe.parse("up-" + settings.adapterId() + "=127.0.0.1:"
                    + listening.getLocalPort()),
                    TransportAdapter.Probe.parse("down-" + settings.adapterId() + "=127.0.0.1:" + closedPort));
            try (AdapterHost host = AdapterHost.run(settings, 1, p -> adapter[0] = new TransportAdapter(p,
                    new TransportAdapter.Settings("127.0.0.1", 0,
                    probes, Duration.ofMillis(300), Duration.ofMillis(500), Duration.ofMillis(1500))), Duration.ofSeconds(1), true);
                 BusForAdapters.Reader<TransportEvent> transport = bus.read(Topics.TRANSPORT.name(), TransportEvent.class);
                 BusForAdapters.Reader<HealthCheckEvent> checks = bus.read(Topics.HEALTH_CHECKS.name(), HealthCheckEvent.class)) {
                HttpResponse<String> accepted = post(adapter[0], "[{\"linkId\":\"" + linkId
                        + "\",\"nodeId\":\"n1\",\"peerNodeId\":\"n2\",\"latencyMs\":3.5,"
                        + "\"jitterMs\":0.4,\"lossRatio\":0.01,\"throughputBps\":1000000}]");
                assertEquals(202, accepted.statusCode(), accepted.body());
                LinkTelemetry t = (LinkTelemetry) transport.await(r -> r.value().getPayload() instanceof LinkTelemetry x
                        && x.getLinkId().equals(linkId),
                        Duration.ofSeconds(10), "the telemetry").value().getPayload();
                assertEquals(3.5, t.getLatencyMs());
                assertEquals(1_000_000, t.getThroughputBps());
                transport.await(link(linkId, true), Duration.ofSeconds(10), "the link up on first telemetry");

                assertEquals(202, post(adapter[0], "{\"linkId\":\"" + linkId
                        + "\",\"nodeId\":\"n1\",\"peerNodeId\":\"n2\",\"latencyMs\":0,\"lossRatio\":1.0}").statusCode());
                LinkStateChanged down = (LinkStateChanged) transport.await(link(linkId, false), Duration.ofSeconds(10),
                        "the link down on total loss")
                        .value().getPayload();
                assertEquals("total loss", down.getReason());
                assertEquals(202, post(adapter[0], "{\"linkId\":\"" + linkId
                        + "\",\"nodeId\":\"n1\",\"peerNodeId\":\"n2\",\"latencyMs\":4}").statusCode());
                // Up again, then silent: the link times out.
                LinkStateChanged silent = (LinkStateChanged) transport.await(r -> link(linkId, false).test(r)
                        && ((LinkStateChanged) r.value().getPayload()).getReason().startsWith("no telemetry for"), Duration.ofSeconds(10),
                        "the link down after silence").value().getPayload();
                assertNotNull(silent);

                for (String bad : List.of("{\"linkId\":\"l\",\"nodeId\":\"n\",\"peerNodeId\":\"p\",\"latencyMs\":-1}",
                        "[{\"linkId\":\"l\",\"nodeId\":\"n\",\"peerNodeId\":\"p\",\"latencyMs\":1},{\"linkId\":\"l\"}]", "nonsense", "")) {
                    HttpResponse<String> refused = post(adapter[0], bad);
                    assertEquals(400, refused.statusCode(), bad);
                    assertTrue(refused.body().contains("invalid telemetry"), refused.body());
                }

                ProbeResult up = (ProbeResult) transport.await(r -> r.value().getPayload() instanceof ProbeResult p
                        && p.getEndpointId().equals("up-" + settings.adapterId()), Duration.ofSeconds(10),
                                "a probe of the listening port").value().getPayload();
                assertTrue(up.getReachable());
                assertNotNull(up.getLatencyMs());
                ProbeResult refused = (ProbeResult) transport.await(r -> r.value().getPayload() instanceof ProbeResult p
                        && p.getEndpointId().equals("down-" + settings.adapterId()), Duration.ofSeconds(10),
                                "a probe of the closed port").value().getPayload();
                assertTrue(!refused.getReachable() && refused.getError() != null, refused.toString());
                checks.await(r -> r.key().equals("down-" + settings.adapterId())
                        && ((HealthCheckResult) r.value().getPayload()).getStatus() == CheckStatus.CRITICAL, Duration.ofSeconds(10),
                                "a critical check");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> TransportAdapter.Probe.parse("nohost:80"));
        assertThrows(IllegalArgumentException.class, () -> TransportAdapter.Probe.parse("x=h:99999"));
    }

    @Test
    void withTokensConfiguredTelemetryWithoutOneIsRefusedAndTheAttemptAudited(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        BusForAdapters bus = new BusForAdapters(kafka);
        AuditedPublisher.Settings settings = bus.settings("transport-tok", ComponentKind.TRANSPORT, dir);
        String token = "telemetry-token-" + settings.adapterId();
        TransportAdapter[] adapter = new TransportAdapter[1];
        try (AdapterHost host = AdapterHost.run(settings, 1, p -> adapter[0] = new TransportAdapter(p,
                new TransportAdapter.Settings("127.0.0.1", 0,
                List.of(), Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(30),
                io.hypermesh.http.auth.ApiTokens.of(List.of(token)))), Duration.ofSeconds(1), true);
             BusForAdapters.Reader<io.hypermesh.events.audit.AuditEvent> audit = bus.read(Topics.AUDIT.name(),
                     io.hypermesh.events.audit.AuditEvent.class)) {
            String body = "{\"linkId\":\"tok\",\"nodeId\":\"n1\",\"peerNodeId\":\"n2\",\"latencyMs\":1}";
            HttpResponse<String> refused = post(adapter[0], body);
            assertEquals(401, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("writes need an API token"), refused.body());
            audit.await(r -> io.hypermesh.adapters.audit.AuditTrail.content(r.value().getPayload()).filter(a ->
                    a.getAdapterId().equals(settings.adapterId())
                    && a.getAction().equals("transport.telemetry-unauthorized")
                            && a.getOutcome() == io.hypermesh.events.audit.AuditOutcome.DENIED).isPresent(),
                    Duration.ofSeconds(10), "the refused attempt on the trail");
            HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adapter[0].port()
                    + "/v1/transport/telemetry"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(202, accepted.statusCode(), accepted.body());
        }
    }
}
