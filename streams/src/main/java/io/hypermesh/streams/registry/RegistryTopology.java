package io.hypermesh.streams.registry;

import org.apache.avro.specific.SpecificRecord;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.CheckDefinition;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.registry.CheckDeregistered;
import io.hypermesh.events.registry.CheckRegistered;
import io.hypermesh.events.registry.CheckUpdated;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceDeregistered;
import io.hypermesh.events.registry.ServiceExpired;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.schemas.events.Registrations;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.ConsulIndexes;
import io.hypermesh.streams.InvalidEventException;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The service registry fold: registrations, checks, heartbeats and deregistrations of
 * {@code hypermesh.registry} become one {@link ServiceInstance} per instance id (with its Consul
 * checks), published to the compacted {@code hypermesh.registry.state}.
 *
 * <p>Time never changes state in place. A lapsed heartbeat lease, a lapsed TTL check and a check
 * critical for longer than its DeregisterCriticalServiceAfter are judged by a wall-clock
 * punctuation that writes an event back to the registry topic; the fold applies it only if nothing
 * newer came first, so replaying the log gives the same state. When too many leases lapse at once
 * (a bus outage, not a fleet dying) none is expired: self-preservation, as Eureka does.
 *
 * <p>Whoever reports a check (the API, the bus's check runner) also puts the result on
 * {@code hypermesh.health.checks} for the health fold to score; this fold writes there only the
 * lapses it judges, so replaying the registry never scores anything twice.
 *
 * <p>Consul indexes: {@link #INDEX_STORE} keeps, per view scope and partition, the offset + 1 of
 * the last record that changed what that view shows. A view's index is the sum over partitions:
 * it never goes down, moves exactly when a record touched the view, and is the same on every
 * instance and after a replay, because it comes from the log. Heartbeats and unchanged
 * re-registrations move nothing.
 *
 * <p>Discovery reads {@link #BY_SERVICE_STORE}, the same instances keyed "service NUL instance" so
 * a service is one key prefix; {@link #BY_CHECK_STORE} finds the instance of a check id that is not
 * Consul's default {@code service:<id>}. Both live in memory, rebuilt from {@link #STORE} whenever
 * the task starts, so they cost no changelog write.
 */
public final class RegistryTopology {
    public static final String STORE = "registry-instances";
    public static final String BY_SERVICE_STORE = "registry-by-service";
    public static final String BY_CHECK_STORE = "registry-by-check";
    /** The instances (by id) with an HTTP or TCP check, which the instance owning them runs: most hold none. */
    public static final String RUNNABLE_CHECKS_STORE = "registry-runnable-checks";
    public static final String INDEX_STORE = "registry-indexes";
    /** Consul's check id for a service registered with one unnamed check: {@code service:<id>}. */
    public static final String SERVICE_CHECK_PREFIX = "service:";
    /** The check that puts a service in maintenance, as Consul names it. */
    public static final String MAINTENANCE_CHECK_PREFIX = "_service_maintenance:";
    private static final char SEPARATOR = '\u0000';
    static final String SOURCE = "registry-events";
    static final String FOLD = "registry-fold";
    static final String STATE_SINK = "registry-state-out";
    static final String EXPIRY_SINK = "registry-expiry-out";
    static final String HEALTH_SINK = "registry-health-out";

    private RegistryTopology() {
    }

    /** A check the instance owning its service runs itself (HTTP, TCP); TTL checks are reported to it instead. */
    public static boolean runnable(String checkType) {
        return checkType.equals("http") || checkType.equals("tcp");
    }

    /** The {@link #BY_SERVICE_STORE} key of an instance of a service. */
    public static String serviceKey(String service, String instanceId) {
        return service + SEPARATOR + instanceId;
    }

    /** The {@link #BY_SERVICE_STORE} key prefix of every instance of a service. */
    public static String servicePrefix(String service) {
        return service + SEPARATOR;
    }

    /** The {@link #BY_CHECK_STORE} key prefix of the instance holding a check id. */
    public static String checkPrefix(String checkId) {
        return checkId + SEPARATOR;
    }

    /** Index scopes: what a Consul view depends on. */
    public static final class Scopes {
        /** Any change Consul shows (agent views, health by state). */
        public static final String ANY = "any";
        /** The set of service names and their tags (catalog/services). */
        public static final String SERVICES = "services";
        /** The set of nodes (catalog/nodes). */
        public static final String NODES = "nodes";

        private Scopes() {
        }

        public static String service(String name) {
            return "s:" + name;
        }

        public static String node(String name) {
            return "n:" + name;
        }

        /** The {@link #INDEX_STORE} key prefix of a scope: one key per partition follows it. */
        public static String prefix(String scope) {
            return scope + SEPARATOR;
        }
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes) {
        Topology topology = new Topology();
        addTo(topology, settings, serdes, null, null, null);
        return topology;
    }

    /**
     * @param changes rung with the index scope of each change; null for none
     * @param applied told the offset of every record applied; null for none
     * @param mirror  kept in step with the index store of the partitions held here; null for none
     */
    public static void addTo(Topology topology, StreamsSettings settings, BusSerdes serdes, ChangeSignal changes, AppliedOffsets applied,
                             ConsulIndexes mirror) {
        var events = serdes.of(RegistryEvent.class);
        var instances = serdes.of(ServiceInstance.class);
        topology.addSource(SOURCE, Serdes.String().deserializer(), events.deserializer(), Topics.REGISTRY.name());
        topology.addProcessor(FOLD, () -> new Fold(settings, changes, applied, mirror), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), instances), FOLD);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INDEX_STORE), Serdes.String(), Serdes.Long()), FOLD);
        // Derived from STORE on every task start, so no changelog: restoring one store is enough.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BY_SERVICE_STORE), Serdes.String(), instances)
                .withLoggingDisabled(), FOLD);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BY_CHECK_STORE), Serdes.String(), Serdes.String())
                .withLoggingDisabled(), FOLD);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RUNNABLE_CHECKS_STORE), Serdes.String(), instances)
                .withLoggingDisabled(), FOLD);
        topology.addSink(STATE_SINK, Topics.REGISTRY_STATE.name(), Serdes.String().serializer(), instances.serializer(), FOLD);
        topology.addSink(EXPIRY_SINK, Topics.REGISTRY.name(), Serdes.String().serializer(), events.serializer(), FOLD);
        topology.addSink(HEALTH_SINK, Topics.HEALTH_CHECKS.name(), Serdes.String().serializer(),
                serdes.of(HealthCheckEvent.class).serializer(), FOLD);
    }

    /** Applies registry events in log order and judges lapses on wall-clock time. */
    static final class Fold implements Processor<String, RegistryEvent, String, Object> {
        private static final Logger LOG = LoggerFactory.getLogger(Fold.class);
        private final StreamsSettings settings;
        private final ChangeSignal changes;
        private final AppliedOffsets applied;
        private final ConsulIndexes mirror;
        private ProcessorContext<String, Object> context;
        private KeyValueStore<String, ServiceInstance> store;
        private KeyValueStore<String, Long> indexes;
        private KeyValueStore<String, ServiceInstance> byService;
        private KeyValueStore<String, String> byCheck;
        private KeyValueStore<String, ServiceInstance> runnable;
        /** Judgements sent but not yet read back, so a scan does not send the same one again. */
        private final Set<String> pending = new HashSet<>();
        /**
         * When each instance next needs judging (its lease, a TTL check or a critical check's
         * deregistration falling due), so a judgement looks at the instances due, not at them all:
         * with 20,000 instances a full scan every 250 ms decoded 80,000 records a second.
         */
        private final java.util.TreeMap<Long, Set<String>> dueAt = new java.util.TreeMap<>();
        private final java.util.Map<String, Long> deadlineOf = new java.util.HashMap<>();
        /** Instances holding a lease (TTL > 0): the base of self-preservation. */
        private int leased;
        private boolean preserving;
        /** Offset + 1 of the record being applied: the Consul index of what it changes. */
        private long index;

        Fold(StreamsSettings settings, ChangeSignal changes, AppliedOffsets applied, ConsulIndexes mirror) {
            this.settings = settings;
            this.changes = changes;
            this.applied = applied;
            this.mirror = mirror;
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
            this.indexes = context.getStateStore(INDEX_STORE);
            this.byService = context.getStateStore(BY_SERVICE_STORE);
            this.byCheck = context.getStateStore(BY_CHECK_STORE);
            this.runnable = context.getStateStore(RUNNABLE_CHECKS_STORE);
            rebuildIndexes();
            if (mirror != null) {
                int partition = context.taskId().partition();
                try (KeyValueIterator<String, Long> all = indexes.all()) {
                    all.forEachRemaining(kv -> mirror.put(kv.key.substring(0, kv.key.lastIndexOf(SEPARATOR)), partition, kv.value));
                }
            }
            if (settings.expiryEnabled()) {
                context.schedule(settings.expiryScanInterval(), PunctuationType.WALL_CLOCK_TIME, this::judge);
            }
        }

        @Override
        public void close() {
            if (mirror != null) {
                mirror.drop(context.taskId().partition());
            }
        }

        @Override
        public void process(Record<String, RegistryEvent> record) {
            RecordMetadata where = context.recordMetadata().orElseThrow();
            index = where.offset() + 1;
            try {
                apply(record);
            } finally {
                if (applied != null) {
                    applied.applied(where.partition(), where.offset());
                }
            }
        }

        private void apply(Record<String, RegistryEvent> record) {
            RegistryEvent event = InvalidEventException.present(record.value(), Topics.REGISTRY.name());
            InvalidEventException.require(record.key() != null, "registry event without a key (the instance id)");
            long at = event.getOccurredAt().toEpochMilli();
            Object payload = event.getPayload();
            if (payload instanceof ServiceRegistered r) {
                register(record, r, at);
            } else if (payload instanceof ServiceHeartbeat h) {
                ServiceInstance current = store.get(h.getInstanceId());
                if (current != null && at > current.getLastHeartbeatAt().toEpochMilli()) {
                    current.setLastHeartbeatAt(Instant.ofEpochMilli(at));
                    put(record, current, current, false); // a lease renewal: nothing Consul shows
                }
            } else if (payload instanceof ServiceDeregistered d) {
                pending.remove("deregister:" + d.getInstanceId());
                remove(record, d.getInstanceId());
            } else if (payload instanceof ServiceExpired e) {
                pending.remove("expire:" + e.getInstanceId() + "@" + e.getLastHeartbeatAt().toEpochMilli());
                ServiceInstance current = store.get(e.getInstanceId());
                // Only the heartbeat the expiry judged: a heartbeat logged in between wins.
                if (current != null && current.getLastHeartbeatAt().equals(e.getLastHeartbeatAt())) {
                    remove(record, e.getInstanceId());
                }
            } else if (payload instanceof CheckRegistered c) {
                String problem = Registrations.problem(c.getCheck());
                InvalidEventException.require(problem == null, "check " + c.getCheck().getCheckId() + ": " + problem);
                ServiceInstance current = store.get(c.getInstanceId());
                if (current != null) {
                    Map<String, CheckState> checks = checksOf(current);
                    checks.put(c.getCheck().getCheckId(), checkState(c.getCheck(), checks.get(c.getCheck().getCheckId()), at));
                    ServiceInstance next = ServiceInstance.newBuilder(current).setChecks(new ArrayList<>(checks.values())).build();
                    put(record, current, next, !next.equals(current));
                }
            } else if (payload instanceof CheckDeregistered c) {
                ServiceInstance current = store.get(c.getInstanceId());
                if (current != null) {
                    Map<String, CheckState> checks = checksOf(current);
                    if (checks.remove(c.getCheckId()) != null) {
                        put(record, current, ServiceInstance.newBuilder(current).setChecks(new ArrayList<>(checks.values())).build(), true);
                    }
                }
            } else if (payload instanceof CheckUpdated u) {
                update(record, u, at);
            }
        }

        private void register(Record<String, RegistryEvent> record, ServiceRegistered r, long at) {
            String problem = Registrations.problem(r);
            InvalidEventException.require(problem == null, String.valueOf(problem));
            InvalidEventException.require(r.getInstanceId().equals(record.key()),
                    "record key '" + record.key() + "' is not the instanceId '" + r.getInstanceId() + "'");
            ServiceInstance previous = store.get(r.getInstanceId());
            Map<String, CheckState> before = previous == null ? new LinkedHashMap<>() : checksOf(previous);
            Map<String, CheckState> checks = new LinkedHashMap<>();
            if (!r.getReplaceExistingChecks()) {
                checks.putAll(before);
            }
            for (CheckDefinition definition : r.getChecks()) {
                checks.put(definition.getCheckId(), checkState(definition, before.get(definition.getCheckId()), at));
            }
            // The node a registration names; else the component that published it (the bus
            // instance, for the API), so the same log always gives the same nodes.
            EventSourceNode node = new EventSourceNode(r, record.value());
            ServiceInstance instance = ServiceInstance.newBuilder()
                    .setInstanceId(r.getInstanceId()).setServiceName(r.getServiceName()).setEndpoint(r.getEndpoint())
                    .setTags(new ArrayList<>(r.getTags())).setWeightPassing(r.getWeights().getPassing())
                    .setWeightWarning(r.getWeights().getWarning()).setMetadata(r.getMetadata()).setTtlMs(r.getTtlMs())
                    .setRegisteredAt(previous != null ? previous.getRegisteredAt() : Instant.ofEpochMilli(at))
                    .setLastHeartbeatAt(Instant.ofEpochMilli(Math.max(at, previous == null ? at : previous.getLastHeartbeatAt().toEpochMilli())))
                    .setHealthComponentId(r.getMetadata().getOrDefault("healthComponent", r.getInstanceId()))
                    .setNode(node.name()).setNodeAddress(node.address())
                    .setEnableTagOverride(r.getEnableTagOverride())
                    .setChecks(new ArrayList<>(checks.values()))
                    .setCreateIndex(previous != null ? previous.getCreateIndex() : index)
                    .setModifyIndex(previous != null ? previous.getModifyIndex() : index)
                    .build();
            put(record, previous, instance, previous == null || !sameAsShown(previous, instance));
        }

        /** The node of a registration: named, or the publishing component's; its address, or the endpoint's. */
        private record EventSourceNode(String name, String address) {
            EventSourceNode(ServiceRegistered r, RegistryEvent event) {
                this(r.getNode() != null ? r.getNode() : event.getSource().getComponentId(),
                        r.getNodeAddress() != null ? r.getNodeAddress() : r.getEndpoint().getHost());
            }
        }

        /** A check as registered: a new one starts critical unless given a status; one registered again keeps its own. */
        private CheckState checkState(CheckDefinition definition, CheckState previous, long at) {
            String status = definition.getStatus() != null ? definition.getStatus() : previous != null ? previous.getStatus() : "critical";
            String output = definition.getStatus() == null && previous != null ? previous.getOutput() : "";
            CheckState next = CheckState.newBuilder().setDefinition(definition).setStatus(status).setOutput(output)
                    // A status given starts the TTL again; a check registered again without one keeps its clock.
                    .setUpdatedAt(previous == null || definition.getStatus() != null ? Instant.ofEpochMilli(at) : previous.getUpdatedAt())
                    .setCriticalSince(!status.equals("critical") ? null
                            : previous != null && previous.getCriticalSince() != null ? previous.getCriticalSince() : Instant.ofEpochMilli(at))
                    .setCreateIndex(previous != null ? previous.getCreateIndex() : index)
                    .setModifyIndex(previous != null ? previous.getModifyIndex() : index)
                    .build();
            if (previous == null || !next.getDefinition().equals(previous.getDefinition()) || !status.equals(previous.getStatus())) {
                next.setModifyIndex(index);
            }
            return next;
        }

        private void update(Record<String, RegistryEvent> record, CheckUpdated u, long at) {
            InvalidEventException.require(Registrations.STATUSES.contains(u.getStatus()),
                    "check status must be passing, warning or critical, was '" + u.getStatus() + "'");
            InvalidEventException.require(u.getLatencyMs() >= 0 && Double.isFinite(u.getLatencyMs()),
                    "latencyMs must be a finite number >= 0, was " + u.getLatencyMs());
            if (u.getJudgedAt() != null) {
                pending.remove("ttl:" + u.getInstanceId() + "/" + u.getCheckId() + "@" + u.getJudgedAt().toEpochMilli());
            }
            ServiceInstance current = store.get(u.getInstanceId());
            Map<String, CheckState> checks = current == null ? Map.of() : checksOf(current);
            CheckState check = checks.get(u.getCheckId());
            if (check == null || (u.getJudgedAt() != null && !u.getJudgedAt().equals(check.getUpdatedAt()))) {
                return; // the check is gone, or was reported on after the lapse was judged
            }
            String output = u.getOutput() != null ? u.getOutput() : check.getOutput();
            boolean shown = !u.getStatus().equals(check.getStatus()) || !output.equals(check.getOutput());
            CheckState next = CheckState.newBuilder(check).setStatus(u.getStatus()).setOutput(output).setUpdatedAt(Instant.ofEpochMilli(at))
                    .setCriticalSince(!u.getStatus().equals("critical") ? null
                            : check.getCriticalSince() != null ? check.getCriticalSince() : Instant.ofEpochMilli(at))
                    .setModifyIndex(shown ? index : check.getModifyIndex()).build();
            checks.put(u.getCheckId(), next);
            put(record, current, ServiceInstance.newBuilder(current).setChecks(new ArrayList<>(checks.values())).build(), shown);
        }

        private static Map<String, CheckState> checksOf(ServiceInstance instance) {
            Map<String, CheckState> checks = new LinkedHashMap<>();
            instance.getChecks().forEach(c -> checks.put(c.getDefinition().getCheckId(), c));
            return checks;
        }

        /** Whether two states of an instance look the same to Consul (leases and timestamps aside). */
        private static boolean sameAsShown(ServiceInstance a, ServiceInstance b) {
            return shown(a).equals(shown(b));
        }

        private static ServiceInstance shown(ServiceInstance s) {
            List<CheckState> checks = new ArrayList<>();
            s.getChecks().forEach(c -> checks.add(CheckState.newBuilder(c).setUpdatedAt(Instant.EPOCH).setCriticalSince(null).build()));
            return ServiceInstance.newBuilder(s).setRegisteredAt(Instant.EPOCH).setLastHeartbeatAt(Instant.EPOCH).setTtlMs(0)
                    .setModifyIndex(0).setChecks(checks).build();
        }

        /**
         * Init runs after restoration, on every (re)start of the task: the in-memory indexes are
         * whatever the restored store says, never what an aborted transaction left in memory.
         */
        private void rebuildIndexes() {
            clear(byService);
            clear(byCheck);
            clear(runnable);
            dueAt.clear();
            deadlineOf.clear();
            leased = 0;
            try (KeyValueIterator<String, ServiceInstance> all = store.all()) {
                all.forEachRemaining(kv -> index(null, kv.value));
            }
        }

        private static <V> void clear(KeyValueStore<String, V> s) {
            List<String> stale = new ArrayList<>();
            try (KeyValueIterator<String, V> all = s.all()) {
                all.forEachRemaining(kv -> stale.add(kv.key));
            }
            stale.forEach(s::delete);
        }

        /** Keeps the in-memory indexes in step with one instance going from {@code previous} to {@code next} (either may be null). */
        private void index(ServiceInstance previous, ServiceInstance next) {
            schedule(previous, next);
            if (previous != null) {
                if (next == null || !previous.getServiceName().equals(next.getServiceName())) {
                    byService.delete(serviceKey(previous.getServiceName(), previous.getInstanceId()));
                }
                for (CheckState c : previous.getChecks()) {
                    if (customCheck(c, previous)) {
                        byCheck.delete(checkPrefix(c.getDefinition().getCheckId()) + previous.getInstanceId());
                    }
                }
            }
            if (previous != null && next == null) {
                runnable.delete(previous.getInstanceId());
            }
            if (next != null) {
                if (next.getChecks().stream().anyMatch(c -> runnable(c.getDefinition().getType()))) {
                    runnable.put(next.getInstanceId(), next);
                } else if (previous != null) {
                    runnable.delete(previous.getInstanceId());
                }
                byService.put(serviceKey(next.getServiceName(), next.getInstanceId()), next);
                for (CheckState c : next.getChecks()) {
                    if (customCheck(c, next)) {
                        byCheck.put(checkPrefix(c.getDefinition().getCheckId()) + next.getInstanceId(), next.getInstanceId());
                    }
                }
            }
        }

        private void schedule(ServiceInstance previous, ServiceInstance next) {
            if (previous != null) {
                leased -= previous.getTtlMs() > 0 ? 1 : 0;
                Long was = deadlineOf.remove(previous.getInstanceId());
                if (was != null) {
                    Set<String> ids = dueAt.get(was);
                    ids.remove(previous.getInstanceId());
                    if (ids.isEmpty()) {
                        dueAt.remove(was);
                    }
                }
            }
            if (next != null) {
                leased += next.getTtlMs() > 0 ? 1 : 0;
                long deadline = nextDeadline(next);
                if (deadline != Long.MAX_VALUE) {
                    deadlineOf.put(next.getInstanceId(), deadline);
                    dueAt.computeIfAbsent(deadline, d -> new HashSet<>()).add(next.getInstanceId());
                }
            }
        }

        /** The earliest moment past which {@link #judge} may have something to say about this instance. */
        private static long nextDeadline(ServiceInstance instance) {
            long deadline = Long.MAX_VALUE;
            if (instance.getTtlMs() > 0) {
                deadline = instance.getLastHeartbeatAt().toEpochMilli() + instance.getTtlMs();
            }
            for (CheckState check : instance.getChecks()) {
                CheckDefinition d = check.getDefinition();
                if (d.getType().equals("ttl") && !check.getStatus().equals("critical")) {
                    deadline = Math.min(deadline, check.getUpdatedAt().toEpochMilli() + d.getTtlMs());
                }
                if (d.getDeregisterCriticalAfterMs() > 0 && check.getCriticalSince() != null) {
                    deadline = Math.min(deadline, check.getCriticalSince().toEpochMilli() + d.getDeregisterCriticalAfterMs());
                }
            }
            return deadline;
        }

        /** A check id other than the two Consul derives from the service id: only those need looking up. */
        private static boolean customCheck(CheckState c, ServiceInstance instance) {
            String id = c.getDefinition().getCheckId();
            return !id.equals(SERVICE_CHECK_PREFIX + instance.getInstanceId()) && !id.equals(MAINTENANCE_CHECK_PREFIX + instance.getInstanceId());
        }

        /**
         * @param previous the value this replaces (null when new)
         * @param shown    whether Consul's views see a difference: only then do indexes move
         */
        private void put(Record<String, RegistryEvent> record, ServiceInstance previous, ServiceInstance instance, boolean shown) {
            if (shown) {
                instance.setModifyIndex(index);
            }
            store.put(instance.getInstanceId(), instance);
            index(previous, instance);
            context.forward(record.withKey(instance.getInstanceId()).withValue(instance), STATE_SINK);
            if (shown) {
                touched(previous, instance);
            }
        }

        private void remove(Record<String, RegistryEvent> record, String instanceId) {
            ServiceInstance removed = store.delete(instanceId);
            if (removed != null) {
                index(removed, null);
                context.forward(record.withKey(instanceId).withValue(null), STATE_SINK);
                touched(removed, null);
            }
        }

        /** Moves the index of every view the change from {@code before} to {@code after} shows in. */
        private void touched(ServiceInstance before, ServiceInstance after) {
            Set<String> scopes = new HashSet<>();
            scopes.add(Scopes.ANY);
            for (ServiceInstance s : new ServiceInstance[]{before, after}) {
                if (s != null) {
                    scopes.add(Scopes.service(s.getServiceName()));
                    scopes.add(Scopes.node(s.getNode()));
                }
            }
            boolean placed = before == null || after == null || !before.getServiceName().equals(after.getServiceName());
            if (placed || !before.getTags().equals(after.getTags())) {
                scopes.add(Scopes.SERVICES);
            }
            if (placed || !before.getNode().equals(after.getNode()) || !before.getNodeAddress().equals(after.getNodeAddress())) {
                scopes.add(Scopes.NODES);
            }
            int partition = context.recordMetadata().orElseThrow().partition();
            for (String scope : scopes) {
                indexes.put(Scopes.prefix(scope) + partition, index);
                if (mirror != null) {
                    mirror.put(scope, partition, index);
                }
                if (changes != null) {
                    changes.ring(scope);
                }
            }
        }

        /** Judges lapsed leases, lapsed TTL checks and services critical for too long; writes each verdict to the log. */
        private void judge(long now) {
            List<ServiceInstance> lapsed = new ArrayList<>();
            // Only what is due; each stays due until a change to it (a verdict read back, a heartbeat) moves its deadline.
            List<String> due = new ArrayList<>();
            dueAt.headMap(now, false).values().forEach(due::addAll);
            for (String id : due) {
                ServiceInstance instance = store.get(id);
                if (instance == null) {
                    continue;
                }
                if (instance.getTtlMs() > 0 && now - instance.getLastHeartbeatAt().toEpochMilli() > instance.getTtlMs()) {
                    lapsed.add(instance);
                }
                judgeChecks(instance, now);
            }
            if (leased >= settings.selfPreservationMinimum() && lapsed.size() > leased * settings.selfPreservationRatio()) {
                if (!preserving) {
                    LOG.warn("self-preservation: {} of {} instances lapsed at once; expiring none until heartbeats resume",
                            lapsed.size(), leased);
                }
                preserving = true;
                return;
            }
            preserving = false;
            for (ServiceInstance instance : lapsed) {
                long judged = instance.getLastHeartbeatAt().toEpochMilli();
                if (pending.add("expire:" + instance.getInstanceId() + "@" + judged)) {
                    verdict(instance.getInstanceId(), "expired:" + instance.getInstanceId() + ":" + judged, now,
                            new ServiceExpired(instance.getInstanceId(), instance.getLastHeartbeatAt(), instance.getTtlMs()));
                }
            }
        }

        private void judgeChecks(ServiceInstance instance, long now) {
            for (CheckState check : instance.getChecks()) {
                CheckDefinition d = check.getDefinition();
                long updated = check.getUpdatedAt().toEpochMilli();
                if (d.getType().equals("ttl") && !check.getStatus().equals("critical") && now - updated > d.getTtlMs()
                        && pending.add("ttl:" + instance.getInstanceId() + "/" + d.getCheckId() + "@" + updated)) {
                    String eventId = "ttl:" + instance.getInstanceId() + ":" + d.getCheckId() + ":" + updated;
                    verdict(instance.getInstanceId(), eventId, now,
                            new CheckUpdated(instance.getInstanceId(), d.getCheckId(), "critical", "TTL expired", 0.0, check.getUpdatedAt()));
                    HealthCheckEvent lapse = Envelopes.wrap(Topics.HEALTH_CHECKS, eventId + ":health", source(), Instant.ofEpochMilli(now),
                            new HealthCheckResult(instance.getHealthComponentId(), d.getCheckId(), CheckStatus.CRITICAL, 0.0, "TTL expired"));
                    context.forward(new Record<>(instance.getHealthComponentId(), (Object) lapse, now), HEALTH_SINK);
                }
                if (d.getDeregisterCriticalAfterMs() > 0 && check.getCriticalSince() != null
                        && now - check.getCriticalSince().toEpochMilli() > d.getDeregisterCriticalAfterMs()
                        && pending.add("deregister:" + instance.getInstanceId())) {
                    verdict(instance.getInstanceId(), "reaped:" + instance.getInstanceId() + ":" + check.getCriticalSince().toEpochMilli(), now,
                            new ServiceDeregistered(instance.getInstanceId(), "check " + d.getCheckId()
                                    + " critical for longer than DeregisterCriticalServiceAfter"));
                }
            }
        }

        private EventSource source() {
            return new EventSource(settings.applicationId(), ComponentKind.STREAMS);
        }

        private void verdict(String instanceId, String eventId, long now, SpecificRecord payload) {
            RegistryEvent event = Envelopes.wrap(Topics.REGISTRY, eventId, source(), Instant.ofEpochMilli(now), payload);
            context.forward(new Record<>(instanceId, (Object) event, now), EXPIRY_SINK);
        }

        /** For tests and metrics: whether the last scan held expiries back. */
        boolean preserving() {
            return preserving;
        }
    }
}
