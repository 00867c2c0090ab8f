package io.hypermesh.platform.serde;

import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.schemas.serde.SerdeConfig;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Serdes configured the Confluent way, through a real broker and the real registry service. */
@KafkaIT
class SerdeIT {
    static SchemaRegistryService registry;
    static EmbeddedKafka broker;

    @BeforeAll
    static void start(EmbeddedKafka kafka) {
        broker = kafka;
        registry = SchemaRegistryService.start(kafka.clientConfig(), "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static RegistryEvent heartbeat(String instance) {
        return RegistryEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setSource(new EventSource(instance, ComponentKind.SERVICE)).setOccurredAt(Instant.now())
                .setPayload(new ServiceHeartbeat(instance, "api")).build();
    }

    @Test
    void undecodableRecordFailsWithWhereAndWhyAndTheRestIsStillRead() throws Exception {
        String topic = "serde-it-" + UUID.randomUUID();
        try (Admin admin = Admin.create(broker.clientConfig())) {
            TopicAdmin.ensure(admin, List.of(new TopicSpec<>(topic, 1, (short) 1, "delete", 3_600_000L, RegistryEvent.class)));
        }
        Map<String, Object> producerConfig = new HashMap<>(broker.clientConfig());
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class);
        producerConfig.put(SerdeConfig.REGISTRY_URL, registry.url());
        try (KafkaProducer<String, RegistryEvent> producer = new KafkaProducer<>(producerConfig);
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(broker.clientConfig(), new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "i-1", heartbeat("i-1"))).get();
            raw.send(new ProducerRecord<>(topic, "i-2".getBytes(), "{\"not\":\"avro\"}".getBytes())).get();
            producer.send(new ProducerRecord<>(topic, "i-3", heartbeat("i-3"))).get();
        }

        Map<String, Object> consumerConfig = new HashMap<>(broker.clientConfig());
        consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class);
        consumerConfig.put(SerdeConfig.REGISTRY_URL, registry.url());
        consumerConfig.put(SerdeConfig.VALUE_TYPE, RegistryEvent.class.getName());
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "serde-it-" + UUID.randomUUID());
        List<String> decoded = new ArrayList<>();
        RecordDeserializationException failure = null;
        try (KafkaConsumer<String, RegistryEvent> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (decoded.size() < 2 && System.currentTimeMillis() < deadline) {
                try {
                    for (ConsumerRecord<String, RegistryEvent> r : consumer.poll(Duration.ofMillis(200))) {
                        decoded.add(((ServiceHeartbeat) r.value().getPayload()).getInstanceId());
                    }
                } catch (RecordDeserializationException e) {
                    failure = e;
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        }
        assertEquals(List.of("i-1", "i-3"), decoded);
        assertTrue(failure != null, "the bad record was reported");
        assertEquals(new TopicPartition(topic, 0), failure.topicPartition());
        assertEquals(1L, failure.offset());
        String why = String.valueOf(failure.getCause().getMessage());
        assertTrue(why.contains(topic) && why.contains("magic byte 0x7b"), why);

        try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            long stored = raw.endOffsets(List.of(tp)).get(tp) - raw.beginningOffsets(List.of(tp)).get(tp);
            assertEquals(3L, stored, "all three records, the bad one included, are still in the topic");
        }
    }
}
