package io.hypermesh.streams.api.views;

import io.hypermesh.state.ComponentState;
import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.HealthState;
import io.hypermesh.state.PhaseStatus;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.discovery.Discovery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON shapes of our own views (under /v1/hypermesh); Consul's are {@link io.hypermesh.streams.api.consul.ConsulJson}. Deterministic
 * order throughout.
 */
public final class Views {
    private Views() {
    }

    static JsonArray instances(List<DiscoveredInstance> instances) {
        JsonArray out = new JsonArray();
        instances.forEach(d -> out.add(instance(d)));
        return out;
    }

    public static JsonObject instance(DiscoveredInstance d) {
        ServiceInstance i = d.getInstance();
        return new JsonObject()
                .put("ID", i.getInstanceId())
                .put("Service", i.getServiceName())
                .put("Address", i.getEndpoint().getHost())
                .put("Port", i.getEndpoint().getPort())
                .put("Protocol", i.getEndpoint().getProtocol())
                .put("Tags", new JsonArray(new ArrayList<>(i.getTags())))
                .put("Meta", new JsonObject(new TreeMap<String, Object>(i.getMetadata())))
                .put("Weights", new JsonObject().put("Passing", i.getWeightPassing()).put("Warning", i.getWeightWarning()))
                .put("Status", consulStatus(d))
                .put("Health", d.getStatus().name())
                .put("Score", d.getScore())
                .put("HealthComponent", i.getHealthComponentId())
                .put("TTLMs", i.getTtlMs())
                .put("RegisteredAt", i.getRegisteredAt().toString())
                .put("LastHeartbeatAt", i.getLastHeartbeatAt().toString());
    }

    /** Consul's words for check states. */
    static String consulStatus(DiscoveredInstance d) {
        if (Discovery.passing(d)) {
            return "passing";
        }
        return d.getStatus() == io.hypermesh.events.HealthStatus.DEGRADED ? "warning" : "critical";
    }

    static JsonObject health(HealthState h) {
        return new JsonObject()
                .put("ComponentID", h.getComponentId())
                .put("Score", Math.round(h.getScore()))
                .put("Status", h.getStatus().name())
                .put("Samples", h.getSamples())
                .put("LastCheckID", h.getLastCheckId())
                .put("LastOutput", h.getLastOutput())
                .put("LastLatencyMs", h.getLastLatencyMs())
                .put("LastCheckAt", h.getLastCheckAt().toString());
    }

    static JsonArray healthList(List<HealthState> states) {
        JsonArray out = new JsonArray();
        states.forEach(h -> out.add(health(h)));
        return out;
    }

    static JsonObject component(ComponentState c) {
        return new JsonObject()
                .put("ComponentID", c.getComponentId())
                .put("Phase", c.getPhase())
                .put("State", c.getState().name())
                .put("Reason", c.getReason())
                .put("LastCommandID", c.getLastCommandId())
                .put("LastCommand", c.getLastCommandAction())
                .put("CoordinatorEpoch", c.getCoordinatorEpoch())
                .put("UpdatedAt", c.getUpdatedAt().toString())
                .put("LastHeartbeatAt", c.getLastHeartbeatAt() == null ? null : c.getLastHeartbeatAt().toString());
    }

    static JsonArray components(List<ComponentState> states) {
        JsonArray out = new JsonArray();
        states.forEach(c -> out.add(component(c)));
        return out;
    }

    public static JsonObject phase(PhaseStatus p) {
        Map<String, Object> counts = new TreeMap<>(p.getCountsByState());
        return new JsonObject().put("Phase", p.getPhase()).put("Total", p.getTotal()).put("ByState", new JsonObject(counts));
    }

    static JsonArray phases(List<PhaseStatus> statuses) {
        List<PhaseStatus> sorted = new ArrayList<>(statuses);
        sorted.removeIf(p -> p.getTotal() == 0);
        sorted.sort(java.util.Comparator.comparingInt(PhaseStatus::getPhase));
        JsonArray out = new JsonArray();
        sorted.forEach(p -> out.add(phase(p)));
        return out;
    }
}
