package io.hypermesh.connectors;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.health.HealthScore;
import io.hypermesh.events.health.HealthScoreEvent;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.lifecycle.PhaseProgress;
import io.hypermesh.events.lifecycle.PhaseState;
import io.hypermesh.schemas.testing.InMemoryRegistryClient;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.ServiceInstance;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BusSamplesTest {
    final InMemoryRegistryClient registry = new InMemoryRegistryClient();
    final AvroSerializer<GenericContainer> serializer = new AvroSerializer<>(registry, true);
    final BusSamples samples = new BusSamples(registry);

    static final EventSource SOURCE = new EventSource("health-fold", ComponentKind.STREAMS);

    public static HealthScoreEvent score(String component, int score, HealthStatus status) {
        return HealthScoreEvent.newBuilder().setEventId("e").setSource(SOURCE).setOccurredAt(Instant.EPOCH).setTraceId(null)
                .setPayload(new HealthScore(component, score, status, 3L, Instant.EPOCH)).build();
    }

    public static ServiceInstance instance(String id, String service) {
        return ServiceInstance.newBuilder().setInstanceId(id).setServiceName(service).setEndpoint(new Endpoint("10.0.0.1", 80, "tcp"))
                .setTags(List.of()).setWeightPassing(1).setWeightWarning(1).setMetadata(Map.of()).setTtlMs(10_000L)
                .setRegisteredAt(Instant.EPOCH).setLastHeartbeatAt(Instant.EPOCH).setHealthComponentId(id).build();
    }

    byte[] bytes(String topic, GenericContainer value) {
        return serializer.serialize(topic, value);
    }

    @Test
    void aHealthScoreIsAScoreAndAStatusAtTheRecordsTime() {
        List<Sample> out = samples.of(Topics.HEALTH_SCORES.name(), "api", bytes(Topics.HEALTH_SCORES.name(), score("api", 72,
                HealthStatus.DEGRADED)), 1234L);
        assertEquals(List.of(Sample.of(BusSamples.HEALTH_SCORE, Map.of("component", "api"), 72, 1234L),
                Sample.of(BusSamples.HEALTH_STATUS, Map.of("component", "api"), 1, 1234L)), out);
    }

    @Test
    void registryStateCountsInstancesPerServiceThroughMovesAndTombstones() {
        String t = Topics.REGISTRY_STATE.name();
        samples.of(t, "w1", bytes(t, instance("w1", "web")), 1);
        List<Sample> second = samples.of(t, "w2", bytes(t, instance("w2", "web")), 2);
        assertEquals(2, second.get(0).value());
        samples.of(t, "w2", bytes(t, instance("w2", "web")), 3); // a heartbeat rewrites it: still 2
        List<Sample> moved = samples.of(t, "w2", bytes(t, instance("w2", "api")), 4);
        assertTrue(moved.contains(Sample.of(BusSamples.REGISTRY_INSTANCES, Map.of("service", "web"), 1, 4)), moved.toString());
        assertTrue(moved.contains(Sample.of(BusSamples.REGISTRY_INSTANCES, Map.of("service", "api"), 1, 4)), moved.toString());
        assertEquals(List.of(Sample.of(BusSamples.REGISTRY_INSTANCES, Map.of("service", "web"), 0, 5)), samples.of(t, "w1", null, 5));
        assertEquals(List.of(), samples.of(t, "never-seen", null, 6));
    }

    @Test
    void phaseProgressIsCompletedTotalAndRatio() {
        String t = Topics.LIFECYCLE.name();
        LifecycleEvent e = LifecycleEvent.newBuilder().setEventId("e").setSource(SOURCE).setOccurredAt(Instant.EPOCH).setTraceId(null)
                .setPayload(new PhaseProgress(3, "runtime", 1, 4, PhaseState.RUNNING)).build();
        List<Sample> out = samples.of(t, "phase-3", bytes(t, e), 9);
        assertTrue(out.contains(Sample.of(BusSamples.PHASE_PROGRESS, Map.of("phase", "3", "name", "runtime"), 0.25, 9)), out.toString());
    }

    @Test
    void unreadableRecordsAndOtherTopicsAreDataExceptions() {
        assertTrue(assertThrows(DataException.class, () -> samples.of(Topics.HEALTH_SCORES.name(), "k", "garbage".getBytes(), 1))
                .getMessage().startsWith("cannot read a record of hypermesh.health.scores"));
        assertThrows(DataException.class, () -> samples.of("other.topic", "k", new byte[]{0, 0, 0, 0, 1}, 1));
        assertThrows(DataException.class, () -> samples.of(Topics.REGISTRY_STATE.name(), null, null, 1));
    }
}
