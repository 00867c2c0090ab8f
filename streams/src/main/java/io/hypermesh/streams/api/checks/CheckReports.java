package io.hypermesh.streams.api.checks;

import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.registry.CheckUpdated;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.ServiceInstance;
import io.vertx.core.Future;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * One check result, published where each fold reads it: the Consul status on the registry topic
 * (keyed by the service) and the result to score on the health checks topic (keyed by its health
 * component). Published once by whoever observed it, so replaying either topic scores nothing twice.
 */
public final class CheckReports {
    private final BusPublisher writer;
    private final String node;

    public CheckReports(BusPublisher writer, String node) {
        this.writer = writer;
        this.node = node;
    }

    /** Consul keeps at most this much of a check's output, and says how much it dropped. */
    static final int OUTPUT_LIMIT = 4096;

    /** Completes with where the registry event was written, once both are acknowledged. */
    public Future<RecordMetadata> report(ServiceInstance instance, String checkId, String status, String fullOutput, double latencyMs,
            String traceId) {
        String output = fullOutput == null || fullOutput.length() <= OUTPUT_LIMIT ? fullOutput
                : fullOutput.substring(0, OUTPUT_LIMIT) + " ... (captured " + OUTPUT_LIMIT + " of " + fullOutput.length() + " bytes)";
        Instant now = Instant.now();
        EventSource source = new EventSource(node, ComponentKind.STREAMS);
        String id = UUID.randomUUID().toString();
        RegistryEvent consul = Envelopes.wrap(Topics.REGISTRY, id, source, now, traceId,
                new CheckUpdated(instance.getInstanceId(), checkId, status, output, latencyMs, null));
        HealthCheckEvent scored = Envelopes.wrap(Topics.HEALTH_CHECKS, id + ":health", source, now, traceId,
                new HealthCheckResult(instance.getHealthComponentId(), checkId,
                        CheckStatus.valueOf(status.toUpperCase(Locale.ROOT)), latencyMs, output == null || output.isEmpty() ? null
                                : output));
        // Both sent at once: a send from the producer's own callback would block its network thread on metadata.
        Future<RecordMetadata> registry = Future.fromCompletionStage(writer.publish(Topics.REGISTRY, instance.getInstanceId(), consul));
        Future<RecordMetadata> health = Future.fromCompletionStage(writer.publish(Topics.HEALTH_CHECKS, instance.getHealthComponentId(),
                scored));
        return Future.all(registry, health).map(both -> registry.result());
    }
}
