package io.hypermesh.streams.registry;

import io.hypermesh.events.CheckDefinition;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.registry.CheckUpdated;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceDeregistered;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.registry.RegistryTopology.Scopes;
import io.hypermesh.streams.testing.DriverFixture;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.hypermesh.streams.testing.DriverFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Consul's check semantics and indexes, as the registry fold keeps them. */
class ConsulChecksTest {
    @TempDir
    Path stateDir;
    DriverFixture fx;
    TestInputTopic<String, RegistryEvent> events;
    TestOutputTopic<String, HealthCheckEvent> scored;
    KeyValueStore<String, ServiceInstance> store;
    KeyValueStore<String, Long> indexes;

    @BeforeEach
    void start() {
        fx = new DriverFixture(RegistryTopology::build, stateDir);
        events = fx.input(Topics.REGISTRY.name(), RegistryEvent.class);
        scored = fx.output(Topics.HEALTH_CHECKS.name(), HealthCheckEvent.class);
        store = fx.driver.getKeyValueStore(RegistryTopology.STORE);
        indexes = fx.driver.getKeyValueStore(RegistryTopology.INDEX_STORE);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    void send(String key, Object payload, Instant at) {
        events.pipeInput(key, RegistryEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(DriverFixture.source("bus-a"))
                .setOccurredAt(at).setTraceId(null).setPayload(payload).build(), at);
    }

    static CheckDefinition ttl(String id, long ttlMs) {
        return CheckDefinition.newBuilder().setCheckId(id).setName("ttl").setType("ttl").setTtlMs(ttlMs).build();
    }

    static ServiceRegistered consul(String id, String service, List<String> tags, List<CheckDefinition> checks) {
        return ServiceRegistered.newBuilder().setInstanceId(id).setServiceName(service).setEndpoint(new Endpoint("10.0.0.1", 80, "tcp"))
                .setTags(tags).setWeights(new Weights(1, 1)).setMetadata(Map.of()).setTtlMs(0).setNode("node-a")
                .setChecks(checks).build();
    }

    CheckState check(String instance, String checkId) {
        return store.get(instance).getChecks().stream().filter(c ->
                c.getDefinition().getCheckId().equals(checkId)).findFirst().orElse(null);
    }

    long index(String scope) {
        long sum = 0;
        try (KeyValueIterator<String, Long> it = indexes.prefixScan(Scopes.prefix(scope),
                org.apache.kafka.common.serialization.Serdes.String().serializer())) {
            while (it.hasNext()) {
                sum += it.next().value;
            }
        }
        return sum;
    }

    @Test
    void aNewTtlCheckStartsCriticalTurnsPassingOnAReportAndLapsesBackWithoutRemovingTheInstance() {
        send("web-1", consul("web-1", "web", List.of(), List.of(ttl("service:web-1", 10_000))), T0);
        assertEquals("critical", check("web-1", "service:web-1").getStatus(), "Consul starts a check critical");
        assertEquals("node-a", store.get("web-1").getNode());

        send("web-1", new CheckUpdated("web-1", "service:web-1", "passing", "ok", 12.0, null), T0.plusSeconds(1));
        assertEquals("passing", check("web-1", "service:web-1").getStatus());
        assertTrue(scored.isEmpty(), "the reporter scores a report; the fold does not, or a replay would score it again");

        fx.driver.advanceWallClockTime(Duration.ofSeconds(12));
        CheckState lapsed = check("web-1", "service:web-1");
        assertEquals("critical", lapsed.getStatus(), "the TTL lapsed");
        assertEquals("TTL expired", lapsed.getOutput());
        HealthCheckResult judged = (HealthCheckResult) scored.readRecord().value().getPayload();
        assertEquals("web-1", judged.getComponentId(), "the lapse it judged is scored");
        assertEquals(io.hypermesh.events.health.CheckStatus.CRITICAL, judged.getStatus());
        assertNotNull(store.get("web-1"), "a Consul registration has no lease: the instance stays");
    }

    @Test
    void aLapseJudgedBeforeANewerReportIsIgnored() {
        send("web-1", consul("web-1", "web", List.of(), List.of(ttl("service:web-1", 10_000))), T0);
        send("web-1", new CheckUpdated("web-1", "service:web-1", "passing", "", 0.0, null), T0.plusSeconds(1));
        send("web-1", new CheckUpdated("web-1", "service:web-1", "passing", "", 0.0, null), T0.plusSeconds(9));
        send("web-1", new CheckUpdated("web-1", "service:web-1", "critical", "TTL expired", 0.0, T0.plusSeconds(1)), T0.plusSeconds(12));
        assertEquals("passing", check("web-1", "service:web-1").getStatus(), "the report logged before the judgement wins");
    }

    @Test
    void deregisterCriticalServiceAfterReapsTheInstance() {
        CheckDefinition reaping = CheckDefinition.newBuilder(ttl("service:web-1", 1_000)).setDeregisterCriticalAfterMs(5_000).build();
        send("web-1", consul("web-1", "web", List.of(), List.of(reaping)), T0);
        fx.driver.advanceWallClockTime(Duration.ofSeconds(3));
        assertNotNull(store.get("web-1"));
        fx.driver.advanceWallClockTime(Duration.ofSeconds(3));
        assertNull(store.get("web-1"), "critical for over 5 s");
    }

    @Test
    void registeringAgainKeepsChecksUnlessAskedToReplaceThem() {
        send("web-1", consul("web-1", "web", List.of(), List.of(ttl("a", 10_000), ttl("b", 10_000))), T0);
        send("web-1", new CheckUpdated("web-1", "a", "passing", "", 0.0, null), T0.plusSeconds(1));
        send("web-1", consul("web-1", "web", List.of(), List.of(ttl("a", 10_000))), T0.plusSeconds(2));
        assertEquals("passing", check("web-1", "a").getStatus(), "registered again without a status: keeps its own");
        assertNotNull(check("web-1", "b"), "not named, kept");
        send("web-1", ServiceRegistered.newBuilder(consul("web-1", "web", List.of(), List.of(ttl("a", 10_000))))
                .setReplaceExistingChecks(true).build(), T0.plusSeconds(3));
        assertNull(check("web-1", "b"), "replace-existing-checks drops what is not named");
    }

    @Test
    void indexesMoveOnlyForTheViewsAChangeShowsInAndNeverGoDown() {
        send("web-1", consul("web-1", "web", List.of("blue"), List.of(ttl("service:web-1", 60_000))), T0);
        send("db-1", consul("db-1", "db", List.of(), List.of()), T0);
        long web = index(Scopes.service("web"));
        long db = index(Scopes.service("db"));
        long services = index(Scopes.SERVICES);
        assertTrue(web > 0 && db > web, "offset + 1 of the last change of each");

        send("web-1", new ServiceHeartbeat("web-1", null), T0.plusSeconds(1));
        send("web-1", consul("web-1", "web", List.of("blue"), List.of(ttl("service:web-1", 60_000))), T0.plusSeconds(2));
        send("web-1", new CheckUpdated("web-1", "service:web-1", "critical", "", 0.0, null), T0.plusSeconds(3));
        assertEquals(web, index(Scopes.service("web")), "a heartbeat, the same registration and the same status show nothing new");

        send("web-1", new CheckUpdated("web-1", "service:web-1", "passing", "", 0.0, null), T0.plusSeconds(4));
        long afterPass = index(Scopes.service("web"));
        assertTrue(afterPass > web);
        assertEquals(services, index(Scopes.SERVICES), "a check's status is not in the catalog's service list");
        assertEquals(db, index(Scopes.service("db")), "another service's view did not change");
        assertEquals(afterPass, store.get("web-1").getModifyIndex());

        send("web-1", consul("web-1", "web", List.of("green"), List.of(ttl("service:web-1", 60_000))), T0.plusSeconds(5));
        assertTrue(index(Scopes.SERVICES) > services, "new tags change the catalog's service list");

        long beforeRemoval = index(Scopes.service("web"));
        send("web-1", new ServiceDeregistered("web-1", null), T0.plusSeconds(6));
        assertTrue(index(Scopes.service("web")) > beforeRemoval, "an emptied view moves on, it does not go back");
        assertEquals(db, index(Scopes.service("db")));
    }
}
