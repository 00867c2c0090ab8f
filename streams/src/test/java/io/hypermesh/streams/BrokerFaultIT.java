package io.hypermesh.streams;

import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaNodes;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Kafka nodes as processes, topics replicated three times with two in sync, producers with
 * acks=all: one node is killed with SIGKILL while registrations stream in and the folds run with
 * exactly-once. Every acknowledged event is in the log exactly once, and the folds answer as a
 * replay of that log from the start does.
 */
class BrokerFaultIT {
    static final int EVENTS = 3_000;
    static final int SERVICES = 10;

    @Test
    void aBrokerKilledUnderLoadLosesNoAcknowledgedEventAndTheFoldsEqualAReplay() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "three-nodes-");
        try (KafkaNodes nodes = KafkaNodes.start(dir, 3);
             SchemaRegistryService registry = SchemaRegistryService.start(nodes.clientConfig(), "127.0.0.1", 0);
             HttpRegistryClient schemas = new HttpRegistryClient(registry.url())) {
            try (Admin admin = Admin.create(nodes.clientConfig())) {
                TopicAdmin.ensure(admin, Topics.ALL);
            }
            StreamsSettings settings = StreamsSettings.defaults(io.hypermesh.schemas.kafka.KafkaAccess.to(nodes.bootstrapServers()),
                    registry.url(),
                    Files.createTempDirectory(dir, "folds-"), 0).withApplicationId("fault-" + System.nanoTime());
            Set<String> acked = ConcurrentHashMap.newKeySet();
            List<Exception> refused = java.util.Collections.synchronizedList(new ArrayList<>());
            try (StreamsApp folds = StreamsApp.start(settings, schemas)) {
                folds.awaitRunning(Duration.ofMinutes(2));
                int victim = leaderOfFirstRegistryPartition(nodes);
                Map<String, Object> config = new HashMap<>(nodes.clientConfig());
                config.put(ProducerConfig.ACKS_CONFIG, "all");
                config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
                try (KafkaProducer<String, RegistryEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                        new AvroSerializer<>(schemas, true))) {
                    for (int i = 0; i < EVENTS; i++) {
                        if (i == EVENTS / 3) {
                            nodes.kill(victim); // the leader of registry partition 0, mid-stream
                        }
                        String id = "bf-" + i;
                        String eventId = "event-" + i;
                        producer.send(new ProducerRecord<>(Topics.REGISTRY.name(), id, registration(eventId, id, "bf-svc-"
                                + (i % SERVICES))),
                                (metadata, e) -> {
                                    if (e == null) {
                                        acked.add(eventId);
                                    } else {
                                        refused.add(e);
                                    }
                                });
                        if (i % 100 == 0) {
                            Thread.sleep(50);
                        }
                    }
                    producer.flush();
                }
                assertTrue(acked.size() > EVENTS * 0.9, "most sends acknowledged: " + acked.size() + ", refused " + refused.size()
                        + (refused.isEmpty() ? "" : " (first: " + refused.get(0) + ")"));

                // Every acknowledged event in the log, exactly once.
                Map<String, Integer> inLog = readRegistryLog(nodes, schemas);
                for (String eventId : acked) {
                    assertEquals(1, inLog.getOrDefault(eventId, 0), eventId + " acknowledged: in the log exactly once");
                }
                inLog.forEach((eventId, n) -> assertEquals(1, n, eventId + " never twice"));

                // The folds, which ran through the fault, answer as a fresh replay of the log does.
                Http api = new Http(folds.url());
                List<String> answers = until(() -> catalog(api), a -> count(a) == inLog.size(), Duration.ofSeconds(120),
                        "the folds took in every event in the log (" + inLog.size() + ")");
                StreamsSettings replaySettings =
                        StreamsSettings.defaults(io.hypermesh.schemas.kafka.KafkaAccess.to(nodes.bootstrapServers()), registry.url(),
                        Files.createTempDirectory(dir, "replay-"), 0).withApplicationId("replay-" + System.nanoTime()).withExpiry(false,
                                Duration.ofSeconds(1));
                try (StreamsApp replay = StreamsApp.start(replaySettings, schemas)) {
                    replay.awaitRunning(Duration.ofMinutes(2));
                    Http replayApi = new Http(replay.url());
                    assertEquals(answers, until(() -> catalog(replayApi), answers::equals, Duration.ofSeconds(120),
                            "a replay from offset 0 answers the same"));
                }
            }
        }
    }

    private static int leaderOfFirstRegistryPartition(KafkaNodes nodes) throws Exception {
        try (Admin admin = Admin.create(nodes.clientConfig())) {
            return admin.describeTopics(List.of(Topics.REGISTRY.name())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.REGISTRY.name()).partitions().get(0).leader().id();
        }
    }

    private static Map<String, Integer> readRegistryLog(KafkaNodes nodes, HttpRegistryClient schemas) {
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Object> config = new HashMap<>(nodes.clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, RegistryEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroDeserializer<>(schemas, RegistryEvent.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.REGISTRY.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 60_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, RegistryEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value().getEventId().startsWith("event-")) {
                        seen.merge(r.value().getEventId(), 1, Integer::sum);
                    }
                }
            }
        }
        return seen;
    }

    /** Every service's instance ids, one line per service, in order. */
    private static List<String> catalog(Http api) {
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < SERVICES; s++) {
            Http.Response r = api.get("/v1/catalog/service/bf-svc-" + s);
            if (r.status() != 200) {
                return List.of("unavailable: " + r.status());
            }
            Set<String> ids = new TreeSet<>();
            r.json().forEach(n -> ids.add(n.get("ServiceID").asText()));
            lines.add("bf-svc-" + s + " " + ids);
        }
        return lines;
    }

    private static int count(List<String> catalog) {
        return catalog.stream().mapToInt(line -> line.contains("[]") ? 0 : line.split(",").length).sum();
    }

    private static RegistryEvent registration(String eventId, String id, String service) {
        return RegistryEvent.newBuilder().setEventId(eventId).setSource(new EventSource("fault-test", ComponentKind.SERVICE))
                .setOccurredAt(Instant.now()).setTraceId(null)
                .setPayload(ServiceRegistered.newBuilder().setInstanceId(id).setServiceName(service)
                        .setEndpoint(new Endpoint("10.0.0.1", 8080, "tcp")).setTags(List.of()).setWeights(new Weights(1, 1))
                        .setMetadata(Map.of()).setTtlMs(3_600_000L).build()).build();
    }
}
