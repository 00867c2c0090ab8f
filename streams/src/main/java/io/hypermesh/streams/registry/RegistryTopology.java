package io.hypermesh.streams.registry;

import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.ConsulIndexes;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

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
 * <p>Discovery reads {@link #BY_SERVICE_STORE}, the instance ids keyed "service NUL instance" so
 * a service is one key prefix, then the instances from {@link #STORE}; {@link #BY_CHECK_STORE}
 * finds the instance of a check id that is not Consul's default {@code service:<id>}. Both hold
 * keys only, live in memory and are rebuilt from {@link #STORE} whenever the task starts: they cost
 * no changelog write and no Avro encoding, and a heartbeat writes neither.
 */
public final class RegistryTopology {
    public static final String STORE = "registry-instances";
    public static final String BY_SERVICE_STORE = "registry-by-service";
    public static final String BY_CHECK_STORE = "registry-by-check";
    /** The ids of the instances with an HTTP or TCP check, which the instance owning them runs: most hold none. */
    public static final String RUNNABLE_CHECKS_STORE = "registry-runnable-checks";
    public static final String INDEX_STORE = "registry-indexes";
    /** Consul's check id for a service registered with one unnamed check: {@code service:<id>}. */
    public static final String SERVICE_CHECK_PREFIX = "service:";
    /** The check that puts a service in maintenance, as Consul names it. */
    public static final String MAINTENANCE_CHECK_PREFIX = "_service_maintenance:";
    static final char SEPARATOR = '\u0000';
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
        addTo(topology, settings, serdes, null, null, null, FoldMetrics.NONE);
        return topology;
    }

    /**
     * @param changes rung with the index scope of each change; null for none
     * @param applied told the offset of every record applied; null for none
     * @param mirror  kept in step with the index store of the partitions held here; null for none
     * @param metrics told of every event applied
     */
    public static void addTo(Topology topology, StreamsSettings settings, BusSerdes serdes, ChangeSignal changes, AppliedOffsets applied,
                             ConsulIndexes mirror, FoldMetrics metrics) {
        var events = serdes.of(RegistryEvent.class);
        var instances = serdes.of(ServiceInstance.class);
        // One encoding per change: the store's bytes (which its changelog carries) go to the state topic too.
        var once = new SerializedOnce<>((io.hypermesh.schemas.serde.AvroSerializer<ServiceInstance>) instances.serializer());
        var stored = org.apache.kafka.common.serialization.Serdes.serdeFrom(once, instances.deserializer());
        topology.addSource(SOURCE, Serdes.String().deserializer(), events.deserializer(), Topics.REGISTRY.name());
        topology.addProcessor(FOLD, () -> new RegistryFold(settings, changes, applied, mirror, metrics), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), stored), FOLD);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INDEX_STORE), Serdes.String(), Serdes.Long()),
                FOLD);
        // Derived from STORE on every task start, so no changelog: restoring one store is enough.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BY_SERVICE_STORE), Serdes.String(), Serdes.String())
                .withLoggingDisabled(), FOLD);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BY_CHECK_STORE), Serdes.String(), Serdes.String())
                .withLoggingDisabled(), FOLD);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RUNNABLE_CHECKS_STORE), Serdes.String(),
                Serdes.String())
                .withLoggingDisabled(), FOLD);
        topology.addSink(STATE_SINK, Topics.REGISTRY_STATE.name(), Serdes.String().serializer(), once, FOLD);
        topology.addSink(EXPIRY_SINK, Topics.REGISTRY.name(), Serdes.String().serializer(), events.serializer(), FOLD);
        topology.addSink(HEALTH_SINK, Topics.HEALTH_CHECKS.name(), Serdes.String().serializer(),
                serdes.of(HealthCheckEvent.class).serializer(), FOLD);
    }
}
