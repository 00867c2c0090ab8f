package io.hypermesh.streams.health;

import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.health.CheckStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HealthRulesTest {
    final HealthRules rules = new HealthRules(0.3, 250, 20);

    @Test
    void samplesWeighStatusAndLatency() {
        assertEquals(100, rules.sample(CheckStatus.PASSING, 250));
        assertEquals(50, rules.sample(CheckStatus.WARNING, 0));
        assertEquals(0, rules.sample(CheckStatus.CRITICAL, 0));
        assertEquals(85, rules.sample(CheckStatus.PASSING, 375), 1e-9);
        assertEquals(20, rules.sample(CheckStatus.WARNING, 10_000), 1e-9);
    }

    @Test
    void statusNeedsToCrossFurtherToChangeThanToStay() {
        assertEquals(HealthStatus.HEALTHY, HealthRules.status(HealthStatus.HEALTHY, 76));
        assertEquals(HealthStatus.DEGRADED, HealthRules.status(HealthStatus.HEALTHY, 74));
        assertEquals(HealthStatus.DEGRADED, HealthRules.status(HealthStatus.DEGRADED, 84));
        assertEquals(HealthStatus.HEALTHY, HealthRules.status(HealthStatus.DEGRADED, 85));
        assertEquals(HealthStatus.UNHEALTHY, HealthRules.status(HealthStatus.UNHEALTHY, 44));
        assertEquals(HealthStatus.DEGRADED, HealthRules.status(HealthStatus.UNHEALTHY, 45));
        assertEquals(HealthStatus.HEALTHY, HealthRules.status(HealthStatus.UNKNOWN, 80));
        assertEquals(HealthStatus.UNHEALTHY, HealthRules.status(HealthStatus.UNKNOWN, 39));
    }

    @Test
    void anOpenAnomalyTakesItsWeightOffUntilItClearsAndLeavesTheChecksAverageAlone() {
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
        io.hypermesh.state.HealthState s = rules.next(null, result(CheckStatus.PASSING, "http"), t);
        assertEquals(100, s.getScore(), 1e-9);
        s = rules.next(s, result(CheckStatus.WARNING, HealthRules.ANOMALY_CHECK + "latency@401"), t);
        assertEquals(80, s.getScore(), 1e-9);
        assertEquals(HealthStatus.HEALTHY, s.getStatus(), "above the hysteresis' 75");
        // The same anomaly told twice (a replay, a retry) counts once; a second one counts too.
        s = rules.next(s, result(CheckStatus.WARNING, HealthRules.ANOMALY_CHECK + "latency@401"), t);
        s = rules.next(s, result(CheckStatus.WARNING, HealthRules.ANOMALY_CHECK + "loss@77"), t);
        assertEquals(60, s.getScore(), 1e-9);
        assertEquals(HealthStatus.DEGRADED, s.getStatus());
        s = rules.next(s, result(CheckStatus.PASSING, "http"), t);
        assertEquals(60, s.getScore(), 1e-9, "the checks' average is still 100");
        s = rules.next(s, result(CheckStatus.PASSING, HealthRules.ANOMALY_CHECK + "latency@401"), t);
        s = rules.next(s, result(CheckStatus.PASSING, HealthRules.ANOMALY_CHECK + "loss@77"), t);
        assertEquals(100, s.getScore(), 1e-9);
        assertEquals(java.util.List.of(), s.getOpenAnomalies());
        assertEquals(HealthStatus.HEALTHY, s.getStatus());
    }

    static io.hypermesh.events.health.HealthCheckResult result(CheckStatus status, String checkId) {
        return new io.hypermesh.events.health.HealthCheckResult("db-1", checkId, status, 1.0, null);
    }
}
