package io.hypermesh.coordinator.bus;

import io.hypermesh.schemas.publish.BusPublisher;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.DeadLetters;
import io.hypermesh.schemas.serde.TypedDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Prints a topic's events as JSON lines, whatever their schema type (Avro, JSON Schema, Protobuf). It reads without a consumer group (a
 * viewer commits
 * nothing). A record that does not decode is reported on the error stream with its partition,
 * offset and reason, and optionally copied to the dead-letter topic; the tail goes on.
 */
public final class EventTail implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaAccess kafka;
    private final HttpRegistryClient registry;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TypedDeserializer decoder;
    private BusPublisher deadLetterProducer;

    public record Counts(long printed, long failed) {
    }

    public EventTail(KafkaAccess kafka, String registryUrl) {
        this.kafka = kafka;
        this.registry = new HttpRegistryClient(registryUrl, kafka.tls());
        this.decoder = new TypedDeserializer(registry);
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * @param maxRecords stop after this many records (decoded or not); 0 for no limit
     * @param idleStop   stop after this long without a record; null to run until {@link #wakeup()}
     */
    public Counts run(String topic, boolean fromBeginning, long maxRecords, Duration idleStop, boolean deadLetter,
                      PrintWriter out, PrintWriter err) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalArgumentException("topic '" + topic + "' does not exist on " + kafka.bootstrapServers());
        }
        List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(assigned);
        if (fromBeginning) {
            consumer.seekToBeginning(assigned);
        } else {
            consumer.seekToEnd(assigned);
            assigned.forEach(consumer::position);
        }
        long printed = 0;
        long failed = 0;
        long lastRecordAt = System.nanoTime();
        try {
            while (maxRecords == 0 || printed + failed < maxRecords) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty() && idleStop != null
                        && System.nanoTime() - lastRecordAt > idleStop.toNanos()) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    lastRecordAt = System.nanoTime();
                    try {
                        var value = decoder.deserialize(record.topic(), record.value());
                        ObjectNode line = position(record);
                        line.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
                        line.set("value", value);
                        out.println(line);
                        printed++;
                    } catch (RuntimeException e) {
                        ObjectNode line = position(record).put("error", e.getMessage());
                        if (deadLetter) {
                            line.put("deadLettered", deadLetter(record, e));
                        }
                        err.println(line);
                        failed++;
                    }
                    if (maxRecords != 0 && printed + failed >= maxRecords) {
                        break;
                    }
                }
                out.flush();
                err.flush();
            }
        } catch (WakeupException stopped) {
            // Ctrl-C
        }
        return new Counts(printed, failed);
    }

    /** Stops a running {@link #run} from another thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    private static ObjectNode position(ConsumerRecord<byte[], byte[]> record) {
        return JSON.createObjectNode().put("topic", record.topic()).put("partition", record.partition())
                .put("offset", record.offset()).put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString());
    }

    private String deadLetter(ConsumerRecord<byte[], byte[]> record, RuntimeException cause) {
        if (deadLetterProducer == null) {
            deadLetterProducer = BusPublisher.idempotent(kafka, registry);
        }
        try {
            var meta = deadLetterProducer.publish(DeadLetters.of(record, "deserialize", cause,
                    new EventSource("hypermesh-tail", ComponentKind.CLI))).get(30, TimeUnit.SECONDS);
            return meta.topic() + "/" + meta.partition() + "@" + meta.offset();
        } catch (Exception e) {
            return "failed: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        consumer.close();
        if (deadLetterProducer != null) {
            deadLetterProducer.close();
        }
        registry.close();
    }
}
