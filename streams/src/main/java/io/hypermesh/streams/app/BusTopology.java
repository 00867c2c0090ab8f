package io.hypermesh.streams.app;

import io.hypermesh.streams.connect.IntentionOutputs;
import io.hypermesh.streams.connect.IntentionTopology;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.ConsulIndexes;
import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.streams.StreamsSettings;
import io.hypermesh.streams.anomaly.AnomalyTopology;
import io.hypermesh.streams.health.HealthTopology;
import io.hypermesh.streams.kv.KvLimits;
import io.hypermesh.streams.kv.KvTopology;
import io.hypermesh.streams.lifecycle.LifecycleTopology;
import io.hypermesh.streams.registry.RegistryTopology;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/**
 * All folds in one application: each topology class adds its part. Discovery is not a fold of its
 * own: the query API joins the registry's by-service index with the health store at read time.
 */
public final class BusTopology {
    private BusTopology() {
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes) {
        return build(settings, serdes, null, null, null, FoldMetrics.NONE);
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes, ChangeSignal changes, AppliedOffsets applied,
                                 ConsulIndexes indexes, FoldMetrics metrics) {
        return build(settings, serdes, changes, applied, indexes, metrics, IntentionOutputs.detached(settings.connect().defaultPolicy()),
                null);
    }

    /**
     * @param changes rung after each update of a table the query API serves; null for none
     * @param applied told how far the registry fold got; null for none
     * @param indexes the registry fold's Consul indexes of this instance's partitions; null for none
     * @param metrics told of every event each fold applies
     * @param intentions where the intentions fold's book, progress and dead letters go
     * @param kvApplied  told how far the KV fold got; null for none
     */
    public static Topology build(StreamsSettings settings, BusSerdes serdes, ChangeSignal changes, AppliedOffsets applied,
                                 ConsulIndexes indexes, FoldMetrics metrics, IntentionOutputs intentions, AppliedOffsets kvApplied) {
        StreamsBuilder builder = new StreamsBuilder();
        var health = HealthTopology.addTo(builder, settings, serdes, metrics);
        var lifecycle = LifecycleTopology.addTo(builder, serdes, metrics);
        if (changes != null) {
            // Each change wakes the views it shows in: the one thing, and the lists of its kind.
            health.toStream().foreach((k, v) -> {
                changes.ring(ChangeSignal.health(k));
                changes.ring(ChangeSignal.HEALTH);
            });
            lifecycle.components().toStream().foreach((k, v) -> {
                changes.ring(ChangeSignal.lifecycle(k));
                changes.ring(ChangeSignal.LIFECYCLE);
            });
            // Phase counts change after their components, a repartition later: views showing them must hear it too.
            lifecycle.phases().toStream().foreach((k, v) -> changes.ring(ChangeSignal.PHASES));
            lifecycle.runs().toStream().foreach((k, v) -> changes.ring(ChangeSignal.PHASES));
        }
        AnomalyTopology.addTo(builder, settings, serdes, changes, metrics);
        IntentionTopology.addTo(builder, serdes, intentions, changes);
        Topology topology = builder.build(settings.streamsProperties());
        RegistryTopology.addTo(topology, settings, serdes, changes, applied, indexes, metrics);
        KvTopology.addTo(topology, serdes, KvLimits.defaults(), changes, kvApplied);
        return topology;
    }
}
