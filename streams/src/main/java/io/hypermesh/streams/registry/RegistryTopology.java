package io.hypermesh.streams.registry;

import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceDeregistered;
import io.hypermesh.events.registry.ServiceExpired;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.Envelopes;
import io.hypermesh.streams.InvalidEventException;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The service registry fold: registrations, heartbeats and deregistrations of
 * {@code hypermesh.registry} become one {@link ServiceInstance} per instance id, published to the
 * compacted {@code hypermesh.registry.state}. Lapsed TTLs are not applied in place: a
 * {@link ServiceExpired} event naming the heartbeat it judged is written back to the registry
 * topic, and the fold applies it only if no newer heartbeat came first, so replaying the log gives
 * the same state. When too many instances lapse at once (a bus outage, not a fleet dying) nothing
 * is expired: self-preservation, as Eureka does.
 *
 * <p>Discovery reads {@link #BY_SERVICE_STORE}, the same instances keyed "service NUL instance" so
 * a service is one key prefix. It is kept in memory by this fold and rebuilt from
 * {@link #STORE} whenever the task starts, so it costs no changelog write and no second hop:
 * an instance is discoverable as soon as this fold has applied its event.
 */
public final class RegistryTopology {
    public static final String STORE = "registry-instances";
    public static final String BY_SERVICE_STORE = "registry-by-service";
    private static final char SEPARATOR = '\u0000';
    static final String SOURCE = "registry-events";
    static final String FOLD = "registry-fold";
    static final String STATE_SINK = "registry-state-out";
    static final String EXPIRY_SINK = "registry-expiry-out";
    private static final long MAX_TTL_MS = 24L * 3600 * 1000;

    private RegistryTopology() {
    }

    /** The {@link #BY_SERVICE_STORE} key of an instance of a service. */
    public static String serviceKey(String service, String instanceId) {
        return service + SEPARATOR + instanceId;
    }

    /** The {@link #BY_SERVICE_STORE} key prefix of every instance of a service. */
    public static String servicePrefix(String service) {
        return service + SEPARATOR;
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes) {
        Topology topology = new Topology();
        addTo(topology, settings, serdes, null);
        return topology;
    }

    /** @param changes rung after each change of the registry; null for none */
    public static void addTo(Topology topology, StreamsSettings settings, BusSerdes serdes, ChangeSignal changes) {
        var events = serdes.of(RegistryEvent.class);
        var instances = serdes.of(ServiceInstance.class);
        topology.addSource(SOURCE, Serdes.String().deserializer(), events.deserializer(), Topics.REGISTRY.name());
        topology.addProcessor(FOLD, () -> new Fold(settings, changes), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), instances), FOLD);
        // Derived from STORE on every task start, so no changelog: restoring one store is enough.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(BY_SERVICE_STORE), Serdes.String(), instances)
                .withLoggingDisabled(), FOLD);
        topology.addSink(STATE_SINK, Topics.REGISTRY_STATE.name(), Serdes.String().serializer(), instances.serializer(), FOLD);
        topology.addSink(EXPIRY_SINK, Topics.REGISTRY.name(), Serdes.String().serializer(), events.serializer(), FOLD);
    }

    /** Applies registry events in log order and decides expiries on wall-clock time. */
    static final class Fold implements Processor<String, RegistryEvent, String, Object> {
        private static final Logger LOG = LoggerFactory.getLogger(Fold.class);
        private final StreamsSettings settings;
        private final ChangeSignal changes;
        private ProcessorContext<String, Object> context;
        private KeyValueStore<String, ServiceInstance> store;
        private KeyValueStore<String, ServiceInstance> byService;
        /** Expiries sent but not yet read back, so a scan does not send the same one again. */
        private final Set<String> pendingExpiry = new HashSet<>();
        private boolean preserving;

        Fold(StreamsSettings settings, ChangeSignal changes) {
            this.settings = settings;
            this.changes = changes;
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
            this.byService = context.getStateStore(BY_SERVICE_STORE);
            rebuildIndex();
            if (settings.expiryEnabled()) {
                context.schedule(settings.expiryScanInterval(), PunctuationType.WALL_CLOCK_TIME, this::expireLapsed);
            }
        }

        @Override
        public void process(Record<String, RegistryEvent> record) {
            RegistryEvent event = record.value();
            InvalidEventException.require(record.key() != null, "registry event without a key (the instance id)");
            long at = event.getOccurredAt().toEpochMilli();
            Object payload = event.getPayload();
            if (payload instanceof ServiceRegistered r) {
                register(record, r, at);
            } else if (payload instanceof ServiceHeartbeat h) {
                ServiceInstance current = store.get(h.getInstanceId());
                if (current != null && at > current.getLastHeartbeatAt().toEpochMilli()) {
                    current.setLastHeartbeatAt(Envelopes.at(at));
                    put(record, null, current);
                }
            } else if (payload instanceof ServiceDeregistered d) {
                remove(record, d.getInstanceId());
            } else if (payload instanceof ServiceExpired e) {
                pendingExpiry.remove(e.getInstanceId() + "@" + e.getLastHeartbeatAt().toEpochMilli());
                ServiceInstance current = store.get(e.getInstanceId());
                // Only the heartbeat the expiry judged: a heartbeat logged in between wins.
                if (current != null && current.getLastHeartbeatAt().equals(e.getLastHeartbeatAt())) {
                    remove(record, e.getInstanceId());
                }
            }
        }

        private void register(Record<String, RegistryEvent> record, ServiceRegistered r, long at) {
            InvalidEventException.require(!r.getInstanceId().isBlank(), "instanceId is empty");
            InvalidEventException.require(r.getInstanceId().equals(record.key()),
                    "record key '" + record.key() + "' is not the instanceId '" + r.getInstanceId() + "'");
            InvalidEventException.require(!r.getServiceName().isBlank(), "serviceName is empty");
            // NUL separates service and instance in the by-service keys: a name holding one could
            // make one service's instances appear in another's.
            InvalidEventException.require(r.getServiceName().indexOf(SEPARATOR) < 0 && r.getInstanceId().indexOf(SEPARATOR) < 0,
                    "serviceName and instanceId must not contain NUL characters");
            InvalidEventException.require(r.getTtlMs() > 0 && r.getTtlMs() <= MAX_TTL_MS,
                    "ttlMs must be in 1.." + MAX_TTL_MS + ", was " + r.getTtlMs());
            int port = r.getEndpoint().getPort();
            InvalidEventException.require(port > 0 && port < 65536, "endpoint port must be 1..65535, was " + port);
            InvalidEventException.require(r.getWeights().getPassing() >= 0 && r.getWeights().getWarning() >= 0,
                    "weights must not be negative");
            ServiceInstance previous = store.get(r.getInstanceId());
            ServiceInstance instance = ServiceInstance.newBuilder()
                    .setInstanceId(r.getInstanceId()).setServiceName(r.getServiceName()).setEndpoint(r.getEndpoint())
                    .setTags(new ArrayList<>(r.getTags())).setWeightPassing(r.getWeights().getPassing())
                    .setWeightWarning(r.getWeights().getWarning()).setMetadata(r.getMetadata()).setTtlMs(r.getTtlMs())
                    .setRegisteredAt(previous != null ? previous.getRegisteredAt() : Envelopes.at(at))
                    .setLastHeartbeatAt(Envelopes.at(Math.max(at, previous == null ? at : previous.getLastHeartbeatAt().toEpochMilli())))
                    .setHealthComponentId(r.getMetadata().getOrDefault("healthComponent", r.getInstanceId()))
                    .build();
            put(record, previous, instance);
        }

        /**
         * Init runs after restoration, on every (re)start of the task: the index is whatever the
         * restored store says, never what an aborted transaction left in memory.
         */
        private void rebuildIndex() {
            List<String> stale = new ArrayList<>();
            try (KeyValueIterator<String, ServiceInstance> all = byService.all()) {
                all.forEachRemaining(kv -> stale.add(kv.key));
            }
            stale.forEach(byService::delete);
            try (KeyValueIterator<String, ServiceInstance> all = store.all()) {
                all.forEachRemaining(kv -> byService.put(serviceKey(kv.value.getServiceName(), kv.key), kv.value));
            }
        }

        /** @param previous the value this replaces when it may have been of another service */
        private void put(Record<String, RegistryEvent> record, ServiceInstance previous, ServiceInstance instance) {
            store.put(instance.getInstanceId(), instance);
            if (previous != null && !previous.getServiceName().equals(instance.getServiceName())) {
                byService.delete(serviceKey(previous.getServiceName(), previous.getInstanceId()));
            }
            byService.put(serviceKey(instance.getServiceName(), instance.getInstanceId()), instance);
            context.forward(record.withKey(instance.getInstanceId()).withValue(instance), STATE_SINK);
            changed();
        }

        private void remove(Record<String, RegistryEvent> record, String instanceId) {
            ServiceInstance removed = store.delete(instanceId);
            if (removed != null) {
                byService.delete(serviceKey(removed.getServiceName(), instanceId));
                context.forward(record.withKey(instanceId).withValue(null), STATE_SINK);
                changed();
            }
        }

        private void changed() {
            if (changes != null) {
                changes.ring();
            }
        }

        private void expireLapsed(long now) {
            List<ServiceInstance> lapsed = new ArrayList<>();
            int live = 0;
            try (KeyValueIterator<String, ServiceInstance> all = store.all()) {
                while (all.hasNext()) {
                    ServiceInstance instance = all.next().value;
                    live++;
                    if (now - instance.getLastHeartbeatAt().toEpochMilli() > instance.getTtlMs()) {
                        lapsed.add(instance);
                    }
                }
            }
            if (live >= settings.selfPreservationMinimum() && lapsed.size() > live * settings.selfPreservationRatio()) {
                if (!preserving) {
                    LOG.warn("self-preservation: {} of {} instances lapsed at once; expiring none until heartbeats resume",
                            lapsed.size(), live);
                }
                preserving = true;
                return;
            }
            preserving = false;
            for (ServiceInstance instance : lapsed) {
                long judged = instance.getLastHeartbeatAt().toEpochMilli();
                if (!pendingExpiry.add(instance.getInstanceId() + "@" + judged)) {
                    continue;
                }
                ServiceExpired expired = new ServiceExpired(instance.getInstanceId(), instance.getLastHeartbeatAt(), instance.getTtlMs());
                RegistryEvent event = RegistryEvent.newBuilder()
                        .setEventId("expired:" + instance.getInstanceId() + ":" + judged)
                        .setSource(Envelopes.source(settings.applicationId()))
                        .setOccurredAt(Envelopes.at(now)).setTraceId(null).setPayload(expired).build();
                context.forward(new Record<>(instance.getInstanceId(), (Object) event, now), EXPIRY_SINK);
            }
        }

        /** For tests and metrics: whether the last scan held expiries back. */
        boolean preserving() {
            return preserving;
        }
    }
}
