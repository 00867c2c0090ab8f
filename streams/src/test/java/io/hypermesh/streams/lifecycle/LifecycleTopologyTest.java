package io.hypermesh.streams.lifecycle;

import io.hypermesh.events.LifecycleState;
import io.hypermesh.events.lifecycle.CommandAction;
import io.hypermesh.events.lifecycle.ComponentHeartbeat;
import io.hypermesh.events.lifecycle.LifecycleCommand;
import io.hypermesh.events.lifecycle.LifecycleCommandEvent;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.lifecycle.LifecycleTransition;
import io.hypermesh.events.lifecycle.PhaseProgress;
import io.hypermesh.events.lifecycle.PhaseState;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.ComponentState;
import io.hypermesh.state.PhaseStatus;
import io.hypermesh.streams.testing.DriverFixture;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static io.hypermesh.streams.testing.DriverFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecycleTopologyTest {
    @TempDir
    Path stateDir;
    DriverFixture fx;
    TestInputTopic<String, LifecycleEvent> events;
    TestInputTopic<String, LifecycleCommandEvent> commands;
    KeyValueStore<String, ComponentState> components;
    KeyValueStore<String, PhaseStatus> phases;

    @BeforeEach
    void start() {
        fx = new DriverFixture(LifecycleTopology::build, stateDir);
        events = fx.input(Topics.LIFECYCLE.name(), LifecycleEvent.class);
        commands = fx.input(Topics.LIFECYCLE_COMMANDS.name(), LifecycleCommandEvent.class);
        components = fx.driver.getKeyValueStore(LifecycleTopology.COMPONENTS_STORE);
        phases = fx.driver.getKeyValueStore(LifecycleTopology.PHASES_STORE);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    void transition(String id, int phase, LifecycleState from, LifecycleState to) {
        events.pipeInput(id, LifecycleEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(DriverFixture.source(id))
                .setOccurredAt(T0).setTraceId(null).setPayload(new LifecycleTransition(id, phase, from, to, null, null)).build());
    }

    void command(String id, int phase, CommandAction action, long epoch) {
        commands.pipeInput(id, LifecycleCommandEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSource(DriverFixture.source("coordinator")).setOccurredAt(T0).setTraceId(null)
                .setPayload(new LifecycleCommand("cmd-" + id + "-" + epoch, id, action, phase, epoch, null)).build());
    }

    @Test
    void transitionsAndCommandsFoldPerComponentAndCountPerPhase() {
        command("etcd-1", 2, CommandAction.START, 1);
        transition("etcd-1", 2, LifecycleState.UNINITIALIZED, LifecycleState.STARTING);
        transition("etcd-2", 2, LifecycleState.UNINITIALIZED, LifecycleState.STARTING);
        transition("etcd-1", 2, LifecycleState.STARTING, LifecycleState.RUNNING);
        transition("net-1", 1, LifecycleState.STARTING, LifecycleState.RUNNING);

        ComponentState etcd1 = components.get("etcd-1");
        assertEquals(LifecycleState.RUNNING, etcd1.getState());
        assertEquals("START", etcd1.getLastCommandAction());
        assertEquals(1L, etcd1.getCoordinatorEpoch());

        PhaseStatus two = phases.get("2");
        assertEquals(2, two.getTotal());
        assertEquals(Map.of("RUNNING", 1, "STARTING", 1), two.getCountsByState());
        assertEquals(Map.of("RUNNING", 1), phases.get("1").getCountsByState());

        transition("etcd-2", 2, LifecycleState.STARTING, LifecycleState.FAILED);
        assertEquals(Map.of("RUNNING", 1, "FAILED", 1), phases.get("2").getCountsByState());
        assertEquals(2, phases.get("2").getTotal(), "a component changing state is not counted twice");
    }

    @Test
    void heartbeatsAndPhaseReportsDoNotInventState() {
        events.pipeInput("phase-3", LifecycleEvent.newBuilder().setEventId("p").setSource(DriverFixture.source("c"))
                .setOccurredAt(T0).setTraceId(null).setPayload(new PhaseProgress(3, "consensus", 0, 3, PhaseState.RUNNING)).build());
        assertNull(components.get("phase-3"));
        transition("x", 4, LifecycleState.STARTING, LifecycleState.RUNNING);
        events.pipeInput("x", LifecycleEvent.newBuilder().setEventId("h").setSource(DriverFixture.source("x"))
                .setOccurredAt(T0.plusSeconds(5)).setTraceId(null).setPayload(new ComponentHeartbeat("x", LifecycleState.RUNNING,
                        5000L)).build());
        assertEquals(T0.plusSeconds(5), components.get("x").getLastHeartbeatAt());
        assertEquals(LifecycleState.RUNNING, components.get("x").getState());
    }

    @Test
    void commandsFromAFencedCoordinatorAreRefused() {
        command("etcd-1", 2, CommandAction.START, 5);
        command("etcd-1", 2, CommandAction.STOP, 4);
        assertEquals("START", components.get("etcd-1").getLastCommandAction());
        assertTrue(((io.hypermesh.events.deadletter.DeadLetter) fx.deadLetters().readValue().getPayload()).getReason()
                .contains("fenced coordinator"));
    }

    @Test
    void tombstonesOnEitherInputAreDeadLetteredNotSkipped() {
        events.pipeInput("c-1", null);
        commands.pipeInput("c-1", null);
        var letters = fx.deadLetters().readValuesToList();
        assertEquals(2, letters.size());
        assertTrue(letters.get(0).toString().contains("tombstone (null value) on hypermesh.lifecycle "), letters.get(0).toString());
        assertTrue(letters.get(1).toString().contains("tombstone (null value) on hypermesh.lifecycle.commands"), letters.get(1).toString());
    }

}
