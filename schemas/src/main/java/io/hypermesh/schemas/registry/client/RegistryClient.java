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

    /** Where this client points, for error messages. */
    String describe();

    @Override
    default void close() {
    }

    record RegisteredSchema(String subject, int version, int id, Schema schema) {
    }
}
