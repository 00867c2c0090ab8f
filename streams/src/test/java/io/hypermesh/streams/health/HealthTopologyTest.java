package io.hypermesh.streams.health;

import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.health.HealthScore;
import io.hypermesh.events.health.HealthScoreEvent;
import io.hypermesh.events.health.HealthTransition;
import io.hypermesh.events.health.HealthTransitionEvent;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.HealthState;
import io.hypermesh.streams.testing.DriverFixture;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static io.hypermesh.streams.testing.DriverFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthTopologyTest {
    @TempDir
    Path stateDir;
    DriverFixture fx;
    TestInputTopic<String, HealthCheckEvent> checks;
    TestOutputTopic<String, HealthScoreEvent> scores;
    TestOutputTopic<String, HealthTransitionEvent> transitions;
    KeyValueStore<String, HealthState> store;
    int seconds;

    @BeforeEach
    void start() {
        fx = new DriverFixture(HealthTopology::build, stateDir);
        checks = fx.input(Topics.HEALTH_CHECKS.name(), HealthCheckEvent.class);
        scores = fx.output(Topics.HEALTH_SCORES.name(), HealthScoreEvent.class);
        transitions = fx.output(Topics.HEALTH_TRANSITIONS.name(), HealthTransitionEvent.class);
        store = fx.driver.getKeyValueStore(HealthTopology.STORE);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    void check(String component, CheckStatus status, double latencyMs) {
        var at = T0.plusSeconds(seconds++);
        checks.pipeInput(component, HealthCheckEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSource(DriverFixture.source(component)).setOccurredAt(at).setTraceId(null)
                .setPayload(new HealthCheckResult(component, "http", status, latencyMs, null)).build(), at);
    }

    List<String> transitionsSeen() {
        return transitions.readValuesToList().stream().map(e -> {
            HealthTransition t = (HealthTransition) e.getPayload();
            return t.getFrom() + "->" + t.getTo();
        }).toList();
    }

    @Test
    void failuresDegradeThenMakeUnhealthyAndRecoveryComesBack() {
        for (int i = 0; i < 3; i++) {
            check("etcd-1", CheckStatus.PASSING, 5);
        }
        assertEquals(HealthStatus.HEALTHY, store.get("etcd-1").getStatus());
        assertEquals(100, Math.round(store.get("etcd-1").getScore()));
        check("etcd-1", CheckStatus.CRITICAL, 5);
        assertEquals(HealthStatus.DEGRADED, store.get("etcd-1").getStatus(), "one failure: 70");
        check("etcd-1", CheckStatus.CRITICAL, 5);
        check("etcd-1", CheckStatus.CRITICAL, 5);
        assertEquals(HealthStatus.UNHEALTHY, store.get("etcd-1").getStatus());
        for (int i = 0; i < 8; i++) {
            check("etcd-1", CheckStatus.PASSING, 5);
        }
        assertEquals(HealthStatus.HEALTHY, store.get("etcd-1").getStatus());
        assertEquals(List.of("UNKNOWN->HEALTHY", "HEALTHY->DEGRADED", "DEGRADED->UNHEALTHY", "UNHEALTHY->DEGRADED",
                "DEGRADED->HEALTHY"), transitionsSeen());

        List<HealthScoreEvent> published = scores.readValuesToList();
        assertEquals(14, published.size(), "every result publishes a score");
        HealthScore last = (HealthScore) published.get(published.size() - 1).getPayload();
        assertEquals(HealthStatus.HEALTHY, last.getStatus());
        assertEquals(14, last.getSamples());
    }

    @Test
    void hysteresisKeepsAScoreHoveringAtAThresholdFromFlapping() {
        for (int i = 0; i < 3; i++) {
            check("c", CheckStatus.PASSING, 5);
        }
        transitions.readValuesToList();
        // Alternating results hold the score around 80: above the exit threshold, below the entry one.
        for (int i = 0; i < 12; i++) {
            check("c", i % 3 == 0 ? CheckStatus.WARNING : CheckStatus.PASSING, 5);
        }
        assertTrue(transitionsSeen().isEmpty(), "no flapping around the threshold");
        assertEquals(HealthStatus.HEALTHY, store.get("c").getStatus());
    }

    @Test
    void latencyOverBudgetLowersTheScore() {
        check("fast", CheckStatus.PASSING, 10);
        check("slow", CheckStatus.PASSING, 500);
        assertEquals(100, Math.round(store.get("fast").getScore()));
        assertEquals(70, Math.round(store.get("slow").getScore()), "twice the 250 ms budget costs the full 30 points");
    }

    @Test
    void invalidResultsAreDeadLetteredAndDoNotTouchTheScore() {
        check("c", CheckStatus.PASSING, 5);
        check("c", CheckStatus.PASSING, -1);
        assertEquals(1, store.get("c").getSamples());
        assertTrue(((io.hypermesh.events.deadletter.DeadLetter) fx.deadLetters().readValue().getPayload()).getReason()
                .contains("latencyMs"));
    }

    @Test
    void aTombstoneIsDeadLetteredNotSkipped() {
        checks.pipeInput("web-1", null);
        String reason = ((io.hypermesh.events.deadletter.DeadLetter) fx.deadLetters().readValue().getPayload()).getReason();
        assertTrue(reason.contains("a tombstone (null value) on hypermesh.health.checks"), reason);
    }

}
