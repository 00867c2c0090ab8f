package io.hypermesh.streams.discovery;

import io.hypermesh.events.Endpoint;
import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.health.HealthScore;
import io.hypermesh.events.health.HealthScoreEvent;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.testing.DriverFixture;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.hypermesh.streams.testing.DriverFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiscoveryTopologyTest {
    @TempDir
    Path stateDir;
    DriverFixture fx;
    TestInputTopic<String, ServiceInstance> instances;
    TestInputTopic<String, HealthScoreEvent> scores;
    KeyValueStore<String, DiscoveredInstance> store;

    @BeforeEach
    void start() {
        fx = new DriverFixture(DiscoveryTopology::build, stateDir);
        instances = fx.input(Topics.REGISTRY_STATE.name(), ServiceInstance.class);
        scores = fx.input(Topics.HEALTH_SCORES.name(), HealthScoreEvent.class);
        store = fx.driver.getKeyValueStore(DiscoveryTopology.INSTANCES_STORE);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    static ServiceInstance instance(String id, String service, List<String> tags, int passing, int warning) {
        return ServiceInstance.newBuilder().setInstanceId(id).setServiceName(service).setEndpoint(new Endpoint("10.0.0.1", 80, "tcp"))
                .setTags(tags).setWeightPassing(passing).setWeightWarning(warning).setMetadata(Map.of()).setTtlMs(10_000)
                .setRegisteredAt(T0).setLastHeartbeatAt(T0).setHealthComponentId(id).build();
    }

    void score(String component, HealthStatus status, int score) {
        scores.pipeInput(component, HealthScoreEvent.newBuilder().setEventId("s").setSource(DriverFixture.source(component))
                .setOccurredAt(T0).setTraceId(null).setPayload(new HealthScore(component, score, status, 1L, T0)).build());
    }

    /** The instances of a service, read from the store by its key prefix, as the query API reads them. */
    List<DiscoveredInstance> service(String name) {
        List<DiscoveredInstance> out = new java.util.ArrayList<>();
        try (var it = store.prefixScan(DiscoveryTopology.prefix(name), new org.apache.kafka.common.serialization.StringSerializer())) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    List<String> ids(List<DiscoveredInstance> list) {
        return list.stream().map(d -> d.getInstance().getInstanceId()).toList();
    }

    @Test
    void joinsInstancesWithTheirHealthAndGroupsThemByService() {
        instances.pipeInput("web-1", instance("web-1", "web", List.of("blue"), 1, 1));
        instances.pipeInput("web-2", instance("web-2", "web", List.of("green"), 1, 1));
        instances.pipeInput("db-1", instance("db-1", "db", List.of(), 1, 1));
        score("web-2", HealthStatus.UNHEALTHY, 10);

        List<DiscoveredInstance> web = service("web");
        assertEquals(List.of("web-1", "web-2"), ids(web));
        assertEquals(HealthStatus.UNKNOWN, web.get(0).getStatus());
        assertEquals(HealthStatus.UNHEALTHY, web.get(1).getStatus());
        assertEquals(List.of("web-1"), ids(Discovery.filter(web, true, List.of())));
        assertEquals(List.of("web-2"), ids(Discovery.filter(web, false, List.of("green"))));

        score("web-2", HealthStatus.HEALTHY, 95);
        assertEquals(List.of("web-1", "web-2"), ids(Discovery.filter(service("web"), true, List.of())),
                "a health change reaches discovery through the foreign-key join");

        instances.pipeInput("web-1", (ServiceInstance) null);
        assertEquals(List.of("web-2"), ids(service("web")), "a tombstone removes the instance");
        assertEquals(List.of("db-1"), ids(service("db")));
        assertEquals(List.of(), ids(service("we")), "a prefix of a name is not that service");
    }

    @Test
    void weightedChoiceFollowsConsulStyleWeights() {
        instances.pipeInput("a", instance("a", "api", List.of(), 3, 1));
        instances.pipeInput("b", instance("b", "api", List.of(), 1, 1));
        instances.pipeInput("c", instance("c", "api", List.of(), 5, 2));
        score("c", HealthStatus.DEGRADED, 60);
        List<DiscoveredInstance> all = Discovery.filter(service("api"), false, List.of());
        assertEquals(2, Discovery.weight(all.get(2)), "degraded uses the warning weight");

        Map<String, Integer> counts = new java.util.TreeMap<>();
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 60_000; i++) {
            counts.merge(Discovery.pick(all, random).orElseThrow().getInstance().getInstanceId(), 1, Integer::sum);
        }
        // Weights 3:1:2 -> 50%, 16.7%, 33.3%.
        assertEquals(0.5, counts.get("a") / 60_000.0, 0.01);
        assertEquals(1 / 6.0, counts.get("b") / 60_000.0, 0.01);
        assertEquals(1 / 3.0, counts.get("c") / 60_000.0, 0.01);

        score("a", HealthStatus.UNHEALTHY, 0);
        score("b", HealthStatus.UNHEALTHY, 0);
        score("c", HealthStatus.UNHEALTHY, 0);
        assertTrue(Discovery.pick(Discovery.filter(service("api"), false, List.of()), random).isEmpty(),
                "unhealthy instances are never picked");
    }
}
