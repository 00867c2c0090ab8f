package io.hypermesh.bench;

import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the six benchmarks of the bus, each beside a baseline measured in the same run: Kafka's own
 * ProducerPerformance on the same broker, the raw producer rate, etcd on the same machine, raw
 * SHA-256 over the same bytes. Starts its own broker, registry and folds in a work folder.
 */
public final class BenchRunner {
    /**
     * How much load each benchmark puts on. {@code warmUp} is the least time the audit rounds warm
     * for, and a twelfth of the most the idle propagation waits for the JIT to go quiet.
     */
    public record Scale(String name, int ingestRecords, int foldEvents, Duration latencyRun, Duration queryRun,
                        int detectionTrials, int auditRecords, Duration warmUp) {
        public static final Scale TINY = new Scale("tiny", 2_000, 1_000, Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 2_000,
                Duration.ofSeconds(1));
        // Long enough for steady state: with 50,000 fold events a run lasted two seconds, half of it
        // the first polls and commits, and the producer baseline was as short.
        public static final Scale STANDARD = new Scale("standard", 1_000_000, 300_000, Duration.ofSeconds(15), Duration.ofSeconds(5), 3,
                200_000,
                Duration.ofSeconds(10));

        public static Scale named(String name) {
            return switch (name) {
                case "tiny" -> TINY;
                case "standard" -> STANDARD;
                default -> throw new IllegalArgumentException("scale must be tiny or standard, was '" + name + "'");
            };
        }
    }

    private static final Pattern PERF_SUMMARY = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec");
    private static final int PARTITIONS = 3;

    private final Scale scale;
    private final String etcdBinary;
    private final Path work;
    private final PrintWriter log;
    private final BenchReport report;
    private EmbeddedKafka kafka;
    private SchemaRegistryService registry;

    public BenchRunner(Scale scale, String etcdBinary, Path work, PrintWriter log) {
        this.scale = scale;
        this.etcdBinary = etcdBinary;
        this.work = work;
        this.log = log;
        this.report = new BenchReport(scale.name());
    }

    /** Every benchmark. */
    public static final java.util.Set<Integer> ALL = java.util.Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
    private java.util.Set<Integer> only = ALL;

    /**
     * Runs only these benchmarks (1..8) and the ones their baselines come from: the fold is
     * measured against the producer rate of 1., the latency load is a share of the fold rate of 2.
     */
    public BenchRunner only(java.util.Set<Integer> selected) {
        java.util.Set<Integer> closure = new java.util.TreeSet<>(selected);
        if (!ALL.containsAll(closure) || closure.isEmpty()) {
            throw new IllegalArgumentException("benchmarks are numbered 1 to 9, was " + selected);
        }
        if (closure.contains(3)) {
            closure.add(2);
        }
        if (closure.contains(2)) {
            closure.add(1);
        }
        this.only = closure;
        return this;
    }

    private double givenFoldMax;
    private Path launcher = Path.of("bin/hypermesh").toAbsolutePath();

    /** The launcher the idle benchmark (9.) starts a real `up` with (default: bin/hypermesh here). */
    public BenchRunner launcher(Path hypermesh) {
        this.launcher = hypermesh.toAbsolutePath();
        return this;
    }

    /**
     * Runs only the latency benchmark (3.) at least once, at shares of this fold maximum instead of one measured by
     * 2.: for trying a setting on latency alone; the report's other rows are left out.
     */
    public BenchRunner latencyOnly(double foldMax) {
        this.givenFoldMax = foldMax;
        this.only = java.util.Set.of(3);
        return this;
    }

    /** Whether benchmark {@code number} runs (see {@link #only}). */
    boolean selected(int number) {
        return only.contains(number);
    }

    Scale scale() {
        return scale;
    }

    BenchReport report() {
        return report;
    }

    Path work() {
        return work;
    }

    String etcdBinary() {
        return etcdBinary;
    }

    SchemaRegistryService registry() {
        return registry;
    }

    EmbeddedKafka kafka() {
        return kafka;
    }

    public BenchReport run() throws Exception {
        Files.createDirectories(work);
        JfrTop.initialize();
        try (EmbeddedKafka broker = EmbeddedKafka.start(work.resolve("kafka"), 0);
             SchemaRegistryService schemas = SchemaRegistryService.start(broker.clientConfig(), "127.0.0.1", 0)) {
            kafka = broker;
            registry = schemas;
            try (Admin admin = Admin.create(kafka.clientConfig())) {
                List<TopicSpec<?>> topics = new ArrayList<>(Topics.ALL);
                topics.add(new TopicSpec<>("bench.raw", PARTITIONS, (short) 1, "delete", 3_600_000L, null));
                topics.add(new TopicSpec<>("bench.bus", PARTITIONS, (short) 1, "delete", 3_600_000L, null));
                TopicAdmin.ensure(admin, topics);
            }
            if (givenFoldMax > 0) {
                LatencyBench latency = new LatencyBench(this);
                latency.run(StreamsConfig.AT_LEAST_ONCE, givenFoldMax);
            } else if (only.contains(1)) {
                double rawRate = ingest();
                if (only.contains(2)) {
                    FoldBench fold = new FoldBench(this);
                    double alosRate = fold.run(StreamsConfig.AT_LEAST_ONCE, rawRate);
                    fold.run(StreamsConfig.EXACTLY_ONCE_V2, rawRate);
                    if (only.contains(3)) {
                        LatencyBench latency = new LatencyBench(this);
                        latency.run(StreamsConfig.AT_LEAST_ONCE, alosRate);
                        latency.run(StreamsConfig.EXACTLY_ONCE_V2, alosRate);
                    }
                }
            }
            if (only.contains(4) || only.contains(5) || only.contains(7)) {
                new DiscoveryBench(this).run();
            }
            if (only.contains(8)) {
                IdlePropagationBench idle = new IdlePropagationBench(this);
                idle.run(StreamsConfig.AT_LEAST_ONCE);
                idle.run(StreamsConfig.EXACTLY_ONCE_V2);
            }
            if (only.contains(6)) {
                AuditBench.run(scale.auditRecords(), scale.warmUp(), report);
            }
            if (only.contains(9)) {
                new IdleBench(this, launcher).run();
            }
        }
        return report;
    }

    // 1. Ingest: bus publish against Kafka's ProducerPerformance, same count, size, partitions, settings.
    private double ingest() throws Exception {
        int n = scale.ingestRecords();
        AvroSerializer<RegistryEvent> serializer = new AvroSerializer<>(new HttpRegistryClient(registry.url()), true);
        int size = serializer.serialize("bench.bus", BenchEvents.heartbeat(0)).length;
        log.println("ingest: " + n + " records of " + size + " bytes, acks=all, " + PARTITIONS + " partitions");
        log.flush();
        Process perf = new ProcessBuilder(ChildJvm.command(List.of(), "org.apache.kafka.tools.ProducerPerformance", List.of(
                "--topic", "bench.raw", "--num-records", Integer.toString(n), "--record-size", Integer.toString(size),
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + kafka.bootstrapServers(), "acks=all",
                "linger.ms=5", "batch.size=65536"))).redirectErrorStream(true).start();
        double rawRate = Double.NaN;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(perf.getInputStream()))) {
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = PERF_SUMMARY.matcher(line);
                if (m.find() && Long.parseLong(m.group(1)) == n) {
                    rawRate = Double.parseDouble(m.group(2));
                }
            }
        }
        perf.waitFor(10, TimeUnit.MINUTES);
        if (Double.isNaN(rawRate)) {
            throw new IllegalStateException("ProducerPerformance printed no summary (exit " + perf.exitValue() + ")");
        }
        long t0 = System.nanoTime();
        try (BusPublisher producer = publisher()) {
            for (int i = 0; i < n; i++) {
                producer.publish("bench.bus", null, BenchEvents.heartbeat(i));
            }
            producer.flush();
        }
        double busRate = n / ((System.nanoTime() - t0) / 1e9);
        report.add("1. ingest", "bus publish, records/s", busRate, "Kafka ProducerPerformance", rawRate, busRate / rawRate,
                ">= 0.80", busRate / rawRate >= 0.8);
        return rawRate;
    }

    StreamsApp startFolds(String guarantee) throws Exception {
        return startFolds(guarantee, "bench-" + guarantee + "-" + UUID.randomUUID().toString().substring(0, 6));
    }

    /** The folds and their API under {@code applicationId}: a second call with the same id starts a second instance of the same bus. */
    StreamsApp startFolds(String guarantee, String applicationId) throws Exception {
        StreamsApp app = StreamsApp.start(settings(guarantee, applicationId), new HttpRegistryClient(registry.url()));
        app.awaitRunning(Duration.ofMinutes(2));
        Thread.sleep(1_000);
        return app;
    }

    /** The folds' default settings under {@code applicationId}, from the topics' ends, in a state folder of their own. */
    StreamsSettings settings(String guarantee, String applicationId) throws java.io.IOException {
        return StreamsSettings.defaults(kafka.access(), registry.url(), Files.createTempDirectory(work, "folds-"), 0)
                .withApplicationId(applicationId)
                .withProcessingGuarantee(guarantee)
                .withExtra(StreamsConfig.mainConsumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "latest");
    }

    void awaitCommitted(String group, String topic, Duration timeout) throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < Topics.REGISTRY.partitions(); p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Map<TopicPartition,
                        OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                boolean done = ends.entrySet().stream().allMatch(e -> {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    return c != null && c.offset() >= e.getValue().offset();
                });
                if (done) {
                    return;
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("group " + group + " did not catch up with " + topic + " within " + timeout);
        }
    }

    /** The bus's publish path with the batching the raw baseline gets (ProducerPerformance's settings). */
    BusPublisher publisher() {
        return BusPublisher.idempotent(kafka.access(), new HttpRegistryClient(registry.url()), BASELINE_BATCHING);
    }

    /** The batching ProducerPerformance runs with (linger.ms=5, batch.size=65536), given to every producer measured against it. */
    static final Map<String, Object> BASELINE_BATCHING = Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG,
            65_536);

    /** A raw producer's settings, for the baselines. */
    Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.putAll(BASELINE_BATCHING);
        return config;
    }
}
