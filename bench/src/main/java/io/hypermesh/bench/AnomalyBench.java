package io.hypermesh.bench;

import io.hypermesh.bench.nab.NabFile;
import io.hypermesh.events.metrics.MetricScore;
import io.hypermesh.events.metrics.MetricScoreEvent;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.StreamsSettings;
import io.hypermesh.streams.app.StreamsApp;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * NAB through the bus: a broker, a registry and the folds as {@code up} runs them (their default
 * settings, exactly once), every file's points published as samples at their own time from another
 * process, every point's score read back from {@code hypermesh.metrics.scores}. Beside it, in the same
 * run, the same records through a plain producer: the baseline of the points/s.
 */
final class AnomalyBench {
    private static final String RAW_TOPIC = "bench.nab.raw";
    private final Path work;
    private final PrintWriter log;

    AnomalyBench(Path work, PrintWriter log) {
        this.work = work;
        this.log = log;
    }

    /** Every point's score, per file; points/s through the bus and through a raw producer. */
    record Run(List<double[]> scores, double busPointsPerSecond, double rawPointsPerSecond, long points) {
    }

    Run run(Path nab, List<NabFile> files) throws Exception {
        Files.createDirectories(work);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), 0);
             SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), "127.0.0.1", 0)) {
            List<TopicSpec<?>> topics = new ArrayList<>(Topics.ALL);
            topics.add(new TopicSpec<>(RAW_TOPIC, Topics.METRICS.partitions(), (short) 1, "delete", -1L, null));
            try (Admin admin = Admin.create(kafka.clientConfig())) {
                TopicAdmin.ensure(admin, topics);
                // NAB's points are years old: kept by time, they would be deleted as they arrive.
                Map<ConfigResource, java.util.Collection<AlterConfigOp>> keep = new HashMap<>();
                for (TopicSpec<?> t : List.of(Topics.METRICS, Topics.METRIC_SCORES, Topics.ANOMALIES)) {
                    keep.put(new ConfigResource(ConfigResource.Type.TOPIC, t.name()), List.of(new AlterConfigOp(
                            new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, "-1"), AlterConfigOp.OpType.SET)));
                }
                admin.incrementalAlterConfigs(keep).all().get();
            }
            LoadGenerator.Result raw = LoadGenerator.run(NabLoad.class, work, () -> { }, kafka.bootstrapServers(), registry.url(),
                    nab.toString(), "raw", RAW_TOPIC);
            double rawRate = raw.probes() / ((raw.endedMicros() - raw.startedMicros()) / 1e6);
            log.printf("raw producer: %,d points in %.1f s (%,.0f points/s)%n", raw.probes(),
                    (raw.endedMicros() - raw.startedMicros()) / 1e6, rawRate);
            log.flush();
            StreamsSettings settings = StreamsSettings.defaults(kafka.access(), registry.url(),
                    Files.createTempDirectory(work, "folds-"), 0).withApplicationId("bench-anomaly");
            try (StreamsApp app = StreamsApp.start(settings, new HttpRegistryClient(registry.url()));
                 ScoreCollector collector = new ScoreCollector(kafka, registry.url(), files)) {
                app.awaitRunning(Duration.ofMinutes(2));
                LoadGenerator.Result bus = LoadGenerator.run(NabLoad.class, work, () -> { }, kafka.bootstrapServers(), registry.url(),
                        nab.toString(), "bus");
                long lastMicros = collector.awaitAll(Duration.ofMinutes(10));
                double seconds = (lastMicros - bus.startedMicros()) / 1e6;
                double busRate = collector.points / seconds;
                log.printf("bus: %,d points published, scored and read back in %.1f s (%,.0f points/s)%n", collector.points, seconds,
                        busRate);
                log.flush();
                return new Run(collector.scores, busRate, rawRate, collector.points);
            }
        }
    }

    /** Reads the judgements back, committed ones only, until every point of every file has one. */
    private static final class ScoreCollector implements AutoCloseable {
        private final KafkaConsumer<String, MetricScoreEvent> consumer;
        private final Map<String, double[]> byKey = new HashMap<>();
        private final List<double[]> scores = new ArrayList<>();
        private final long points;
        private long seen;

        ScoreCollector(EmbeddedKafka kafka, String registryUrl, List<NabFile> files) {
            Map<String, Object> config = new HashMap<>(kafka.clientConfig());
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
            consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                    new AvroDeserializer<>(new HttpRegistryClient(registryUrl), MetricScoreEvent.class));
            List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < Topics.METRIC_SCORES.partitions(); p++) {
                partitions.add(new org.apache.kafka.common.TopicPartition(Topics.METRIC_SCORES.name(), p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long n = 0;
            for (NabFile file : files) {
                double[] s = new double[file.size()];
                byKey.put(NabLoad.seriesKey(file), s);
                scores.add(s);
                n += file.size();
            }
            points = n;
        }

        /** Epoch micros when the last score arrived. */
        long awaitAll(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            long last = 0;
            while (seen < points) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + seen + " of " + points + " points were scored within " + timeout);
                }
                for (ConsumerRecord<String, MetricScoreEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    MetricScore score = (MetricScore) record.value().getPayload();
                    double[] s = byKey.get(score.getSeriesKey());
                    if (s != null && score.getPoint() <= s.length) {
                        s[(int) score.getPoint() - 1] = score.getScore();
                        seen++;
                        last = LoadGenerator.nowMicros();
                    }
                }
            }
            return last;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
