package io.hypermesh.schemas.serde;

import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.format.SchemaTypes;
import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient.SchemaText;

import org.apache.kafka.common.errors.SerializationException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Schemas of any type from the registry, parsed with their references; by id they are parsed once. */
public final class TypedSchemas {
    private final RegistryClient registry;
    private final Map<Integer, ParsedSchema> byId = new ConcurrentHashMap<>();

    public TypedSchemas(RegistryClient registry) {
        this.registry = registry;
    }

    public RegistryClient registry() {
        return registry;
    }

    public ParsedSchema byId(int id) {
        return byId.computeIfAbsent(id, i -> parse(registry.schemaText(i)));
    }

    /** The writer schema a record in {@code topic} names by {@code id}; a {@link SerializationException} saying why when there is none. */
    public ParsedSchema forRecord(String topic, int id) {
        try {
            return byId(id);
        } catch (RegistryException | IllegalArgumentException e) {
            throw new SerializationException("record in topic '" + topic + "' names schema id " + id
                    + ", which registry " + registry.describe() + " cannot give: " + e.getMessage(), e);
        }
    }

    /** Parses a schema, fetching what its references name (theirs first). */
    public ParsedSchema parse(SchemaText text) {
        return SchemaTypes.parse(text.schemaType(), text.schema(), SchemaTypes.referencedTexts(text.references(),
                ref -> registry.versionText(ref.subject(), Integer.toString(ref.version())).schema()));
    }

    /** The schema a serializer writes with, and its id. */
    public record Writer(int id, ParsedSchema schema) {
    }

    /**
     * The schema to write under {@code subject}: {@code given}, registered on first use, or when
     * none is given the subject's latest version (Confluent's {@code use.latest.version}).
     */
    public Writer writerFor(String subject, SchemaText given) {
        int id = given == null ? registry.versionText(subject, "latest").id() : registry.register(subject, given);
        return new Writer(id, byId(id));
    }
}
