package io.hypermesh.schemas.serde;

import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.registry.client.RegistryClient;
import org.apache.kafka.common.serialization.Deserializer;

import java.nio.ByteBuffer;
import java.util.Map;

/** What the typed deserializers share: the registry, and the writer schema a framed record names. */
abstract class SchemaDeserializer<T> implements Deserializer<T> {
    private TypedSchemas schemas;

    SchemaDeserializer(RegistryClient registry) {
        this.schemas = registry == null ? null : new TypedSchemas(registry);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (schemas == null) {
            schemas = new TypedSchemas(SerdeConfig.client(configs));
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        int id = WireFormat.schemaId(topic, data);
        return decode(topic, data, id, schemas.forRecord(topic, id),
                ByteBuffer.wrap(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE));
    }

    /** The value after the header ({@code body}), written with {@code schema}, which the header names by {@code id}. */
    abstract T decode(String topic, byte[] data, int id, ParsedSchema schema, ByteBuffer body);
}
