package io.hypermesh.connectors;

import io.hypermesh.events.health.HealthScore;
import io.hypermesh.events.health.HealthScoreEvent;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.lifecycle.PhaseProgress;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.ServiceInstance;
import org.apache.kafka.connect.errors.DataException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns bus records into samples: health scores (and status) per component, live instances per
 * service from the folded registry state, and per-phase lifecycle progress. Records arrive as the
 * bytes on the topic (Confluent wire format) and are decoded here with the registry, so the sinks
 * need no Avro converter in the worker. The instance counts are state: one mapper per task.
 */
public final class BusSamples {
    public static final String HEALTH_SCORE = "hypermesh_health_score";
    public static final String HEALTH_STATUS = "hypermesh_health_status";
    public static final String REGISTRY_INSTANCES = "hypermesh_registry_instances";
    public static final String PHASE_COMPLETED = "hypermesh_phase_completed";
    public static final String PHASE_TOTAL = "hypermesh_phase_total";
    public static final String PHASE_PROGRESS = "hypermesh_phase_progress_ratio";

    /** What each metric means, for HELP lines and documentation. */
    public static final Map<String, String> HELP = Map.of(
            HEALTH_SCORE, "Health score 0..100 of a component, from the health fold.",
            HEALTH_STATUS, "Health status of a component: 0 healthy, 1 degraded, 2 unhealthy.",
            REGISTRY_INSTANCES, "Live instances of a service in the folded registry.",
            PHASE_COMPLETED, "Components of a startup phase that have completed.",
            PHASE_TOTAL, "Components of a startup phase.",
            PHASE_PROGRESS, "Completed share of a startup phase, 0..1.");

    private final Map<String, AvroDeserializer<Object>> decoders = new HashMap<>();
    private final RegistryClient registry;
    /** instance id -> service name, so a tombstone can be counted off the right service. */
    private final Map<String, String> serviceOf = new HashMap<>();
    private final Map<String, Integer> instancesPer = new HashMap<>();

    public BusSamples(RegistryClient registry) {
        this.registry = registry;
    }

    /** The samples one record gives (none for events the sinks do not chart); a DataException for a record that cannot be read. */
    public List<Sample> of(String topic, String key, byte[] value, long timestampMs) {
        if (topic.equals(Topics.REGISTRY_STATE.name())) {
            return registryState(key, value == null ? null : (ServiceInstance) decode(topic, value, ServiceInstance.class), timestampMs);
        }
        if (value == null) {
            return List.of();
        }
        if (topic.equals(Topics.HEALTH_SCORES.name())) {
            HealthScoreEvent event = (HealthScoreEvent) decode(topic, value, HealthScoreEvent.class);
            HealthScore score = (HealthScore) event.getPayload();
            Map<String, String> labels = Map.of("component", score.getComponentId());
            return List.of(Sample.of(HEALTH_SCORE, labels, score.getScore(), timestampMs),
                    Sample.of(HEALTH_STATUS, labels, score.getStatus().ordinal(), timestampMs));
        }
        if (topic.equals(Topics.LIFECYCLE.name())) {
            LifecycleEvent event = (LifecycleEvent) decode(topic, value, LifecycleEvent.class);
            if (!(event.getPayload() instanceof PhaseProgress p)) {
                return List.of();
            }
            Map<String, String> labels = Map.of("phase", Integer.toString(p.getPhase()), "name", p.getName());
            return List.of(Sample.of(PHASE_COMPLETED, labels, p.getCompleted(), timestampMs),
                    Sample.of(PHASE_TOTAL, labels, p.getTotal(), timestampMs),
                    Sample.of(PHASE_PROGRESS, labels, p.getTotal() == 0 ? 1.0 : (double) p.getCompleted() / p.getTotal(), timestampMs));
        }
        throw new DataException("topic " + topic + " is not one the HyperMesh sinks chart (" + Topics.HEALTH_SCORES.name() + ", "
                + Topics.REGISTRY_STATE.name() + ", " + Topics.LIFECYCLE.name() + ")");
    }

    private List<Sample> registryState(String instanceId, ServiceInstance instance, long timestampMs) {
        if (instanceId == null) {
            throw new DataException("a registry state record without a key (the instance id)");
        }
        List<Sample> out = new ArrayList<>();
        String before = serviceOf.remove(instanceId);
        if (before != null) {
            out.add(count(before, -1, timestampMs));
        }
        if (instance != null) {
            serviceOf.put(instanceId, instance.getServiceName());
            Sample after = count(instance.getServiceName(), +1, timestampMs);
            out.removeIf(s -> s.series().equals(after.series()));
            out.add(after);
        }
        return out;
    }

    private Sample count(String service, int delta, long timestampMs) {
        int n = instancesPer.merge(service, delta, Integer::sum);
        return Sample.of(REGISTRY_INSTANCES, Map.of("service", service), n, timestampMs);
    }

    private Object decode(String topic, byte[] value, Class<? extends org.apache.avro.specific.SpecificRecord> type) {
        try {
            return decoders.computeIfAbsent(type.getName(), k -> new AvroDeserializer<>(registry, type)).deserialize(topic, value);
        } catch (RuntimeException e) {
            throw new DataException("cannot read a record of " + topic + ": " + e.getMessage(), e);
        }
    }
}
