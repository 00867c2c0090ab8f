package io.hypermesh.streams.api;

import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.PhaseStatus;
import io.hypermesh.streams.lifecycle.LifecycleTopology;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live dashboard: one page (no build step, no external assets) and one view behind it —
 * instances with their health and a short score history, phase progress and the audit tail —
 * that the page follows as a server-sent event stream like any other view.
 */
public final class Dashboard {
    static final int HISTORY = 40;
    private final StoreAccess stores;
    private final ServiceDirectory directory;
    private final AuditTail audit;
    private final Buffer page;
    /** Score changes per health component, oldest first: the sparklines. */
    private final Map<String, Deque<Integer>> history = new LinkedHashMap<>();

    public Dashboard(StoreAccess stores, AuditTail audit) {
        this.stores = stores;
        this.directory = new ServiceDirectory(stores);
        this.audit = audit;
        try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/index.html")) {
            this.page = Buffer.buffer(in.readAllBytes());
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("the dashboard page is missing from the jar", e));
        }
    }

    Buffer page() {
        return page;
    }

    /** Samples the scores on a timer, so the history exists before anyone looks. */
    Future<Void> sample() {
        return directory.all().map(all -> {
            record(all);
            return null;
        });
    }

    /** Appends each score that differs from the last one seen of its component. */
    private void record(List<DiscoveredInstance> all) {
        synchronized (history) {
            for (DiscoveredInstance d : all) {
                if (d.getScore() == null) {
                    continue; // registered, no check result yet: nothing to chart
                }
                Deque<Integer> h = history.computeIfAbsent(d.getInstance().getHealthComponentId(), k -> new ArrayDeque<>());
                if (h.isEmpty() || !h.peekLast().equals(d.getScore())) {
                    h.addLast(d.getScore());
                    while (h.size() > HISTORY) {
                        h.removeFirst();
                    }
                }
            }
        }
    }

    Future<Object> overview() {
        Future<List<DiscoveredInstance>> instances = directory.all();
        Future<List<PhaseStatus>> phases = stores.scan(LifecycleTopology.PHASES_STORE);
        return Future.all(instances, phases).map(done -> {
            record(instances.result()); // a streamed view renders every 100 ms: finer than the timer
            JsonArray rows = new JsonArray();
            for (DiscoveredInstance d : instances.result()) {
                JsonObject row = Views.instance(d);
                Deque<Integer> h;
                synchronized (history) {
                    h = history.get(d.getInstance().getHealthComponentId());
                    row.put("History", new JsonArray(h != null ? List.copyOf(h) : d.getScore() == null ? List.of() : List.of(d.getScore())));
                }
                rows.add(row);
            }
            return new JsonObject().put("Instances", rows).put("Phases", Views.phases(phases.result()))
                    .put("Audit", new JsonArray(List.copyOf(audit.recent())));
        });
    }
}
