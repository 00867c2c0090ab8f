package io.hypermesh.coordinator.cli;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.health.HealthScore;
import io.hypermesh.events.health.HealthScoreEvent;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.streams.testing.Traffic;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A folds instance killed with SIGKILL (exactly-once, no clean shutdown) comes back with the same
 * answers, and killed in the middle of a load it writes every output once: nothing lost, nothing
 * twice, as a read_committed consumer sees it.
 */
@KafkaIT
class FoldsKillIT {
    static final int COMPONENTS = 12;
    static final int CHECKS_EACH = 150;

    @org.junit.jupiter.api.BeforeAll
    static void topics(EmbeddedKafka kafka) {
        // As `hypermesh up` or `hypermesh topics` would have: `folds` only checks that they exist.
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(kafka.clientConfig())) {
            io.hypermesh.schemas.topics.TopicAdmin.ensure(admin, Topics.ALL);
        }
    }

    @Test
    void killedMidLoadUnderExactlyOnceItWritesEachScoreOnceAndLosesNone(EmbeddedKafka kafka) throws Exception {
        try (SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), "127.0.0.1", 0);
             HttpRegistryClient schemas = new HttpRegistryClient(registry.url())) {
            String appId = "folds-kill-load-" + UUID.randomUUID();
            String prefix = "k" + UUID.randomUUID().toString().substring(0, 6) + "-";
            Path state = Files.createTempDirectory(Path.of("target"), "folds-kill-load-");
            int port = EmbeddedKafka.freePort();
            Http api = new Http("http://127.0.0.1:" + port);
            Process first = folds(kafka, registry, appId, state, port);
            Process second = null;
            ExecutorService load = Executors.newSingleThreadExecutor();
            try {
                awaitApi(first);
                // A steady load: every component gets its checks in order, a few hundred a second.
                Future<Integer> sent = load.submit(() -> {
                    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
                    config.put(ProducerConfig.ACKS_CONFIG, "all");
                    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                    try (KafkaProducer<String, HealthCheckEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                            new AvroSerializer<>(schemas, true))) {
                        for (int n = 0; n < CHECKS_EACH; n++) {
                            for (int c = 0; c < COMPONENTS; c++) {
                                String component = prefix + c;
                                producer.send(new ProducerRecord<>(Topics.HEALTH_CHECKS.name(), component, HealthCheckEvent.newBuilder()
                                        .setEventId(component + "-" + n).setSource(new EventSource("load", ComponentKind.SERVICE))
                                        .setOccurredAt(Instant.now()).setTraceId(null)
                                        .setPayload(new HealthCheckResult(component, "http", n % 7 == 0 ? CheckStatus.WARNING
                                                : CheckStatus.PASSING,
                                                5.0, null)).build())).get();
                            }
                            Thread.sleep(20);
                        }
                    }
                    return CHECKS_EACH;
                });
                // Kill once the fold is well into the load, not before it started or after it finished.
                until(() -> samples(api, prefix + 0), n -> n >= 20, Duration.ofSeconds(60), "the fold under way");
                first.destroyForcibly();
                assertEquals(true, first.waitFor(20, TimeUnit.SECONDS));
                assertTrue(!sent.isDone(), "killed while the load was still running");
                second = folds(kafka, registry, appId, state, port);
                awaitApi(second);
                assertEquals(CHECKS_EACH, sent.get(120, TimeUnit.SECONDS));
                for (int c = 0; c < COMPONENTS; c++) {
                    String component = prefix + c;
                    until(() -> samples(api, component), n -> n == CHECKS_EACH, Duration.ofSeconds(120), component + " folded every check");
                }

                // What the restarted instance and the killed one committed between them: each score once, in order.
                Map<String, List<Long>> scores = new HashMap<>();
                Map<String, Object> config = new HashMap<>(kafka.clientConfig());
                config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                try (KafkaConsumer<String, HealthScoreEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                        new AvroDeserializer<>(schemas, HealthScoreEvent.class))) {
                    List<TopicPartition> partitions = consumer.partitionsFor(Topics.HEALTH_SCORES.name()).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                    // The store shows a check before its transaction commits: read until every component's
                    // last score is committed, then on to the end as it is then, so a duplicate would show.
                    long deadline = System.currentTimeMillis() + 60_000;
                    Map<TopicPartition, Long> end = null;
                    while (System.currentTimeMillis() < deadline) {
                        for (ConsumerRecord<String, HealthScoreEvent> r : consumer.poll(Duration.ofMillis(200))) {
                            if (r.key().startsWith(prefix)) {
                                scores.computeIfAbsent(r.key(), k ->
                                        new ArrayList<>()).add(((HealthScore) r.value().getPayload()).getSamples());
                            }
                        }
                        boolean all = scores.size() == COMPONENTS && scores.values().stream().allMatch(l -> l.contains((long) CHECKS_EACH));
                        if (all && end == null) {
                            end = consumer.endOffsets(partitions);
                        }
                        Map<TopicPartition, Long> last = end;
                        if (last != null && partitions.stream().allMatch(p -> consumer.position(p) >= last.get(p))) {
                            break;
                        }
                    }
                }
                List<Long> expected = LongStream.rangeClosed(1, CHECKS_EACH).boxed().toList();
                for (int c = 0; c < COMPONENTS; c++) {
                    assertEquals(expected, scores.get(prefix + c), "every score of " + prefix + c + " exactly once, in order");
                }
            } finally {
                load.shutdownNow();
                first.destroyForcibly();
                if (second != null) {
                    second.destroy();
                    second.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static long samples(Http api, String component) {
        Http.Response r = api.get("/v1/hypermesh/health/component/" + component);
        return r.status() == 200 ? r.json().get("Samples").asLong() : -1;
    }

    @Test
    void killedWithSigkillAndRestartedOnItsStateItAnswersAsBefore(EmbeddedKafka kafka) throws Exception {
        try (SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), "127.0.0.1", 0)) {
            String appId = "folds-kill-" + UUID.randomUUID();
            Path state = Files.createTempDirectory(Path.of("target"), "folds-kill-");
            int port = EmbeddedKafka.freePort();
            Process first = folds(kafka, registry, appId, state, port);
            try {
                awaitApi(first);
                Http api = new Http("http://127.0.0.1:" + port);
                Traffic traffic = new Traffic();
                traffic.send(api, new io.hypermesh.streams.testing.BusFixture.External(kafka, registry));
                List<String> before = until(() -> traffic.snapshot(api), traffic::settled, Duration.ofSeconds(90), "folded");

                first.destroyForcibly();
                assertEquals(true, first.waitFor(20, TimeUnit.SECONDS));

                Process second = folds(kafka, registry, appId, state, port);
                try {
                    awaitApi(second);
                    assertEquals(before, until(() -> traffic.snapshot(api), before::equals, Duration.ofSeconds(90),
                            "same answers after SIGKILL and restart"));
                } finally {
                    second.destroy();
                    second.waitFor(30, TimeUnit.SECONDS);
                }
            } finally {
                first.destroyForcibly();
            }
        }
    }

    static Process folds(EmbeddedKafka kafka, SchemaRegistryService registry, String appId, Path state, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Hypermesh.class.getName(), "folds",
                "--bootstrap-servers=" + kafka.bootstrapServers(), "--registry-url=" + registry.url(),
                "--application-id=" + appId, "--state-dir=" + state, "--api-port=" + port, "--data-dir=target/none")
                .redirectError(Path.of("target", "folds-" + System.nanoTime() + ".log").toFile()).start();
    }

    static void awaitApi(Process p) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()));
        long deadline = System.currentTimeMillis() + 120_000;
        for (String line; System.currentTimeMillis() < deadline && (line = in.readLine()) != null; ) {
            if (line.startsWith("Query API:")) {
                return;
            }
        }
        throw new AssertionError("folds instance did not start (exit " + (p.isAlive() ? "still running" : p.exitValue()) + ")");
    }
}
