package io.hypermesh.streams;

import io.hypermesh.streams.discovery.DiscoveryTopology;
import io.hypermesh.streams.health.HealthTopology;
import io.hypermesh.streams.lifecycle.LifecycleTopology;
import io.hypermesh.streams.registry.RegistryTopology;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/** All folds in one application: each topology class adds its part. */
public final class BusTopology {
    private BusTopology() {
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        HealthTopology.addTo(builder, settings, serdes);
        LifecycleTopology.addTo(builder, serdes);
        DiscoveryTopology.addTo(builder, serdes);
        Topology topology = builder.build(settings.streamsProperties());
        RegistryTopology.addTo(topology, settings, serdes);
        return topology;
    }
}
