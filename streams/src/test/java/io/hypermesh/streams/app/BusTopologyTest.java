package io.hypermesh.streams.app;

import io.hypermesh.events.LifecycleState;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.lifecycle.LifecycleTransition;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.registry.RegistryTopology;
import io.hypermesh.streams.testing.DriverFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The whole bus topology rings only the scopes a change shows in, so watchers of other views sleep on. */
class BusTopologyTest {
    final ChangeSignal changes = new ChangeSignal();
    DriverFixture fx;

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void aLifecycleOrHealthChangeWakesItsOwnViewsAndNoServiceWatcher(@TempDir Path dir) {
        fx = new DriverFixture((settings, serdes) -> BusTopology.build(settings, serdes, changes, null, null,
                io.hypermesh.streams.FoldMetrics.NONE), dir);
        List<String> service = List.of(RegistryTopology.Scopes.service("web"));
        List<String> component = List.of(ChangeSignal.lifecycle("adapter-1"));
        List<String> components = List.of(ChangeSignal.LIFECYCLE);
        List<String> phases = List.of(ChangeSignal.PHASES);
        List<String> health = List.of(ChangeSignal.health("web-1"), ChangeSignal.HEALTH);
        long serviceBefore = changes.stamp(service);
        long componentBefore = changes.stamp(component);
        long componentsBefore = changes.stamp(components);
        long phasesBefore = changes.stamp(phases);
        long healthBefore = changes.stamp(health);

        fx.input(Topics.LIFECYCLE.name(), LifecycleEvent.class).pipeInput("adapter-1", Envelopes.wrap(Topics.LIFECYCLE,
                DriverFixture.source("adapter-1"), new LifecycleTransition("adapter-1", 1, LifecycleState.UNINITIALIZED,
                        LifecycleState.READY, null, null)));
        assertNotEquals(componentBefore, changes.stamp(component), "the component's own view");
        assertNotEquals(componentsBefore, changes.stamp(components), "the list of components");
        assertNotEquals(phasesBefore, changes.stamp(phases), "the phase counts it changed");
        assertEquals(serviceBefore, changes.stamp(service), "not a watcher of a service");
        assertEquals(healthBefore, changes.stamp(health), "not a watcher of health");

        fx.input(Topics.HEALTH_CHECKS.name(), HealthCheckEvent.class).pipeInput("web-1", Envelopes.wrap(Topics.HEALTH_CHECKS,
                DriverFixture.source("web-1"), new HealthCheckResult("web-1", "web-1:http", CheckStatus.PASSING, 3.0, null)));
        assertNotEquals(healthBefore, changes.stamp(health), "the component's score and the list of scores");
        assertEquals(serviceBefore, changes.stamp(service), "still not a watcher of a service");
    }
}
