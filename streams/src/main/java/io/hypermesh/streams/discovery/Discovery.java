package io.hypermesh.streams.discovery;

import io.hypermesh.events.HealthStatus;
import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.HealthState;
import io.hypermesh.state.ServiceInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** Joining, filtering and weighted choice over a service's instances, Consul style. */
public final class Discovery {
    private Discovery() {
    }

    /**
     * Each instance with the health of its health component. An instance without any health
     * result is UNKNOWN, which counts as passing (as Consul does for a service without checks).
     */
    public static List<DiscoveredInstance> join(List<ServiceInstance> instances, Map<String, HealthState> healthByComponent) {
        List<DiscoveredInstance> out = new ArrayList<>(instances.size());
        for (ServiceInstance instance : instances) {
            HealthState health = healthByComponent.get(instance.getHealthComponentId());
            out.add(new DiscoveredInstance(instance, health == null ? HealthStatus.UNKNOWN : health.getStatus(),
                    health == null ? null : (int) Math.round(health.getScore())));
        }
        return out;
    }

    /** Passing means healthy, or no health result yet (no checks); unhealthy instances are never passing. */
    public static boolean passing(DiscoveredInstance d) {
        return d.getStatus() == HealthStatus.HEALTHY || d.getStatus() == HealthStatus.UNKNOWN;
    }

    public static List<DiscoveredInstance> filter(List<DiscoveredInstance> instances, boolean passingOnly, List<String> tags) {
        List<DiscoveredInstance> out = new ArrayList<>();
        for (DiscoveredInstance d : instances) {
            if ((!passingOnly || passing(d)) && d.getInstance().getTags().containsAll(tags)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Weight of an instance in a weighted choice: the passing weight when passing, the warning weight when degraded. */
    public static int weight(DiscoveredInstance d) {
        if (passing(d)) {
            return d.getInstance().getWeightPassing();
        }
        return d.getStatus() == HealthStatus.DEGRADED ? d.getInstance().getWeightWarning() : 0;
    }

    /** Picks one instance with probability proportional to its weight; empty when none has weight. */
    public static Optional<DiscoveredInstance> pick(List<DiscoveredInstance> candidates, RandomGenerator random) {
        long total = 0;
        for (DiscoveredInstance d : candidates) {
            total += weight(d);
        }
        if (total <= 0) {
            return Optional.empty();
        }
        long ticket = random.nextLong(total);
        for (DiscoveredInstance d : candidates) {
            ticket -= weight(d);
            if (ticket < 0) {
                return Optional.of(d);
            }
        }
        throw new IllegalStateException("unreachable: weights changed during the pick");
    }
}
