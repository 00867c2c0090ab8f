package io.hypermesh.streams.metrics;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricSample;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.events.SeriesKeys;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.topics.Topics;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The folds' lag as a series of the bus's own: every {@value #EVERY_MS} ms, each input topic's records yet to read on
 * this instance, {@code fold_lag_records{instance, topic}}, published to {@code hypermesh.metrics} where the anomaly
 * fold judges it like any sample. Off the event loop; a sample that cannot be sent is skipped, not retried.
 */
public final class FoldLagSamples {
    static final long EVERY_MS = 10_000;
    static final String SERIES = "fold_lag_records";

    private FoldLagSamples() {
    }

    /** Starts sampling; stops with {@code vertx}. */
    public static void start(Vertx vertx, KafkaStreams streams, BusPublisher writer, String instance, String applicationId) {
        EventSource source = new EventSource(applicationId, ComponentKind.STREAMS);
        vertx.setPeriodic(EVERY_MS, EVERY_MS, id -> vertx.executeBlocking(() -> {
            if (streams.state() != KafkaStreams.State.RUNNING) {
                return null;
            }
            Map<String, Double> byTopic = new TreeMap<>();
            for (FoldLag.PartitionLag p : FoldLag.of(streams)) {
                byTopic.merge(p.topic(), p.records(), Double::sum);
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            byTopic.forEach((topic, records) -> {
                Map<String, String> labels = Map.of("instance", instance, "topic", topic);
                MetricEvent sample = Envelopes.wrap(Topics.METRICS, UUID.randomUUID().toString(), source, now,
                        new MetricSample(SERIES, labels, records));
                writer.publish(new ProducerRecord<>(Topics.METRICS.name(), null, now.toEpochMilli(), SeriesKeys.of(SERIES, labels),
                        sample));
            });
            return null;
        }, false));
    }
}
