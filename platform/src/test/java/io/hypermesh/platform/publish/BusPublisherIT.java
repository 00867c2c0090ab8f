package io.hypermesh.platform.publish;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The bus's one publish path against a real broker and the real registry. */
@KafkaIT
class BusPublisherIT {
    static EmbeddedKafka broker;
    static SchemaRegistryService registryService;
    static HttpRegistryClient registry;

    @BeforeAll
    static void start(EmbeddedKafka kafka) {
        broker = kafka;
        registryService = SchemaRegistryService.start(kafka.clientConfig(), "127.0.0.1", 0);
        registry = new HttpRegistryClient(registryService.url());
    }

    @AfterAll
    static void stop() {
        registry.close();
        registryService.close();
    }

    static TopicSpec<RegistryEvent> topic() throws Exception {
        TopicSpec<RegistryEvent> topic = new TopicSpec<>("publisher-it-" + UUID.randomUUID(), 1, (short) 1, "delete", 3_600_000L,
                RegistryEvent.class);
        try (Admin admin = Admin.create(broker.clientConfig())) {
            TopicAdmin.ensure(admin, List.of(topic));
        }
        return topic;
    }

    static RegistryEvent heartbeat(TopicSpec<RegistryEvent> topic, String instance) {
        return Envelopes.wrap(topic, new EventSource(instance, ComponentKind.SERVICE), new ServiceHeartbeat(instance, "api"));
    }

    static List<ConsumerRecord<String, byte[]>> committed(String topic, int expected) {
        Map<String, Object> config = broker.access().clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        assertEquals(expected, read.size(), "committed records of " + topic + ": " + read);
        return read;
    }

    @Test
    void anEventIsAcknowledgedRegisteredAndReadableByAnyConfluentFormatReader() throws Exception {
        TopicSpec<RegistryEvent> topic = topic();
        RegistryEvent sent = heartbeat(topic, "api-1");
        try (BusPublisher publisher = BusPublisher.idempotent(broker.access(), registry)) {
            RecordMetadata written = publisher.publish(topic, "api-1", sent).get(30, TimeUnit.SECONDS);
            assertEquals(0, written.offset());
            // Bytes for the topics that carry no Avro go as they are.
            publisher.publish(topic.name(), "raw", "plain".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            ExecutionException notAvro = assertThrows(ExecutionException.class, () -> publisher.publish(topic.name(), "x",
                    "a string").get());
            assertInstanceOf(IllegalArgumentException.class, notAvro.getCause());
        }
        List<ConsumerRecord<String, byte[]>> read = committed(topic.name(), 2);
        try (AvroDeserializer<RegistryEvent> reader = new AvroDeserializer<>(registry, RegistryEvent.class)) {
            assertEquals(sent, reader.deserialize(topic.name(), read.get(0).value()));
        }
        assertEquals(registry.latest(topic.valueSubject()).schema(), topic.valueSchema(), "registered under <topic>-value on first use");
        assertArrayEquals("plain".getBytes(StandardCharsets.UTF_8), read.get(1).value());
    }

    @Test
    void aTransactionIsAllOrNothingAndANewPublisherFencesTheOld() throws Exception {
        TopicSpec<RegistryEvent> topic = topic();
        String id = "publisher-it-" + UUID.randomUUID();
        try (BusPublisher first = BusPublisher.transactional(broker.access(), registry, id, Map.of())) {
            first.inTransaction(() -> {
                first.publish(topic, "a", heartbeat(topic, "a"));
                first.publish(topic, "b", heartbeat(topic, "b"));
            });
            // A failure inside aborts what the transaction had sent.
            KafkaException failed = assertThrows(KafkaException.class, () -> first.inTransaction(() -> {
                first.publish(topic, "c", heartbeat(topic, "c"));
                throw new KafkaException("the caller gave up");
            }));
            assertEquals("the caller gave up", failed.getMessage());
            try (BusPublisher plain = BusPublisher.idempotent(broker.access(), registry)) {
                assertThrows(IllegalStateException.class, plain::beginTransaction, "only a transactional publisher has transactions");
            }

            try (BusPublisher second = BusPublisher.transactional(broker.access(), registry, id, Map.of())) {
                // Fenced: whatever the old one still tries is never committed.
                assertThrows(KafkaException.class, () -> first.inTransaction(() -> first.publish(topic, "z", heartbeat(topic, "z"))));
                second.inTransaction(() -> second.publish(topic, "d", heartbeat(topic, "d")));
            }
        }
        List<String> keys = committed(topic.name(), 3).stream().map(ConsumerRecord::key).toList();
        assertEquals(List.of("a", "b", "d"), keys);
    }
}
