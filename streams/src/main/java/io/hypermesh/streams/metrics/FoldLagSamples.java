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
 * fold judges it like any sample; a topic whose lag has not moved is sent once a minute. Off the event loop; a sample
 * that cannot be sent is skipped, not retried.
 */
public final class FoldLagSamples {
    static final long EVERY_MS = 10_000;
    /** A topic's lag sample unchanged since the last one sent is sent again only after this long. */
    static final long UNCHANGED_EVERY_MS = 60_000;

    private record Sent(double records, long atMs) {
    }

    static final String SERIES = "fold_lag_records";

    private FoldLagSamples() {
    }

    /** Starts sampling; stops with {@code vertx}. */
    public static void start(Vertx vertx, KafkaStreams streams, BusPublisher writer, String instance, String applicationId) {
        EventSource source = new EventSource(applicationId, ComponentKind.STREAMS);
        Map<String, Sent> sent = new java.util.HashMap<>(); // touched by one blocking task at a time (ordered)
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
                Sent last = sent.get(topic);
                if (last != null && last.records() == records && now.toEpochMilli() - last.atMs() < UNCHANGED_EVERY_MS) {
                    return; // unchanged: an idle bus's series is kept alive once a minute, not judged every 10 s
                }
                sent.put(topic, new Sent(records, now.toEpochMilli()));
                Map<String, String> labels = Map.of("instance", instance, "topic", topic);
                MetricEvent sample = Envelopes.wrap(Topics.METRICS, UUID.randomUUID().toString(), source, now,
                        new MetricSample(SERIES, labels, records));
                writer.publish(new ProducerRecord<>(Topics.METRICS.name(), null, now.toEpochMilli(), SeriesKeys.of(SERIES, labels),
                        sample));
            });
            return null;
        }, true));
    }
}
