package io.hypermesh.streams.discovery;

import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.health.HealthScore;
import io.hypermesh.events.health.HealthScoreEvent;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.ServiceEntries;
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

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Discovery: the registry state joined with health scores by a foreign-key join (instance to its
 * health component), then grouped by service name so one key answers "instances of service X".
 * Instances without any health result are UNKNOWN, which discovery treats as passing (as Consul
 * does for a service without checks).
 */
public final class DiscoveryTopology {
    public static final String SERVICES_STORE = "discovery-services";

    private DiscoveryTopology() {
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, serdes);
        return builder.build();
    }

    public static KTable<String, ServiceEntries> addTo(StreamsBuilder builder, BusSerdes serdes) {
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
        return joined.groupBy((id, d) -> KeyValue.pair(d.getInstance().getServiceName(), d),
                        Grouped.with("discovery-by-service", Serdes.String(), serdes.of(DiscoveredInstance.class)))
                .aggregate(() -> new ServiceEntries("", new ArrayList<>()),
                        (service, d, entries) -> withInstance(service, entries, d),
                        (service, d, entries) -> withoutInstance(service, entries, d.getInstance().getInstanceId()),
                        Materialized.<String, ServiceEntries, KeyValueStore<Bytes, byte[]>>as(SERVICES_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(serdes.of(ServiceEntries.class)));
    }

    static ServiceEntries withInstance(String service, ServiceEntries entries, DiscoveredInstance added) {
        ServiceEntries next = withoutInstance(service, entries, added.getInstance().getInstanceId());
        next.getInstances().add(added);
        next.getInstances().sort(Comparator.comparing(d -> d.getInstance().getInstanceId()));
        return next;
    }

    static ServiceEntries withoutInstance(String service, ServiceEntries entries, String instanceId) {
        List<DiscoveredInstance> kept = new ArrayList<>();
        for (DiscoveredInstance d : entries.getInstances()) {
            if (!d.getInstance().getInstanceId().equals(instanceId)) {
                kept.add(d);
            }
        }
        return new ServiceEntries(service, kept);
    }
}
