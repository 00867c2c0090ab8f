package io.hypermesh.streams.discovery;

import io.hypermesh.events.Endpoint;
import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceDeregistered;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.HealthState;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.app.BusTopology;
import io.hypermesh.streams.health.HealthTopology;
import io.hypermesh.streams.registry.RegistryTopology;
import io.hypermesh.streams.testing.DriverFixture;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import static io.hypermesh.streams.testing.DriverFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery as the query API reads it: the registry's by-service index joined with the health store. */
class DiscoveryTest {
    @TempDir
    Path stateDir;
    DriverFixture fx;
    TestInputTopic<String, RegistryEvent> registry;
    TestInputTopic<String, HealthCheckEvent> checks;
    KeyValueStore<String, String> byService;
    KeyValueStore<String, ServiceInstance> instances;
    KeyValueStore<String, HealthState> health;
    int seconds;

    @BeforeEach
    void start() {
        fx = new DriverFixture(BusTopology::build, stateDir);
        registry = fx.input(Topics.REGISTRY.name(), RegistryEvent.class);
        checks = fx.input(Topics.HEALTH_CHECKS.name(), HealthCheckEvent.class);
        byService = fx.driver.getKeyValueStore(RegistryTopology.BY_SERVICE_STORE);
        instances = fx.driver.getKeyValueStore(RegistryTopology.STORE);
        health = fx.driver.getKeyValueStore(HealthTopology.STORE);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    void register(String id, String service, List<String> tags, int passing, int warning) {
        send(id, ServiceRegistered.newBuilder().setInstanceId(id).setServiceName(service)
                .setEndpoint(new Endpoint("10.0.0.1", 80, "tcp")).setTags(tags).setWeights(new Weights(passing, warning))
                .setMetadata(Map.of()).setTtlMs(600_000).build());
    }

    void send(String id, Object payload) {
        var at = T0.plusSeconds(seconds++);
        registry.pipeInput(id, RegistryEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSource(DriverFixture.source(id)).setOccurredAt(at).setTraceId(null).setPayload(payload).build(), at);
    }

    void checks(String component, CheckStatus status, int times) {
        for (int i = 0; i < times; i++) {
            var at = T0.plusSeconds(seconds++);
            checks.pipeInput(component, HealthCheckEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setSource(DriverFixture.source(component)).setOccurredAt(at).setTraceId(null)
                    .setPayload(new HealthCheckResult(component, "http", status, 5.0, null)).build(), at);
        }
    }

    /** What the API answers for a service: a prefix scan of the index for ids, their instances, joined with each component's health. */
    List<DiscoveredInstance> service(String name) {
        List<ServiceInstance> instances = new ArrayList<>();
        try (var it = byService.prefixScan(RegistryTopology.servicePrefix(name), new StringSerializer())) {
            it.forEachRemaining(kv -> instances.add(this.instances.get(kv.value)));
        }
        Map<String, HealthState> byComponent = new HashMap<>();
        instances.forEach(i -> {
            HealthState h = health.get(i.getHealthComponentId());
            if (h != null) {
                byComponent.put(i.getHealthComponentId(), h);
            }
        });
        return Discovery.join(instances, byComponent);
    }

    static List<String> ids(List<DiscoveredInstance> list) {
        return list.stream().map(d -> d.getInstance().getInstanceId()).toList();
    }

    @Test
    void joinsInstancesWithTheirHealthAndGroupsThemByService() {
        register("web-1", "web", List.of("blue"), 1, 1);
        register("web-2", "web", List.of("green"), 1, 1);
        register("db-1", "db", List.of(), 1, 1);
        checks("web-2", CheckStatus.CRITICAL, 6);

        List<DiscoveredInstance> web = service("web");
        assertEquals(List.of("web-1", "web-2"), ids(web));
        assertEquals(HealthStatus.UNKNOWN, web.get(0).getStatus(), "no check result yet");
        assertNull(web.get(0).getScore());
        assertEquals(HealthStatus.UNHEALTHY, web.get(1).getStatus());
        assertEquals(List.of("web-1"), ids(Discovery.filter(web, true, List.of())));
        assertEquals(List.of("web-2"), ids(Discovery.filter(web, false, List.of("green"))));

        checks("web-2", CheckStatus.PASSING, 20);
        assertEquals(List.of("web-1", "web-2"), ids(Discovery.filter(service("web"), true, List.of())),
                "a health change is seen at the next read");
        assertEquals((int) Math.round(health.get("web-2").getScore()), service("web").get(1).getScore());

        send("web-1", new ServiceDeregistered("web-1", "drain"));
        assertEquals(List.of("web-2"), ids(service("web")), "a deregistration removes the instance");
        assertEquals(List.of("db-1"), ids(service("db")));
        assertEquals(List.of(), ids(service("we")), "a prefix of a name is not that service");
    }

    @Test
    void anInstanceThatMovesToAnotherServiceLeavesTheFirst() {
        register("x-1", "old", List.of(), 1, 1);
        register("x-1", "new", List.of(), 1, 1);
        assertEquals(List.of(), ids(service("old")));
        assertEquals(List.of("x-1"), ids(service("new")));
    }

    @Test
    void weightedChoiceFollowsConsulStyleWeights() {
        register("a", "api", List.of(), 3, 1);
        register("b", "api", List.of(), 1, 1);
        register("c", "api", List.of(), 5, 2);
        checks("c", CheckStatus.PASSING, 10);
        checks("c", CheckStatus.CRITICAL, 1);
        List<DiscoveredInstance> all = Discovery.filter(service("api"), false, List.of());
        assertEquals(HealthStatus.DEGRADED, all.get(2).getStatus());
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

        checks("a", CheckStatus.CRITICAL, 6);
        checks("b", CheckStatus.CRITICAL, 6);
        checks("c", CheckStatus.CRITICAL, 6);
        assertTrue(Discovery.pick(Discovery.filter(service("api"), false, List.of()), random).isEmpty(),
                "unhealthy instances are never picked");
    }
}
