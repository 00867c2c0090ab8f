package io.hypermesh.testkit;

import io.hypermesh.bus.HyperMeshBus;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.BusAcls;
import io.hypermesh.schemas.topics.TopicSpec;
import io.vertx.core.json.JsonArray;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A running bus for a test: its endpoints, ready clients, and waits for what a test asserts. Made by
 * {@link HyperMeshExtension} (or {@link #start}); closing it stops the bus and deletes its data.
 */
public final class TestBus implements AutoCloseable {
    private final HyperMeshBus bus;
    private final Path dataDir;
    private final ConsulApi consul;
    private BusPublisher publisher;
    private HttpRegistryClient registry;
    private boolean closed;

    private TestBus(HyperMeshBus bus, Path dataDir) {
        this.bus = bus;
        this.dataDir = dataDir;
        this.consul = new ConsulApi(bus.endpoints().apiUrl());
    }

    /**
     * Starts a bus on free ports with its data in a new temporary folder.
     *
     * @param preset   development, performance, or a settings file (production and reliability need a cluster)
     * @param platform whether the coordinator and the preset's adapters run too (a few seconds more)
     */
    public static TestBus start(String preset, boolean platform) throws Exception {
        Path dir = Files.createTempDirectory("hypermesh-testkit-");
        try {
            return new TestBus(HyperMeshBus.builder().preset(preset).dataDir(dir).ports(0, 0, 0).platform(platform).start(), dir);
        } catch (Exception | Error e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** Where clients reach it: Kafka's bootstrap servers, the schema registry, the Consul-compatible API. */
    public HyperMeshBus.Endpoints endpoints() {
        return bus.endpoints();
    }

    /** The Consul-compatible HTTP API. */
    public ConsulApi consul() {
        return consul;
    }

    /** Kafka client settings for this bus (the broker's super user on a secured one): for your own producers and consumers. */
    public Map<String, Object> kafkaConfig() {
        return bus.kafkaClientConfig(BusAcls.BROKER);
    }

    /** Publishes Avro events to the bus's topics, registering their schemas as any Confluent-compatible client does. */
    public synchronized BusPublisher publisher() {
        if (publisher == null) {
            publisher = BusPublisher.idempotent(KafkaAccess.to(endpoints().bootstrapServers()).with(kafkaConfig()), registry());
        }
        return publisher;
    }

    /** The schema registry, through its Confluent-compatible REST API. */
    public synchronized RegistryClient registry() {
        if (registry == null) {
            registry = new HttpRegistryClient(endpoints().registryUrl());
        }
        return registry;
    }

    /**
     * Waits until {@code service} has {@code instances} instances whose checks all pass, as
     * {@code /v1/health/service/<service>?passing} answers, and returns their service IDs.
     */
    public List<String> awaitPassing(String service, int instances, Duration timeout) throws InterruptedException {
        String path = "/v1/health/service/" + URLEncoder.encode(service, StandardCharsets.UTF_8) + "?passing";
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            ConsulApi.Response r = consul.get(path);
            if (r.status() == 200) {
                JsonArray entries = new JsonArray(r.body());
                if (entries.size() == instances) {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < entries.size(); i++) {
                        ids.add(entries.getJsonObject(i).getJsonObject("Service").getString("ID"));
                    }
                    return ids;
                }
            }
            last = r.status() + " " + r.body();
            Thread.sleep(100);
        }
        throw new AssertionError(service + " did not have " + instances + " passing instance(s) within " + timeout + "; last answer: "
                + last);
    }

    /** Every event on {@code topic} now, from its beginning, in each partition's order. */
    public <V extends SpecificRecord> List<V> events(TopicSpec<V> topic) {
        List<V> all = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = consumer(topic)) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                    all.add(r.value());
                }
            }
        }
        return all;
    }

    /** Waits for the first event on {@code topic} (from its beginning) that {@code match} accepts, and returns it. */
    public <V extends SpecificRecord> V awaitEvent(TopicSpec<V> topic, Predicate<V> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, V> consumer = consumer(topic)) {
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && match.test(r.value())) {
                        return r.value();
                    }
                }
            }
        }
        throw new AssertionError("no matching event on " + topic.name() + " within " + timeout);
    }

    private <V extends SpecificRecord> KafkaConsumer<String, V> consumer(TopicSpec<V> topic) {
        Map<String, Object> config = kafkaConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroDeserializer<>(registry(), topic.valueType()));
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** The whole bus, for what the test kit does not wrap. */
    public HyperMeshBus bus() {
        return bus;
    }

    /** The folder the bus keeps its data in; deleted when it closes. */
    public Path dataDir() {
        return dataDir;
    }

    /** Stops the bus and deletes its data; once, however often called. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (publisher != null) {
            publisher.close();
        }
        if (registry != null) {
            registry.close();
        }
        bus.close();
        deleteTree(dataDir);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
