package io.hypermesh.streams.app;

import io.hypermesh.events.Endpoint;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.lifecycle.PhaseProgress;
import io.hypermesh.events.lifecycle.PhaseState;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.PhaseRun;
import io.hypermesh.streams.DeadLetterHandler;
import io.hypermesh.streams.lifecycle.LifecycleTopology;
import io.hypermesh.streams.lifecycle.PhaseRuns;
import io.hypermesh.streams.metrics.FoldMeters;
import io.hypermesh.streams.testing.DriverFixture;
import io.hypermesh.streams.testing.Scrape;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every record a fold takes is counted once, by how it ended; applied ones are timed from their occurredAt. */
class FoldMetricsTest {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DriverFixture fx;

    @BeforeEach
    void start(@TempDir Path dir) {
        FoldMeters meters = new FoldMeters(registry);
        fx = new DriverFixture((settings, serdes) -> BusTopology.build(settings, serdes, null, null, null, meters),
                DriverFixture.settings(dir), Map.of(DeadLetterHandler.METRICS_CONFIG, meters));
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    double value(String name, String... labels) {
        return new Scrape(registry.scrape()).value(name, labels).orElse(Double.NaN);
    }

    static ServiceRegistered registration(String id) {
        return ServiceRegistered.newBuilder().setInstanceId(id).setServiceName("web").setEndpoint(new Endpoint("10.0.0.1", 8080, "tcp"))
                .setTags(List.of()).setWeights(new Weights(1, 1)).setMetadata(Map.of()).setTtlMs(10_000).build();
    }

    @Test
    void appliedRefusedAndUndecodableRecordsAreCountedApart() {
        var registrations = fx.input(Topics.REGISTRY.name(), RegistryEvent.class);
        Instant occurred = Instant.now().minusMillis(1_500);
        registrations.pipeInput("web-1", Envelopes.wrap(Topics.REGISTRY, UUID.randomUUID().toString(), DriverFixture.source("t"), occurred,
                registration("web-1")));
        registrations.pipeInput("web-2", Envelopes.wrap(Topics.REGISTRY, DriverFixture.source("t"), registration("web-2")));
        // Refused: a registration with no service name breaks the registry's rules.
        ServiceRegistered nameless = registration("web-3");
        nameless.setServiceName("");
        registrations.pipeInput("web-3", Envelopes.wrap(Topics.REGISTRY, DriverFixture.source("t"), nameless));
        fx.rawInput(Topics.REGISTRY.name()).pipeInput("web-4".getBytes(), new byte[]{0, 0, 0, 0, 9, 1});
        fx.rawInput(Topics.REGISTRY.name()).pipeInput("web-5".getBytes(), "not avro".getBytes());

        String registry = Topics.REGISTRY.name();
        assertEquals(2, value("hypermesh_events_folded_total", "fold", "registry", "topic", registry, "outcome", "applied"));
        assertEquals(1, value("hypermesh_events_folded_total", "fold", "registry", "topic", registry, "outcome", "refused"));
        assertEquals(2, value("hypermesh_events_folded_total", "fold", "registry", "topic", registry, "outcome", "undecodable"));
        assertEquals(1, value("hypermesh_dead_letters_total", "topic", registry, "reason", "invalid"));
        assertEquals(2, value("hypermesh_dead_letters_total", "topic", registry, "reason", "undecodable"));
        // The refused one went to the dead-letter topic (the driver does not capture what a deserialization handler sends).
        assertEquals(1, fx.deadLetters().readValuesToList().size());

        assertEquals(2, value("hypermesh_propagation_seconds_count", "fold", "registry"));
        // The first was applied 1.5 s after it occurred: above the 1 s bucket, within 2.5 s.
        assertEquals(1, value("hypermesh_propagation_seconds_bucket", "fold", "registry", "le", "1.0"));
        assertEquals(2, value("hypermesh_propagation_seconds_bucket", "fold", "registry", "le", "2.5"));
        assertTrue(value("hypermesh_propagation_seconds_sum", "fold", "registry") >= 1.5);
    }

    @Test
    void eachFoldCountsUnderItsOwnName() {
        fx.input(Topics.HEALTH_CHECKS.name(), HealthCheckEvent.class).pipeInput("web-1", Envelopes.wrap(Topics.HEALTH_CHECKS,
                DriverFixture.source("web-1"), new HealthCheckResult("web-1", "web-1:http", CheckStatus.PASSING, 3.0, null)));
        fx.input(Topics.LIFECYCLE.name(), LifecycleEvent.class).pipeInput("phase-2", Envelopes.wrap(Topics.LIFECYCLE,
                DriverFixture.source("coordinator"), new PhaseProgress(2, "Core Services", 0, 3, PhaseState.RUNNING)));
        assertEquals(1, value("hypermesh_events_folded_total", "fold", "health", "outcome", "applied"));
        assertEquals(1, value("hypermesh_events_folded_total", "fold", "lifecycle", "topic", Topics.LIFECYCLE.name(), "outcome",
                "applied"));
        assertEquals(1, value("hypermesh_propagation_seconds_count", "fold", "health"));
        assertEquals(1, value("hypermesh_propagation_seconds_count", "fold", "lifecycle"));
    }

    @Test
    void aPhaseRunStartsWhenItGoesRunningAndEndsInAFinalState() {
        var lifecycle = fx.input(Topics.LIFECYCLE.name(), LifecycleEvent.class);
        Instant t0 = Instant.parse("2026-11-30T10:00:00Z");
        List<PhaseState> states = List.of(PhaseState.RUNNING, PhaseState.RUNNING, PhaseState.COMPLETED, PhaseState.ROLLING_BACK,
                PhaseState.ROLLED_BACK, PhaseState.RUNNING);
        KeyValueStore<String, PhaseRun> runs = fx.driver.getKeyValueStore(LifecycleTopology.PHASE_RUNS_STORE);
        for (int i = 0; i < states.size(); i++) {
            lifecycle.pipeInput("phase-3", Envelopes.wrap(Topics.LIFECYCLE, UUID.randomUUID().toString(),
                    DriverFixture.source("coordinator"),
                    t0.plusSeconds(10L * i), new PhaseProgress(3, "Platform Services", i, 4, states.get(i))));
            PhaseRun run = runs.get("phase-3");
            assertEquals(states.get(i).name(), run.getState());
            assertEquals("Platform Services", run.getName());
            switch (i) {
                case 0, 1 -> {
                    assertEquals(t0, run.getStartedAt(), "a report while running does not restart it");
                    assertNull(run.getEndedAt());
                }
                case 2 -> assertEquals(Duration.ofSeconds(20), PhaseRuns.duration(run, Instant.MAX));
                case 3 -> assertNull(run.getEndedAt(), "rolling back is under way");
                case 4 -> assertEquals(Duration.ofSeconds(40), PhaseRuns.duration(run, Instant.MAX),
                        "from the run's start to rolled back");
                default -> {
                    assertEquals(t0.plusSeconds(50), run.getStartedAt(), "running again is a new run");
                    assertEquals(Duration.ofSeconds(5), PhaseRuns.duration(run, t0.plusSeconds(55)),
                            "while it runs, until now");
                }
            }
        }
        // Component state is not touched by the coordinator's reports.
        assertNull(fx.driver.<String, Object>getKeyValueStore(LifecycleTopology.COMPONENTS_STORE).get("phase-3"));
    }

    @Test
    void thePlatformStateIsItsWorstPhase() {
        Instant at = Instant.EPOCH;
        java.util.function.Function<String, PhaseRun> run = state -> new PhaseRun(1, "p", state, 0, 1, at, null, at);
        assertEquals("PENDING", PhaseRuns.platformState(List.of()));
        assertEquals("PENDING", PhaseRuns.platformState(List.of(run.apply("PENDING"))));
        assertEquals("STARTING", PhaseRuns.platformState(List.of(run.apply("COMPLETED"), run.apply("RUNNING"))));
        assertEquals("RUNNING", PhaseRuns.platformState(List.of(run.apply("COMPLETED"), run.apply("COMPLETED"))));
        assertEquals("DEGRADED", PhaseRuns.platformState(List.of(run.apply("COMPLETED"), run.apply("DEGRADED"))));
        assertEquals("FAILED", PhaseRuns.platformState(List.of(run.apply("DEGRADED"), run.apply("FAILED"))));
        assertEquals("ROLLED_BACK", PhaseRuns.platformState(List.of(run.apply("FAILED"), run.apply("ROLLED_BACK"))));
    }
}
