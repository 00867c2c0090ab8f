package io.hypermesh.platform.registry;

import io.hypermesh.schemas.registry.client.RegistryClient;

import java.util.List;

/** A schema as registered: its type, text and references. Identity is by {@link #identity()}. */
public record SchemaDefinition(String schemaType, String schema, List<SchemaReference> references) {
    public static final String AVRO = io.hypermesh.schemas.format.SchemaTypes.AVRO;

    public SchemaDefinition {
        schemaType = schemaType == null || schemaType.isBlank() ? AVRO : schemaType;
        references = references == null ? List.of() : List.copyOf(references);
    }

    public static SchemaDefinition avro(String schema) {
        return new SchemaDefinition(AVRO, schema, List.of());
    }

    /** This schema as the REST API and its clients carry it. */
    public RegistryClient.SchemaText text() {
        return new RegistryClient.SchemaText(schemaType, schema,
                references.stream().map(r -> new RegistryClient.Reference(r.name(), r.subject(), r.version())).toList());
    }

    /** Same type, same canonical text and same references mean the same global id. */
    String identity(String canonicalText) {
        return schemaType + '\n' + canonicalText + '\n' + references;
    }
}
