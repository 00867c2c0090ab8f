package io.hypermesh.schemas.registry.client;

import org.apache.avro.Schema;

import java.util.List;

/**
 * What serdes and tools need from a Confluent-compatible schema registry. Failures are
 * {@link io.hypermesh.schemas.registry.RegistryException}s carrying the registry's error code.
 */
public interface RegistryClient extends AutoCloseable {

    /** Registers (or finds) the schema under the subject; returns its global id. */
    int register(String subject, Schema schema);

    /** The global id of a schema already registered under the subject, without registering it. */
    int idOf(String subject, Schema schema);

    /** The schema a global id names. */
    Schema schemaById(int id);

    /** The latest live version's schema and id. */
    RegisteredSchema latest(String subject);

    /** Incompatibilities of a candidate with what the subject's level requires; empty when compatible. */
    List<String> incompatibilities(String subject, Schema candidate);

    /** The live subjects, as {@code GET /subjects} lists them. */
    List<String> subjects();

    /** A subject's live versions, oldest first, as {@code GET /subjects/{subject}/versions} lists them. */
    List<Integer> versions(String subject);

    /** A schema of any type as the registry holds it, by global id. */
    SchemaText schemaText(int id);

    /** A subject version ("latest" or a number) with its schema of any type. */
    RegisteredText versionText(String subject, String version);

    /** Registers (or finds) a schema of any type under the subject; returns its global id. */
    int register(String subject, SchemaText schema);

    /** Where this client points, for error messages. */
    String describe();

    @Override
    default void close() {
    }

    record RegisteredSchema(String subject, int version, int id, Schema schema) {
    }

    /** A schema's type (AVRO, JSON, PROTOBUF), text and references, as the REST API carries them. */
    record SchemaText(String schemaType, String schema, List<Reference> references) {
        public SchemaText {
            schemaType = schemaType == null || schemaType.isBlank() ? "AVRO" : schemaType;
            references = references == null ? List.of() : List.copyOf(references);
        }
    }

    /** A reference: the name the schema uses for it, and the subject version it names. */
    record Reference(String name, String subject, int version) {
    }

    record RegisteredText(String subject, int version, int id, SchemaText schema) {
    }
}
