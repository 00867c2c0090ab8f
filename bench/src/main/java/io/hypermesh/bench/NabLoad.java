package io.hypermesh.bench;

import io.hypermesh.bench.nab.NabCorpus;
import io.hypermesh.bench.nab.NabFile;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricSample;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.events.SeriesKeys;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The NAB corpus as samples, from a process of its own so the measured JVM runs only the bus.
 * {@code <bootstrap> <registry> <nab-dir> bus}: every point of every file to {@code hypermesh.metrics}
 * through the bus's publisher, at the point's time. {@code ... raw <topic>}: the same records,
 * encoded beforehand, through a plain producer with the same batching (the baseline).
 * Prints {@code started}, {@code ended} (the last send acknowledged) in epoch micros, {@code probes}
 * (points sent) and {@code cpu}.
 */
public final class NabLoad {
    /** The series every NAB file becomes: {@code nab_value{file="<category>/<file>.csv"}}. */
    public static final String SERIES = "nab_value";

    private NabLoad() {
    }

    public static String seriesKey(NabFile file) {
        return SeriesKeys.of(SERIES, Map.of("file", file.name()));
    }

    public static void main(String[] args) throws Exception {
        KafkaAccess kafka = KafkaAccess.to(args[0]);
        HttpRegistryClient registry = new HttpRegistryClient(args[1]);
        List<NabFile> files = NabCorpus.read(Path.of(args[2]));
        EventSource source = new EventSource("bench-nab", ComponentKind.CLI);
        List<ProducerRecord<String, MetricEvent>> records = new ArrayList<>();
        for (NabFile file : files) {
            String key = seriesKey(file);
            for (int i = 0; i < file.size(); i++) {
                Instant at = file.timestamps().get(i).toInstant(ZoneOffset.UTC);
                MetricEvent event = Envelopes.wrap(Topics.METRICS, key + ":" + i, source, at,
                        new MetricSample(SERIES, Map.of("file", file.name()), file.values()[i]));
                records.add(new ProducerRecord<>(Topics.METRICS.name(), null, at.toEpochMilli(), key, event));
            }
        }
        if (args[3].equals("raw")) {
            AvroSerializer<MetricEvent> serializer = new AvroSerializer<>(registry, true);
            List<ProducerRecord<byte[], byte[]>> encoded = new ArrayList<>();
            for (ProducerRecord<String, MetricEvent> r : records) {
                encoded.add(new ProducerRecord<>(args[4], null, r.timestamp(), r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        serializer.serialize(Topics.METRICS.name(), r.value())));
            }
            Map<String, Object> config = new HashMap<>(kafka.clientConfig());
            config.putAll(BenchRunner.BASELINE_BATCHING);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                LoadGenerator.started();
                for (ProducerRecord<byte[], byte[]> r : encoded) {
                    producer.send(r);
                }
                producer.flush();
                LoadGenerator.ended();
            }
        } else {
            try (BusPublisher publisher = BusPublisher.idempotent(kafka, registry, BenchRunner.BASELINE_BATCHING)) {
                // The schema registered and the connection made before the clock starts.
                publisher.publish(records.get(0)).get();
                LoadGenerator.started();
                for (ProducerRecord<String, MetricEvent> r : records.subList(1, records.size())) {
                    publisher.publish(r);
                }
                publisher.flush();
                LoadGenerator.ended();
            }
        }
        LoadGenerator.finished(records.size());
        registry.close();
    }
}
