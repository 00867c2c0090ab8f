package io.hypermesh.coordinator.bus;

import io.hypermesh.schemas.publish.BusPublisher;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hypermesh.schemas.json.JsonAvro;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Publishes an event typed as JSON: checks it against the topic's envelope schema, fills in the
 * envelope fields people should not have to type (eventId, occurredAt, source) and writes it in
 * the registry wire format with acks=all.
 */
public final class JsonEventPublisher implements AutoCloseable {
    /** Payload fields that name the entity a topic is keyed by, in the order they are looked for. */
    static final List<String> KEY_FIELDS = List.of("instanceId", "componentId", "adapterId", "containerId",
            "clusterId", "linkId", "endpointId", "sourceTopic");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BusPublisher producer;
    private final HttpRegistryClient registry;
    private final KafkaAccess kafka;

    public record Published(String topic, int partition, long offset, String key, String eventId) {
    }

    public JsonEventPublisher(KafkaAccess kafka, String registryUrl) {
        this.kafka = kafka;
        this.registry = new HttpRegistryClient(registryUrl, kafka.tls());
        this.producer = BusPublisher.idempotent(kafka, registry, Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000));
    }

    public static TopicSpec<?> topic(String name) {
        return Topics.byName(name).orElseThrow(() -> new IllegalArgumentException("unknown topic '" + name
                + "'; the catalog has " + Topics.EVENT_TOPICS.stream().map(TopicSpec::name).collect(Collectors.joining(", "))));
    }

    public Published publish(String topicName, String json, String key) throws Exception {
        TopicSpec<?> topic = topic(topicName);
        ObjectNode event = withEnvelopeDefaults(JsonAvro.parseObject(json));
        GenericRecord record = (GenericRecord) JsonAvro.toAvro(event, topic.valueSchema(), "$");
        String recordKey = key != null ? key : keyOf((GenericRecord) record.get("payload"));
        // Ask the registry first: it answers at once when the bus is down, Kafka only after max.block.ms.
        registry.register(topic.valueSubject(), topic.valueSchema());
        RecordMetadata meta;
        try {
            meta = producer.publish(topic.name(), recordKey, record).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException timeout) {
                throw new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " did not take the event: "
                        + timeout.getMessage() + " (is `hypermesh up` running?)", timeout);
            }
            throw e;
        }
        return new Published(meta.topic(), meta.partition(), meta.offset(), recordKey, record.get("eventId").toString());
    }

    /** A bare payload becomes an envelope; missing envelope fields get sensible values. */
    private static ObjectNode withEnvelopeDefaults(ObjectNode event) {
        ObjectNode envelope = event.has("payload") ? event : JSON.createObjectNode().set("payload", event);
        if (!envelope.has("eventId")) {
            envelope.put("eventId", UUID.randomUUID().toString());
        }
        if (!envelope.has("occurredAt")) {
            envelope.put("occurredAt", Instant.now().toEpochMilli());
        }
        if (!envelope.has("source")) {
            envelope.putObject("source").put("componentId", "cli@" + hostName()).put("kind", "CLI");
        }
        return envelope;
    }

    static String keyOf(GenericRecord payload) {
        for (String field : KEY_FIELDS) {
            if (payload.getSchema().getField(field) != null && payload.get(field) != null) {
                return payload.get(field).toString();
            }
        }
        throw new IllegalArgumentException("cannot tell the key of a " + payload.getSchema().getName()
                + " (it has none of " + KEY_FIELDS + "); pass --key");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    @Override
    public void close() {
        producer.close();
        registry.close();
    }
}
