package io.hypermesh.coordinator.bus;

import io.hypermesh.http.HostName;

import io.hypermesh.schemas.publish.BusPublisher;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.hypermesh.schemas.format.AvroParsedSchema;
import io.hypermesh.schemas.format.JsonSchema;
import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.format.ProtobufSchema;
import io.hypermesh.schemas.json.JsonAvro;
import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.schemas.serde.JsonSchemaSerializer;
import io.hypermesh.schemas.serde.ProtobufSerializer;
import io.hypermesh.schemas.serde.TypedSchemas;
import org.apache.avro.generic.GenericContainer;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;

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
    private final TypedSchemas schemas;
    private final KafkaAccess kafka;

    public record Published(String topic, int partition, long offset, String key, String eventId) {
    }

    public JsonEventPublisher(KafkaAccess kafka, String registryUrl) {
        this.kafka = kafka;
        this.registry = new HttpRegistryClient(registryUrl, kafka.tls());
        this.schemas = new TypedSchemas(registry);
        this.producer = BusPublisher.idempotent(kafka, registry, Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000));
    }

    public static TopicSpec<?> topic(String name) {
        return Topics.byName(name).orElseThrow(() -> new IllegalArgumentException("unknown topic '" + name
                + "'; the catalog has " + Topics.EVENT_TOPICS.stream().map(TopicSpec::name).collect(Collectors.joining(", "))));
    }

    public Published publish(String topicName, String json, String key) throws Exception {
        return publish(topicName, json, key, null);
    }

    /**
     * @param message for a Protobuf topic, the message to write (full name or name in its package);
     *                null for the file's first
     */
    public Published publish(String topicName, String json, String key, String message) throws Exception {
        if (Topics.byName(topicName).isEmpty()) {
            return publishTyped(topicName, json, key, message);
        }
        TopicSpec<?> topic = topic(topicName);
        ObjectNode event = withEnvelopeDefaults(JsonAvro.parseObject(json));
        GenericRecord record = (GenericRecord) JsonAvro.toAvro(event, topic.valueSchema(), "$");
        String recordKey = key != null ? key : keyOf((GenericRecord) record.get("payload"));
        // Ask the registry first: it answers at once when the bus is down, Kafka only after max.block.ms.
        registry.register(topic.valueSubject(), topic.valueSchema());
        RecordMetadata meta = send(topic.name(), recordKey, record);
        return new Published(meta.topic(), meta.partition(), meta.offset(), recordKey, record.get("eventId").toString());
    }

    /**
     * A topic outside the catalog carries whatever its producers registered: the value is written
     * with the latest schema of {@code <topic>-value}, Avro, JSON Schema or Protobuf, as a
     * Confluent serializer with {@code use.latest.version} would write it.
     */
    private Published publishTyped(String topic, String json, String key, String message) throws Exception {
        String subject = topic + "-value";
        ParsedSchema schema;
        try {
            schema = schemas.byId(registry.versionText(subject, "latest").id());
        } catch (RegistryException e) {
            if (e.errorCode() != 40401) {
                throw e;
            }
            throw new IllegalArgumentException("unknown topic '" + topic + "': the catalog has " + Topics.EVENT_TOPICS.stream()
                    .map(TopicSpec::name).collect(Collectors.joining(", ")) + ", and registry " + registry.describe()
                    + " has no schema under subject '" + subject + "' to write any other topic with");
        }
        requireTopic(topic);
        JsonNode value = JsonAvro.parse(json);
        byte[] bytes;
        if (schema instanceof JsonSchema) {
            bytes = new JsonSchemaSerializer(registry, null).serialize(topic, value);
        } else if (schema instanceof ProtobufSchema protobuf) {
            DynamicMessage.Builder builder = DynamicMessage.newBuilder(message == null ? protobuf.firstMessage()
                    : protobuf.message(message));
            try {
                JsonFormat.parser().merge(json, builder);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("the JSON is not a " + builder.getDescriptorForType().getFullName()
                        + ": " + e.getMessage(), e);
            }
            bytes = new ProtobufSerializer(registry, null).serialize(topic, builder.build());
        } else {
            Object avro = JsonAvro.toAvro(value, ((AvroParsedSchema) schema).schema(), "$");
            if (!(avro instanceof GenericContainer record)) {
                throw new IllegalArgumentException("subject '" + subject + "' holds an Avro "
                        + ((AvroParsedSchema) schema).schema().getType()
                        + "; publish writes Avro records");
            }
            bytes = new AvroSerializer<>(registry, false).serialize(topic, record);
        }
        RecordMetadata meta = send(topic, key, bytes);
        return new Published(meta.topic(), meta.partition(), meta.offset(), key, null);
    }

    /** A missing topic is said at once, not as a producer's metadata timeout: the broker does not create topics on first write. */
    private void requireTopic(String topic) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(kafka.clientConfig())) {
            if (!admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(topic)) {
                throw new IllegalArgumentException("topic '" + topic + "' does not exist on " + kafka.bootstrapServers()
                        + "; create it first (hypermesh topics --create " + topic + ")");
            }
        }
    }

    private RecordMetadata send(String topic, String key, Object value) throws Exception {
        try {
            return producer.publish(topic, key, value).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException timeout) {
                throw new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " did not take the event: "
                        + timeout.getMessage() + " (is `hypermesh up` running?)", timeout);
            }
            throw e;
        }
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
            envelope.putObject("source").put("componentId", "cli@" + HostName.local()).put("kind", "CLI");
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

    @Override
    public void close() {
        producer.close();
        registry.close();
    }
}
