package io.hypermesh.streams.api.dashboard;

import io.hypermesh.streams.api.stores.FoldStores;

import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.views.Views;
import io.hypermesh.streams.api.views.ViewRendering;
import io.hypermesh.events.HealthStatus;
import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.HealthState;
import io.hypermesh.state.ComponentState;
import io.hypermesh.state.PhaseRun;
import io.hypermesh.state.PhaseStatus;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.discovery.Discovery;
import io.hypermesh.streams.health.HealthTopology;
import io.hypermesh.streams.registry.RegistryTopology;
import io.hypermesh.streams.lifecycle.LifecycleTopology;
import io.hypermesh.streams.lifecycle.PhaseRuns;
import io.hypermesh.streams.metrics.EventFlow;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The live dashboard: one page (no build step, no external assets) and one view behind it —
 * counts of everything, one bounded page of instances (worst health first) with a short score
 * history, phase progress and the audit tail — that the page follows as a server-sent event stream.
 *
 * <p>However many clients watch, the instances are read and joined once per change, at most every
 * {@link #MIN_GAP_MS}, on a worker thread; each client is then sent only its page, never the whole
 * view (23,000 instances are about 8 MB).
 */
public final class Dashboard {
    static final int HISTORY = 40;
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;
    /** People look at a dashboard: once a second is live enough, and costs a quarter of every 250 ms. */
    static final long MIN_GAP_MS = 1_000;
    private static final int REMEMBERED_PAGES = 64;
    /** Worst first, then by service and instance id: what needs a look is on the first page. */
    private static final Comparator<DiscoveredInstance> WORST_FIRST = Comparator
            .comparingInt((DiscoveredInstance d) -> severity(d.getStatus()))
            .thenComparing(d -> d.getInstance().getServiceName())
            .thenComparing(d -> d.getInstance().getInstanceId());

    private final Vertx vertx;
    private final FoldStores stores;
    private final ChangeSignal changes;
    private final AuditTail audit;
    private final DeadLetterTail deadLetters;
    private final SchemaCatalog schemas;
    private final EventFlow flow;
    private final Buffer page;
    /** Score changes per health component, oldest first: the sparklines. Touched by one snapshot at a time. */
    private final Map<String, Deque<Integer>> history = new HashMap<>();
    private final SampleCadence cadence = new SampleCadence();
    /** The newest snapshot, or the one being taken; replaced on the event loop only. */
    private Snapshot latest;

    /** The change scope the dashboard alone shows: the event flow, the dead letters and the audit tail. */
    public static final String SCOPE = "dashboard";

    public Dashboard(Vertx vertx, FoldStores stores, ChangeSignal changes, AuditTail audit, DeadLetterTail deadLetters,
                     SchemaCatalog schemas, EventFlow flow) {
        this.vertx = vertx;
        this.stores = stores;
        this.changes = changes;
        this.audit = audit;
        this.deadLetters = deadLetters;
        this.schemas = schemas;
        this.flow = flow;
        try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/index.html")) {
            this.page = Buffer.buffer(in.readAllBytes());
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("the dashboard page is missing from the jar", e));
        }
    }

    public Buffer page() {
        return page;
    }

    /** What one client asked to see: at most {@code limit} rows from {@code offset}, of services containing {@code filter}. */
    public record PageRequest(int offset, int limit, String filter) {
        public static PageRequest of(String offset, String limit, String filter) {
            return new PageRequest(number("offset", offset, 0, 0, Integer.MAX_VALUE), number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT),
                    filter == null || filter.isEmpty() ? null : filter.toLowerCase(Locale.ROOT));
        }

        private static int number(String name, String text, int absent, int min, int max) {
            if (text == null || text.isEmpty()) {
                return absent;
            }
            try {
                long n = Long.parseLong(text);
                if (n >= min && n <= max) {
                    return (int) n;
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            throw ApiException.badRequest(name + " must be a whole number from " + min + " to " + max + ", was '" + text + "'");
        }
    }

    /** Samples the scores and the flow as often as {@link SampleCadence} says, so the history exists before anyone looks. */
    public Future<Void> sample() {
        if (!cadence.due()) {
            return Future.succeededFuture();
        }
        if (flow.sample()) {
            changes.ring(SCOPE);
        }
        return snapshot().mapEmpty();
    }

    /** A page of the overview, rendered once per snapshot however many clients ask for it. */
    public Future<Object> overview(PageRequest request) {
        cadence.asked();
        return snapshot().map(s -> s.page(request));
    }

    /**
     * The current snapshot when nothing changed since it was taken; otherwise a new one, shared by
     * every caller until it is taken, and taken no sooner than {@link #MIN_GAP_MS} after the last.
     * A caller that saw the change signal at stamp S before asking always gets a snapshot from S or later.
     */
    private Future<Snapshot> snapshot() {
        Promise<Snapshot> result = Promise.promise();
        vertx.runOnContext(v -> {
            long now = System.nanoTime();
            Snapshot last = latest;
            // Other instances' changes do not ring here: there, age alone makes a snapshot stale.
            boolean others = stores.othersHoldParts();
            if (last != null && (!last.taken.future().isComplete() || (changes.version() == last.stamp
                    && (!others || now - last.startedNanos < MIN_GAP_MS * 1_000_000)))) {
                last.taken.future().onComplete(result);
                return;
            }
            long delayMs = last == null ? 0 : Math.max(0, MIN_GAP_MS - (now - last.startedNanos) / 1_000_000);
            Snapshot next = new Snapshot();
            latest = next;
            next.taken.future().onComplete(result);
            Runnable take = () -> {
                next.stamp = changes.version();
                next.startedNanos = System.nanoTime();
                take(next);
            };
            if (delayMs == 0) {
                take.run();
            } else {
                next.startedNanos = now; // not taken before the delay; until then it is the one to wait for
                vertx.setTimer(delayMs, id -> take.run());
            }
        });
        return result.future();
    }

    private void take(Snapshot next) {
        Future<List<ServiceInstance>> instances = stores.scan(RegistryTopology.STORE); // in any order: the snapshot sorts them
        Future<List<HealthState>> health = stores.scan(HealthTopology.STORE);
        Future<List<PhaseStatus>> phases = stores.scan(LifecycleTopology.PHASES_STORE);
        Future<List<PhaseRun>> runs = stores.scan(LifecycleTopology.PHASE_RUNS_STORE);
        Future<List<ComponentState>> components = stores.scan(LifecycleTopology.COMPONENTS_STORE);
        Future.all(List.of(instances, health, phases, runs, components))
                .compose(done -> vertx.executeBlocking(() -> next.fill(instances.result(), health.result(), audit.recent())
                        .more(phases.result(), runs.result(), components.result(), deadLetters, schemas.versionsBySubject(),
                                flow.view()), false))
                .onComplete(ar -> {
                    if (ar.failed() && latest == next) {
                        latest = null; // a failed snapshot is not kept: the next caller tries again
                    }
                    next.taken.handle(ar);
                });
    }

    static final int MAX_COMPONENTS = 500;

    /** Each phase with its name and run from the coordinator's reports, and its components' states ("Phase N" if none reported). */
    static JsonArray phases(List<PhaseStatus> statuses, List<PhaseRun> runs, Instant now) {
        Map<Integer, JsonObject> byPhase = new java.util.TreeMap<>();
        for (PhaseStatus p : statuses) {
            if (p.getTotal() > 0) {
                byPhase.put(p.getPhase(), Views.phase(p).put("Name", "Phase " + p.getPhase()));
            }
        }
        for (PhaseRun r : runs) {
            JsonObject phase = byPhase.computeIfAbsent(r.getPhase(), n -> new JsonObject().put("Phase", n).put("Total", r.getTotal())
                    .put("ByState", new JsonObject()));
            phase.put("Name", r.getName()).put("State", r.getState()).put("Completed", r.getCompleted()).put("Planned", r.getTotal())
                    .put("DurationSeconds", PhaseRuns.duration(r, now).toMillis() / 1000.0).put("Running", r.getEndedAt() == null);
        }
        return new JsonArray(new ArrayList<>(byPhase.values()));
    }

    /** Worst first: unhealthy, degraded, unknown, healthy. */
    public static int severity(HealthStatus status) {
        return switch (status) {
            case UNHEALTHY -> 0;
            case DEGRADED -> 1;
            case UNKNOWN -> 2;
            case HEALTHY -> 3;
        };
    }

    /** All instances joined with their health, sorted worst first, with their counts and sparklines. */
    private final class Snapshot {
        final Promise<Snapshot> taken = Promise.promise();
        long stamp = -1;
        long startedNanos;
        private List<Row> rows;
        private JsonObject counts;
        private JsonArray phases;
        private JsonArray audit;
        private JsonArray components;
        private JsonObject deadLetters;
        private JsonArray schemas;
        private JsonObject flow;
        private final Map<PageRequest, ViewRendering.Rendered> pages = new java.util.concurrent.ConcurrentHashMap<>();

        private record Row(DiscoveredInstance instance, String service, List<Integer> history) {
        }

        /** Runs on a worker: the join of 20,000 instances takes tens of milliseconds, too long for the event loop. */
        Snapshot fill(List<ServiceInstance> instances, List<HealthState> health, List<JsonObject> audit) {
            Map<String, HealthState> byComponent = new HashMap<>();
            health.forEach(h -> byComponent.put(h.getComponentId(), h));
            List<DiscoveredInstance> sorted = Discovery.join(instances, byComponent);
            sorted.sort(WORST_FIRST);
            Map<HealthStatus, Integer> byHealth = new EnumMap<>(HealthStatus.class);
            for (HealthStatus s : HealthStatus.values()) {
                byHealth.put(s, 0);
            }
            Set<String> services = new HashSet<>();
            List<Row> rows = new ArrayList<>(sorted.size());
            synchronized (history) {
                Set<String> present = new HashSet<>();
                for (DiscoveredInstance d : sorted) {
                    byHealth.merge(d.getStatus(), 1, Integer::sum);
                    services.add(d.getInstance().getServiceName());
                    String component = d.getInstance().getHealthComponentId();
                    present.add(component);
                    Deque<Integer> h = history.get(component);
                    if (d.getScore() != null && (h == null || !h.peekLast().equals(d.getScore()))) {
                        h = history.computeIfAbsent(component, k -> new ArrayDeque<>());
                        h.addLast(d.getScore());
                        while (h.size() > HISTORY) {
                            h.removeFirst();
                        }
                    }
                    rows.add(new Row(d, d.getInstance().getServiceName().toLowerCase(Locale.ROOT), h == null ? List.of() : List.copyOf(h)));
                }
                history.keySet().retainAll(present); // deregistered components leave no history behind
            }
            JsonObject healthCounts = new JsonObject();
            byHealth.forEach((s, n) -> healthCounts.put(s.name(), n));
            this.rows = rows;
            this.counts = new JsonObject().put("Services", services.size()).put("Instances", sorted.size()).put("ByHealth", healthCounts);
            this.audit = new JsonArray(List.copyOf(audit));
            return this;
        }

        /** The rest of the page: phases with their names and runs, components, dead letters, schemas and the event flow. */
        Snapshot more(List<PhaseStatus> statuses, List<PhaseRun> runs, List<ComponentState> components, DeadLetterTail letters,
                      Map<String, List<Integer>> subjects, EventFlow.View flow) {
            Instant now = Instant.now();
            this.phases = phases(statuses, runs, now);
            List<ComponentState> sorted = new ArrayList<>(components);
            sorted.sort(Comparator.comparingInt(ComponentState::getPhase).thenComparing(ComponentState::getComponentId));
            JsonArray shown = new JsonArray();
            sorted.stream().limit(MAX_COMPONENTS).forEach(c -> shown.add(new JsonObject().put("ID", c.getComponentId()).put("Phase",
                    c.getPhase())
                    .put("State", c.getState().name()).put("Reason", c.getReason())
                    .put("Since", c.getUpdatedAt().toString())
                    .put("ForSeconds", Math.max(0, Duration.between(c.getUpdatedAt(), now).toSeconds()))));
            this.components = shown;
            this.deadLetters = new JsonObject().put("ByReason", new JsonObject(new java.util.TreeMap<String,
                    Object>(letters.countsByReason())))
                    .put("Newest", new JsonArray(letters.recent()));
            JsonArray schemaList = new JsonArray();
            if (subjects != null) {
                subjects.forEach((subject, versions) -> schemaList.add(new JsonObject().put("Subject", subject).put("Versions",
                        new JsonArray(versions))));
            }
            this.schemas = schemaList;
            JsonArray topics = new JsonArray();
            flow.topics().forEach(t -> topics.add(new JsonObject().put("Topic", t.topic()).put("Fold", t.fold())
                    .put("PerSecond", Math.round(t.perSecond() * 10) / 10.0).put("Lag", Double.isNaN(t.lag()) ? null : (long) t.lag())));
            JsonArray folds = new JsonArray();
            flow.folds().forEach(f -> folds.add(new JsonObject().put("Fold", f.fold()).put("Applied", f.applied())
                    .put("PropagationP99Ms", Double.isNaN(f.p99Ms()) ? null : Double.isInfinite(f.p99Ms()) ? "+Inf" : f.p99Ms())));
            this.flow = new JsonObject().put("WindowSeconds", Math.round(flow.seconds())).put("Topics", topics).put("Folds", folds);
            return this;
        }

        public ViewRendering.Rendered page(PageRequest request) {
            ViewRendering.Rendered rendered = pages.get(request);
            if (rendered == null) {
                if (pages.size() >= REMEMBERED_PAGES) {
                    pages.clear();
                }
                rendered = ViewRendering.render(render(request));
                pages.put(request, rendered);
            }
            return rendered;
        }

        private JsonObject render(PageRequest request) {
            JsonArray out = new JsonArray();
            int matched = 0;
            for (Row row : rows) {
                if (request.filter() != null && !row.service().contains(request.filter())) {
                    continue;
                }
                if (matched >= request.offset() && out.size() < request.limit()) {
                    out.add(Views.instance(row.instance()).put("History", new JsonArray(row.history())));
                }
                matched++;
            }
            return new JsonObject().put("Counts", counts.copy().put("Matching", matched))
                    .put("Offset", request.offset()).put("Limit", request.limit())
                    .put("Instances", out).put("Phases", phases).put("Components", components).put("Audit", audit)
                    .put("DeadLetters", deadLetters).put("Schemas", schemas).put("Flow", flow);
        }
    }
}
