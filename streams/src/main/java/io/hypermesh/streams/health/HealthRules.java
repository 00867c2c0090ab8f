package io.hypermesh.streams.health;

import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.state.HealthState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How check results become a score and a status. Each result is worth 100 (passing), 50
 * (warning) or 0 (critical), less up to 30 points when its latency exceeds the budget (at twice
 * the budget the full 30). The score is an exponentially weighted average, so recent results weigh
 * more. The status has hysteresis: it goes down only when the score falls clearly below a
 * threshold and comes back only when it rises clearly above it, so a score hovering at a threshold
 * does not flap. Each anomaly open on the component's series takes a configurable weight off the
 * score until it clears.
 */
public final class HealthRules {
    static final double HEALTHY_ENTER = 85;
    static final double HEALTHY_EXIT = 75;
    static final double UNHEALTHY_ENTER = 35;
    static final double UNHEALTHY_EXIT = 45;
    static final double MAX_LATENCY_PENALTY = 30;

    /** The check id prefix the anomaly fold reports an anomaly under: warning while open, passing once cleared. */
    public static final String ANOMALY_CHECK = "anomaly:";
    /** Open anomalies a component's state names; more count as this many. */
    static final int MOST_ANOMALIES = 32;

    private final double alpha;
    private final double latencyBudgetMs;
    private final double anomalyWeight;

    /** @param anomalyWeight points each open anomaly on the component's series takes off its score */
    public HealthRules(double alpha, double latencyBudgetMs, double anomalyWeight) {
        this.alpha = alpha;
        this.latencyBudgetMs = latencyBudgetMs;
        this.anomalyWeight = anomalyWeight;
    }

    public double sample(CheckStatus status, double latencyMs) {
        double base = switch (status) {
            case PASSING -> 100;
            case WARNING -> 50;
            case CRITICAL -> 0;
        };
        double over = Math.max(0, latencyMs - latencyBudgetMs) / latencyBudgetMs;
        return Math.max(0, base - Math.min(MAX_LATENCY_PENALTY, MAX_LATENCY_PENALTY * over));
    }

    /** The next state after one result; {@code previous} is null for a component's first result. */
    public HealthState next(HealthState previous, HealthCheckResult result, Instant at) {
        double checkScore;
        List<String> anomalies = previous == null ? new ArrayList<>() : new ArrayList<>(previous.getOpenAnomalies());
        if (result.getCheckId().startsWith(ANOMALY_CHECK)) {
            // An anomaly is no check result: it takes its weight off while it is open, and nothing once it clears.
            String id = result.getCheckId().substring(ANOMALY_CHECK.length());
            anomalies.remove(id);
            if (result.getStatus() != CheckStatus.PASSING && anomalies.size() < MOST_ANOMALIES) {
                anomalies.add(id);
            }
            checkScore = previous == null ? 100 : checkScore(previous);
        } else {
            double sample = sample(result.getStatus(), result.getLatencyMs());
            checkScore = previous == null ? sample : alpha * sample + (1 - alpha) * checkScore(previous);
        }
        double score = Math.max(0, checkScore - anomalyWeight * anomalies.size());
        HealthStatus before = previous == null ? HealthStatus.UNKNOWN : previous.getStatus();
        HealthStatus after = status(before, score);
        return HealthState.newBuilder()
                .setComponentId(result.getComponentId())
                .setScore(score)
                .setStatus(after)
                .setChangedFrom(after != before ? before : null)
                .setSamples(previous == null ? 1 : previous.getSamples() + 1)
                .setLastCheckId(result.getCheckId())
                .setLastOutput(result.getOutput())
                .setLastLatencyMs(result.getLatencyMs())
                .setLastCheckAt(at)
                .setCheckScore(checkScore)
                .setOpenAnomalies(anomalies)
                .build();
    }

    private static double checkScore(HealthState state) {
        return state.getCheckScore() != null ? state.getCheckScore() : state.getScore();
    }

    static HealthStatus status(HealthStatus current, double score) {
        switch (current) {
            case HEALTHY:
                return score < UNHEALTHY_ENTER ? HealthStatus.UNHEALTHY : score < HEALTHY_EXIT ? HealthStatus.DEGRADED
                        : HealthStatus.HEALTHY;
            case DEGRADED:
                return score >= HEALTHY_ENTER ? HealthStatus.HEALTHY : score < UNHEALTHY_ENTER ? HealthStatus.UNHEALTHY
                        : HealthStatus.DEGRADED;
            case UNHEALTHY:
                return score >= HEALTHY_ENTER ? HealthStatus.HEALTHY : score >= UNHEALTHY_EXIT ? HealthStatus.DEGRADED
                        : HealthStatus.UNHEALTHY;
            default:
                // First result: plain thresholds, midway between enter and exit.
                return score >= (HEALTHY_ENTER + HEALTHY_EXIT) / 2 ? HealthStatus.HEALTHY
                        : score < (UNHEALTHY_ENTER + UNHEALTHY_EXIT) / 2 ? HealthStatus.UNHEALTHY : HealthStatus.DEGRADED;
        }
    }
}
