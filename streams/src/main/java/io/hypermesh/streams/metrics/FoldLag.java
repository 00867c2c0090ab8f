package io.hypermesh.streams.metrics;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How far the folds of this instance are behind, per input partition, from their consumers' own metrics. */
public final class FoldLag {
    private FoldLag() {
    }

    public record PartitionLag(String topic, int partition, double records) {
    }

    /** The main consumers' records-lag (not the restore consumers', which read changelogs); partitions with no figure yet are left out. */
    public static List<PartitionLag> of(KafkaStreams streams) {
        List<PartitionLag> out = new ArrayList<>();
        for (Map.Entry<MetricName, ? extends Metric> m : streams.metrics().entrySet()) {
            MetricName name = m.getKey();
            String client = name.tags().get("client-id");
            if (name.name().equals("records-lag") && name.group().equals("consumer-fetch-manager-metrics") && client != null
                    && client.endsWith("-consumer") && !client.endsWith("-restore-consumer") && name.tags().containsKey("partition")
                    && m.getValue().metricValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
                out.add(new PartitionLag(name.tags().get("topic"), Integer.parseInt(name.tags().get("partition")), n.doubleValue()));
            }
        }
        return out;
    }
}
