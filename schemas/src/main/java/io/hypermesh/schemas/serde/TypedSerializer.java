package io.hypermesh.schemas.serde;

import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient.SchemaText;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the JSON Schema and Protobuf serializers share: the subject ({@code <topic>-value} or
 * {@code -key}), and the schema they write with, resolved once per subject.
 */
abstract class TypedSerializer<T, S extends ParsedSchema> implements Serializer<T> {
    private final Class<S> schemaClass;
    private final Map<String, TypedSchemas.Writer> writers = new ConcurrentHashMap<>();
    private TypedSchemas schemas;
    private SchemaText schema;
    private boolean isKey;

    TypedSerializer(Class<S> schemaClass, RegistryClient registry, SchemaText schema) {
        this.schemaClass = schemaClass;
        this.schemas = registry == null ? null : new TypedSchemas(registry);
        this.schema = schema;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (schemas == null) {
            schemas = new TypedSchemas(SerdeConfig.client(configs));
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        String subject = topic + (isKey ? "-key" : "-value");
        TypedSchemas.Writer writer;
        try {
            writer = writers.computeIfAbsent(subject, s -> schemas.writerFor(s, schema));
        } catch (RegistryException | IllegalArgumentException e) {
            throw new SerializationException("cannot serialize for topic '" + topic + "': registry "
                    + schemas.registry().describe() + " has no usable schema for subject '" + subject + "': " + e.getMessage(), e);
        }
        if (!schemaClass.isInstance(writer.schema())) {
            throw new SerializationException("subject '" + subject + "' holds a " + writer.schema().schemaType()
                    + " schema (id " + writer.id() + "), not " + schemaClass.getSimpleName());
        }
        try {
            return WireFormat.framed(writer.id(), body(topic, data, schemaClass.cast(writer.schema())));
        } catch (RuntimeException e) {
            throw e instanceof SerializationException se ? se : new SerializationException("cannot serialize for topic '" + topic
                    + "' with schema id " + writer.id() + ": " + e.getMessage(), e);
        }
    }

    /** The value's bytes after the 5-byte header. */
    abstract byte[] body(String topic, T data, S schema);
}
