package io.hypermesh.streams.health;

import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.health.CheckStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HealthRulesTest {
    final HealthRules rules = new HealthRules(0.3, 250);

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
}
