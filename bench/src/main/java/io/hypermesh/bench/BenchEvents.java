package io.hypermesh.bench;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.topics.Topics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The registry events the load generators publish, from the bench as their source. */
final class BenchEvents {
    private static final EventSource BENCH = new EventSource("bench", ComponentKind.SERVICE);

    private BenchEvents() {
    }

    static RegistryEvent heartbeat(int i) {
        return Envelopes.wrap(Topics.REGISTRY, "e-" + i, BENCH, Instant.now(), new ServiceHeartbeat("inst-" + (i % 1000), "bench"));
    }

    static RegistryEvent registration(String id, String service, long ttlMs) {
        return registration(id, service, ttlMs, Map.of());
    }

    static RegistryEvent registration(String id, String service, long ttlMs, Map<String, String> metadata) {
        return Envelopes.wrap(Topics.REGISTRY, BENCH, ServiceRegistered.newBuilder().setInstanceId(id).setServiceName(service)
                .setEndpoint(new Endpoint("10.0.0.1", 8080, "tcp")).setTags(List.of()).setWeights(new Weights(1, 1))
                .setMetadata(metadata).setTtlMs(ttlMs).build());
    }
}
