package io.hypermesh.streams.metrics;

import io.hypermesh.streams.api.Watchers;
import io.hypermesh.streams.api.dashboard.AuditTail;
import io.hypermesh.streams.api.dashboard.Dashboard;
import io.hypermesh.streams.api.dashboard.SchemaCatalog;
import io.hypermesh.streams.api.stores.StoreAccess;
import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.lifecycle.PhaseState;
import io.hypermesh.state.HealthState;
import io.hypermesh.state.PhaseRun;
import io.hypermesh.state.SeriesState;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.anomaly.AnomalyTopology;
import io.hypermesh.streams.api.consul.ConsulJson;
import io.hypermesh.streams.health.HealthTopology;
import io.hypermesh.streams.lifecycle.LifecycleTopology;
import io.hypermesh.streams.lifecycle.PhaseRuns;
import io.hypermesh.streams.registry.RegistryTopology;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bus's state as Prometheus gauges, read from the stores when Prometheus scrapes, never on the
 * stream thread. What is partitioned (instances, components, phases, lag) is this instance's part:
 * sum it over the instances. What every instance sees whole (the platform's state, the adapters'
 * audit trails, the registry's schemas) is the same from each: take the max.
 */
public final class BusGauges {
    /** Per-component scores are bounded: the worst this many of this instance's components. */
    static final int SCORES_SHOWN = 20;
    static final List<String> CONSUL_STATUSES = List.of("passing", "warning", "critical");

    private final PrometheusMeterRegistry registry;
    private final StoreAccess stores;
    private final AuditTail audit;
    private final SchemaCatalog schemas;
    private final MultiGauge instances;
    private final MultiGauge components;
    private final MultiGauge scores;
    private final MultiGauge lag;
    private final MultiGauge phaseState;
    private final MultiGauge phaseDuration;
    private final MultiGauge platform;
    private final MultiGauge auditRecords;
    private final MultiGauge checkpointed;
    private final MultiGauge checkpointTime;
    private final MultiGauge openAnomalies;
    private volatile int schemaSubjects = -1;
    private volatile int schemaVersions = -1;

    public BusGauges(PrometheusMeterRegistry registry, StoreAccess stores, AuditTail audit, SchemaCatalog schemas) {
        this.registry = registry;
        this.stores = stores;
        this.audit = audit;
        this.schemas = schemas;
        instances = gauge("hypermesh.service.instances", null,
                "Service instances in this instance's partitions of the registry, by service and Consul check status (passing, "
                        + "warning, critical)");
        components = gauge("hypermesh.components", null,
                "Health components in this instance's partitions of the health fold, by status");
        scores = gauge("hypermesh.component.health.score", null,
                "Health score (0..100) of the worst " + SCORES_SHOWN + " components of this instance's partitions, with their status");
        lag = gauge("hypermesh.fold.lag", "records",
                "Records the folds of this instance have yet to read, by input partition");
        openAnomalies = gauge("hypermesh.anomalies.open", null,
                "Anomalies open on the series of this instance's partitions of the anomaly fold, by detector");
        phaseState = gauge("hypermesh.phase.state", null,
                "1 for the state each startup phase is in, 0 for the others (the coordinator's newest report)");
        phaseDuration = gauge("hypermesh.phase.duration", "seconds",
                "How long each startup phase's last run took, or has taken while it runs");
        platform = gauge("hypermesh.platform.state", null,
                "1 for the state the platform is in, 0 for the others, from its phases: the same on every instance");
        auditRecords = gauge("hypermesh.adapter.audit.records", null,
                "Records in each adapter's audit trail (its events and its own actions), as of the newest seen");
        checkpointed = gauge("hypermesh.adapter.audit.checkpointed.records", null,
                "Records of each adapter's audit trail its newest signed checkpoint covers");
        checkpointTime = gauge("hypermesh.adapter.audit.last.checkpoint.timestamp", "seconds",
                "When each adapter wrote its newest signed checkpoint, in seconds since the epoch");
        Gauge.builder("hypermesh.schema.subjects", this, g -> g.schemaSubjects < 0 ? Double.NaN : g.schemaSubjects)
                .description("Live subjects in the schema registry").register(registry);
        Gauge.builder("hypermesh.schema.versions", this, g -> g.schemaVersions < 0 ? Double.NaN : g.schemaVersions)
                .description("Live schema versions in the schema registry, over all subjects").register(registry);
    }

    private MultiGauge gauge(String name, String baseUnit, String description) {
        return MultiGauge.builder(name).baseUnit(baseUnit).description(description).register(registry);
    }

    /** Counts the open watches of {@code watchers}: blocking queries and event streams. */
    public void watch(Watchers watchers) {
        for (Watchers.Kind kind : Watchers.Kind.values()) {
            Gauge.builder("hypermesh.api.watches", watchers, w -> w.open(kind))
                    .description("Blocking queries and event streams open on this instance's API")
                    .tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(registry);
        }
    }

    /** The registry in Prometheus' text format, its gauges read first (on a worker: a scan of the stores). */
    public Future<String> scrape() {
        Future<List<PhaseRun>> runs = stores.<PhaseRun>scan(LifecycleTopology.PHASE_RUNS_STORE)
                .recover(e -> Future.succeededFuture(null)); // another instance away: the platform's state is left as it was
        return runs.compose(all -> stores.vertx().executeBlocking(() -> {
            refresh(all);
            return registry.scrape();
        }, false));
    }

    private void refresh(List<PhaseRun> allRuns) {
        refreshInstances();
        refreshHealth();
        refreshAnomalies();
        refreshLag();
        refreshPhases(allRuns);
        refreshAudit();
        refreshSchemas();
    }

    private void refreshInstances() {
        Map<String, int[]> byService = new TreeMap<>();
        for (ServiceInstance i : this.<ServiceInstance>local(RegistryTopology.STORE)) {
            byService.computeIfAbsent(i.getServiceName(), s ->
                    new int[CONSUL_STATUSES.size()])[CONSUL_STATUSES.indexOf(ConsulJson.aggregate(i))]++;
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        // Every status of a service present, 0 included: "no passing instance" is a series at 0, not a missing one.
        byService.forEach((service, counts) -> {
            for (int s = 0; s < counts.length; s++) {
                rows.add(MultiGauge.Row.of(Tags.of("service", service, "status", CONSUL_STATUSES.get(s)), counts[s]));
            }
        });
        instances.register(rows, true);
    }

    private void refreshAnomalies() {
        long open = 0;
        for (SeriesState s : this.<SeriesState>local(AnomalyTopology.SERIES_STORE)) {
            open += s.getOpenAnomalyId() == null ? 0 : 1;
        }
        openAnomalies.register(List.of(MultiGauge.Row.of(Tags.of("detector", AnomalyTopology.SERIES_DETECTOR), open)), true);
    }

    private void refreshHealth() {
        List<HealthState> all = new ArrayList<>(this.<HealthState>local(HealthTopology.STORE));
        Map<HealthStatus, Integer> byStatus = new EnumMap<>(HealthStatus.class);
        for (HealthStatus s : HealthStatus.values()) {
            byStatus.put(s, 0);
        }
        all.forEach(h -> byStatus.merge(h.getStatus(), 1, Integer::sum));
        List<MultiGauge.Row<?>> counts = new ArrayList<>();
        byStatus.forEach((s, n) -> counts.add(MultiGauge.Row.of(Tags.of("status", s.name().toLowerCase(Locale.ROOT)), n)));
        components.register(counts, true);
        all.sort(Comparator.comparingInt((HealthState h) -> Dashboard.severity(h.getStatus())).thenComparingDouble(HealthState::getScore)
                .thenComparing(HealthState::getComponentId));
        List<MultiGauge.Row<?>> worst = new ArrayList<>();
        for (HealthState h : all.subList(0, Math.min(SCORES_SHOWN, all.size()))) {
            worst.add(MultiGauge.Row.of(Tags.of("component", h.getComponentId(), "status", h.getStatus().name().toLowerCase(Locale.ROOT)),
                    h.getScore()));
        }
        scores.register(worst, true);
    }

    private void refreshLag() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (FoldLag.PartitionLag p : FoldLag.of(stores.streams())) {
            rows.add(MultiGauge.Row.of(Tags.of("topic", p.topic(), "partition", Integer.toString(p.partition())), p.records()));
        }
        lag.register(rows, true);
    }

    private void refreshPhases(List<PhaseRun> allRuns) {
        Instant now = Instant.now();
        List<MultiGauge.Row<?>> states = new ArrayList<>();
        List<MultiGauge.Row<?>> durations = new ArrayList<>();
        for (PhaseRun run : this.<PhaseRun>local(LifecycleTopology.PHASE_RUNS_STORE)) {
            String phase = Integer.toString(run.getPhase());
            for (PhaseState state : PhaseState.values()) {
                states.add(MultiGauge.Row.of(Tags.of("phase", phase, "name", run.getName(), "state", state.name()),
                        state.name().equals(run.getState()) ? 1 : 0));
            }
            durations.add(MultiGauge.Row.of(Tags.of("phase", phase, "name", run.getName()), PhaseRuns.duration(run,
                    now).toMillis() / 1000.0));
        }
        phaseState.register(states, true);
        phaseDuration.register(durations, true);
        if (allRuns != null) {
            String current = PhaseRuns.platformState(allRuns);
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (String state : PhaseRuns.PLATFORM_STATES) {
                rows.add(MultiGauge.Row.of(Tags.of("state", state), state.equals(current) ? 1 : 0));
            }
            platform.register(rows, true);
        }
    }

    private void refreshAudit() {
        List<MultiGauge.Row<?>> records = new ArrayList<>();
        List<MultiGauge.Row<?>> covered = new ArrayList<>();
        List<MultiGauge.Row<?>> times = new ArrayList<>();
        new TreeMap<>(audit.trails()).forEach((adapter, trail) -> {
            Tags tags = Tags.of("adapter", adapter);
            records.add(MultiGauge.Row.of(tags, trail.records()));
            if (trail.checkpointAtMillis() > 0) {
                covered.add(MultiGauge.Row.of(tags, trail.checkpointed()));
                times.add(MultiGauge.Row.of(tags, trail.checkpointAtMillis() / 1000.0));
            }
        });
        auditRecords.register(records, true);
        checkpointed.register(covered, true);
        checkpointTime.register(times, true);
    }

    private void refreshSchemas() {
        Map<String, List<Integer>> read = schemas.versionsBySubject();
        schemaSubjects = read == null ? -1 : read.size();
        schemaVersions = read == null ? -1 : read.values().stream().mapToInt(List::size).sum();
    }

    private <V> java.util.Collection<V> local(String store) {
        try {
            return stores.<V>localScan(store, null).values();
        } catch (RuntimeException e) {
            return List.of(); // not running yet (or rebalancing): nothing of it is held here now
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
