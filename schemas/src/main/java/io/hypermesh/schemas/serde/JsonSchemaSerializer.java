package io.hypermesh.schemas.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hypermesh.schemas.format.JsonSchema;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient.SchemaText;
import org.apache.kafka.common.errors.SerializationException;

import java.util.List;

/**
 * Writes JSON documents in Confluent's JSON Schema wire format (header, then UTF-8 JSON), after
 * validating each against the schema: a document the schema refuses never reaches the topic.
 */
public final class JsonSchemaSerializer extends TypedSerializer<JsonNode, JsonSchema> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** For Kafka to instantiate: the subject's latest schema, from the registry {@code configure} names. */
    public JsonSchemaSerializer() {
        this(null, null);
    }

    /** @param schema the schema to register and write with; null for the subject's latest */
    public JsonSchemaSerializer(RegistryClient registry, SchemaText schema) {
        super(JsonSchema.class, registry, schema);
    }

    @Override
    byte[] body(String topic, JsonNode data, JsonSchema schema) {
        List<String> errors = schema.validate(data);
        if (!errors.isEmpty()) {
            throw new SerializationException("the document for topic '" + topic + "' does not match its JSON Schema: " + errors);
        }
        try {
            return JSON.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new SerializationException(e.getMessage(), e);
        }
    }
}
