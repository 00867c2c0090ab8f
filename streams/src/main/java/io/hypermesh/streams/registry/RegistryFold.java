package io.hypermesh.streams.registry;

import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.events.CheckDefinition;
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
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.ConsulIndexes;
import io.hypermesh.streams.InvalidEventException;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Applies registry events in log order and judges lapses on wall-clock time. */
final class RegistryFold implements Processor<String, RegistryEvent, String, Object> {
    private final StreamsSettings settings;
    private final ChangeSignal changes;
    private final AppliedOffsets applied;
    private final ConsulIndexes mirror;
    private final FoldMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, ServiceInstance> store;
    private KeyValueStore<String, Long> indexes;
    private LocalIndexes local;
    private LapseJudge judge;
    /** Offset + 1 of the record being applied: the Consul index of what it changes. */
    private long index;

    RegistryFold(StreamsSettings settings, ChangeSignal changes, AppliedOffsets applied, ConsulIndexes mirror,
                 FoldMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.changes = changes;
        this.applied = applied;
        this.mirror = mirror;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(RegistryTopology.STORE);
        this.indexes = context.getStateStore(RegistryTopology.INDEX_STORE);
        // Init runs after restoration, on every (re)start of the task: the in-memory indexes are
        // whatever the restored store says, never what an aborted transaction left in memory.
        this.local = new LocalIndexes(context);
        local.rebuild(store);
        this.judge = new LapseJudge(settings, context, store, local.deadlines());
        if (mirror != null) {
            int partition = context.taskId().partition();
            try (KeyValueIterator<String, Long> all = indexes.all()) {
                all.forEachRemaining(kv -> mirror.put(kv.key.substring(0, kv.key.lastIndexOf(RegistryTopology.SEPARATOR)), partition,
                        kv.value));
            }
        }
        if (settings.expiryEnabled()) {
            context.schedule(settings.expiryScanInterval(), PunctuationType.WALL_CLOCK_TIME, judge::judge);
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
            // A refused event is counted by the dead-letter handler it goes to.
            metrics.folded(where.topic(), FoldMetrics.Outcome.APPLIED,
                    record.value().getOccurredAt().toEpochMilli());
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
            judge.readBack("deregister:" + d.getInstanceId());
            remove(record, d.getInstanceId());
        } else if (payload instanceof ServiceExpired e) {
            judge.readBack("expire:" + e.getInstanceId() + "@" + e.getLastHeartbeatAt().toEpochMilli());
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
                .setLastHeartbeatAt(Instant.ofEpochMilli(Math.max(at, previous == null ? at
                        : previous.getLastHeartbeatAt().toEpochMilli())))
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
            judge.readBack("ttl:" + u.getInstanceId() + "/" + u.getCheckId() + "@" + u.getJudgedAt().toEpochMilli());
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

    /**
     * Whether two states of an instance look the same to Consul: every field but the lease and
     * timestamps (and the modify index they would move), compared in place, since copying both
     * states to blank those out cost more than the rest of a re-registration.
     */
    static boolean sameAsShown(ServiceInstance a, ServiceInstance b) {
        for (int pos : SHOWN_INSTANCE_FIELDS) {
            if (pos == CHECKS_FIELD) {
                List<CheckState> x = a.getChecks();
                List<CheckState> y = b.getChecks();
                if (x.size() != y.size()) {
                    return false;
                }
                for (int i = 0; i < x.size(); i++) {
                    if (!sameFields(x.get(i), y.get(i), SHOWN_CHECK_FIELDS)) {
                        return false;
                    }
                }
            } else if (!java.util.Objects.equals(a.get(pos), b.get(pos))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameFields(org.apache.avro.generic.IndexedRecord a, org.apache.avro.generic.IndexedRecord b, int[] positions) {
        for (int pos : positions) {
            if (!java.util.Objects.equals(a.get(pos), b.get(pos))) {
                return false;
            }
        }
        return true;
    }

    private static int[] fieldsBut(org.apache.avro.Schema schema, String... left) {
        Set<String> out = Set.of(left);
        return schema.getFields().stream().filter(f -> !out.contains(f.name())).mapToInt(org.apache.avro.Schema.Field::pos).toArray();
    }

    private static final int[] SHOWN_INSTANCE_FIELDS = fieldsBut(ServiceInstance.getClassSchema(), "registeredAt", "lastHeartbeatAt",
            "ttlMs", "modifyIndex");
    private static final int CHECKS_FIELD = ServiceInstance.getClassSchema().getField("checks").pos();
    private static final int[] SHOWN_CHECK_FIELDS = fieldsBut(CheckState.getClassSchema(), "updatedAt", "criticalSince");

    /**
     * @param previous the value this replaces (null when new)
     * @param shown    whether Consul's views see a difference: only then do indexes move
     */
    private void put(Record<String, RegistryEvent> record, ServiceInstance previous, ServiceInstance instance, boolean shown) {
        if (shown) {
            instance.setModifyIndex(index);
        }
        store.put(instance.getInstanceId(), instance);
        local.update(previous, instance);
        context.forward(record.withKey(instance.getInstanceId()).withValue(instance), RegistryTopology.STATE_SINK);
        if (shown) {
            touched(previous, instance);
        }
    }

    private void remove(Record<String, RegistryEvent> record, String instanceId) {
        ServiceInstance removed = store.delete(instanceId);
        if (removed != null) {
            local.update(removed, null);
            context.forward(record.withKey(instanceId).withValue(null), RegistryTopology.STATE_SINK);
            touched(removed, null);
        }
    }

    /** Moves the index of every view the change from {@code before} to {@code after} shows in. */
    private void touched(ServiceInstance before, ServiceInstance after) {
        Set<String> scopes = new HashSet<>();
        scopes.add(RegistryTopology.Scopes.ANY);
        for (ServiceInstance s : new ServiceInstance[]{before, after}) {
            if (s != null) {
                scopes.add(RegistryTopology.Scopes.service(s.getServiceName()));
                scopes.add(RegistryTopology.Scopes.node(s.getNode()));
            }
        }
        boolean placed = before == null || after == null || !before.getServiceName().equals(after.getServiceName());
        if (placed || !before.getTags().equals(after.getTags())) {
            scopes.add(RegistryTopology.Scopes.SERVICES);
        }
        if (placed || !before.getNode().equals(after.getNode()) || !before.getNodeAddress().equals(after.getNodeAddress())) {
            scopes.add(RegistryTopology.Scopes.NODES);
        }
        int partition = context.recordMetadata().orElseThrow().partition();
        for (String scope : scopes) {
            indexes.put(RegistryTopology.Scopes.prefix(scope) + partition, index);
            if (mirror != null) {
                mirror.put(scope, partition, index);
            }
            if (changes != null) {
                changes.ring(scope);
            }
        }
    }

    /** For tests and metrics: whether the last judgement held expiries back. */
    boolean preserving() {
        return judge.preserving();
    }
}
