package io.hypermesh.streams.discovery;

import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.health.HealthScore;
import io.hypermesh.events.health.HealthScoreEvent;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;


/**
 * Discovery: the registry state joined with health scores by a foreign-key join (instance to its
 * health component), re-keyed as "service NUL instance" so the instances of a service are one
 * prefix of the store: an update touches one record, whatever the size of the service.
 * Instances without any health result are UNKNOWN, which discovery treats as passing (as Consul
 * does for a service without checks).
 */
public final class DiscoveryTopology {
    public static final String INSTANCES_STORE = "discovery-instances";
    private static final char SEPARATOR = '\u0000';

    private DiscoveryTopology() {
    }

    /** The store key of an instance of a service. */
    public static String key(String service, String instanceId) {
        return service + SEPARATOR + instanceId;
    }

    /** The key prefix of every instance of a service. */
    public static String prefix(String service) {
        return service + SEPARATOR;
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, serdes);
        return builder.build();
    }

    public static KTable<String, DiscoveredInstance> addTo(StreamsBuilder builder, BusSerdes serdes) {
        KTable<String, ServiceInstance> instances = builder.table(Topics.REGISTRY_STATE.name(),
                Consumed.with(Serdes.String(), serdes.of(ServiceInstance.class)).withName("discovery-instances"));
        KTable<String, HealthScoreEvent> scores = builder.table(Topics.HEALTH_SCORES.name(),
                Consumed.with(Serdes.String(), serdes.of(HealthScoreEvent.class)).withName("discovery-scores"));
        KTable<String, DiscoveredInstance> joined = instances.leftJoin(scores, ServiceInstance::getHealthComponentId,
                (instance, scoreEvent) -> {
                    HealthScore score = scoreEvent == null ? null : (HealthScore) scoreEvent.getPayload();
                    return new DiscoveredInstance(instance, score == null ? HealthStatus.UNKNOWN : score.getStatus(),
                            score == null ? null : score.getScore());
                }, Materialized.with(Serdes.String(), serdes.of(DiscoveredInstance.class)));
        return joined.groupBy((id, d) -> KeyValue.pair(key(d.getInstance().getServiceName(), id), d),
                        Grouped.with("discovery-by-service", Serdes.String(), serdes.of(DiscoveredInstance.class)))
                // One value per key: the newest replaces, a removal deletes.
                .reduce((current, added) -> added, (current, removed) -> null,
                        Materialized.<String, DiscoveredInstance, KeyValueStore<Bytes, byte[]>>as(INSTANCES_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(serdes.of(DiscoveredInstance.class)));
    }
}
