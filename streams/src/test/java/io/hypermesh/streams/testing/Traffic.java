package io.hypermesh.streams.testing;

import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.LifecycleState;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.lifecycle.LifecycleTransition;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Puts a recognisable set of services, checks and lifecycle transitions on the bus; names the views that show them. */
public final class Traffic {
    public final String prefix = "t" + UUID.randomUUID().toString().substring(0, 6);
    public final List<String> services = new ArrayList<>();
    public final List<String> components = new ArrayList<>();

    public void send(Http api, BusFixture.External bus) throws Exception {
        for (int s = 0; s < 3; s++) {
            String service = prefix + "-svc" + s;
            services.add(service);
            for (int i = 0; i < 2; i++) {
                String id = service + "-" + i;
                components.add(id);
                Http.Response r = api.put("/v1/agent/service/register", "{\"ID\":\"" + id + "\",\"Name\":\"" + service
                        + "\",\"Port\":" + (8000 + i) + ",\"Tags\":[\"t" + i + "\"],\"Check\":{\"TTL\":\"10m\"}}");
                assertEquals(200, r.status(), r.body());
                String verdict = (s + i) % 3 == 0 ? "fail" : (s + i) % 3 == 1 ? "warn" : "pass";
                for (int k = 0; k < 3; k++) {
                    assertEquals(200, api.put("/v1/agent/check/" + verdict + "/service:" + id + "?latencyMs=" + (k * 100), "").status());
                }
            }
        }
        try (BusPublisher writer = BusPublisher.idempotent(bus.kafka().access(), new HttpRegistryClient(bus.registry().url()))) {
            for (String id : components) {
                int phase = 1 + Math.abs(id.hashCode()) % 7;
                for (LifecycleState[] step : new LifecycleState[][]{{LifecycleState.UNINITIALIZED, LifecycleState.STARTING},
                        {LifecycleState.STARTING, id.endsWith("1") ? LifecycleState.FAILED : LifecycleState.RUNNING}}) {
                    LifecycleEvent event = LifecycleEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                            .setSource(new EventSource(id, ComponentKind.SERVICE)).setOccurredAt(Instant.now()).setTraceId(null)
                            .setPayload(new LifecycleTransition(id, phase, step[0], step[1], null, null)).build();
                    writer.publish(Topics.LIFECYCLE.name(), id, event).get();
                }
            }
        }
    }

    /** Views that only this traffic touches, so other tests sharing the broker cannot change them. */
    public List<String> views() {
        List<String> paths = new ArrayList<>();
        for (String service : services) {
            paths.add("/v1/catalog/service/" + service);
            paths.add("/v1/health/service/" + service + "?passing");
        }
        for (String id : components) {
            paths.add("/v1/hypermesh/health/component/" + id);
            paths.add("/v1/hypermesh/lifecycle/component/" + id);
        }
        return paths;
    }

    /** The bodies of all views, or null while any of them is not answered yet. */
    public List<String> snapshot(Http api) {
        List<String> bodies = new ArrayList<>();
        for (String path : views()) {
            Http.Response r = api.get(path);
            if (r.status() != 200) {
                return null;
            }
            bodies.add(path + " -> " + r.body());
        }
        return bodies;
    }

    /** Done when every instance has its score and every component its final state. */
    public boolean settled(List<String> snapshot) {
        if (snapshot == null) {
            return false;
        }
        long lifecycleDone = snapshot.stream().filter(s -> s.contains("/v1/hypermesh/lifecycle/component/")
                && (s.contains("\"RUNNING\"") || s.contains("\"FAILED\""))).count();
        long scored = snapshot.stream().filter(s -> s.contains("/v1/hypermesh/health/component/") && s.contains("\"Samples\":3")).count();
        long listed = snapshot.stream().filter(s -> s.contains("/v1/catalog/service/")).filter(s -> s.split("\"ID\"").length == 3).count();
        return lifecycleDone == components.size() && scored == components.size() && listed == services.size();
    }
}
