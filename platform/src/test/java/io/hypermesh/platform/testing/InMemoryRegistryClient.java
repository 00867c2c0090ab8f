package io.hypermesh.platform.testing;

import io.hypermesh.platform.registry.SchemaReference;
import io.hypermesh.schemas.format.AvroParsedSchema;
import io.hypermesh.schemas.format.ParsedSchema;

import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.platform.testing.InMemorySchemaStore;
import io.hypermesh.platform.registry.SchemaDefinition;
import io.hypermesh.platform.registry.SchemaRegistry;
import org.apache.avro.Schema;

import java.util.List;

/**
 * A registry client answering from process memory with the full registry rules
 * (ids, versions, compatibility): for TopologyTestDriver tests, where there is no HTTP server.
 */
public final class InMemoryRegistryClient implements RegistryClient {
    private final InMemorySchemaStore store = new InMemorySchemaStore();

    @Override
    public int register(String subject, Schema schema) {
        return store.write(state -> SchemaRegistry.register(state, subject, SchemaDefinition.avro(schema.toString())));
    }

    @Override
    public int idOf(String subject, Schema schema) {
        return store.read(state -> SchemaRegistry.lookup(state, subject, SchemaDefinition.avro(schema.toString()), false, false).id());
    }

    @Override
    public Schema schemaById(int id) {
        return store.read(state -> avro(SchemaRegistry.parse(state, SchemaRegistry.schemaById(state, id))));
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return store.read(state -> {
            SchemaRegistry.VersionView v = SchemaRegistry.version(state, subject, SchemaRegistry.LATEST, false);
            return new RegisteredSchema(subject, v.version(), v.id(), avro(SchemaRegistry.parse(state, v.definition())));
        });
    }

    private static Schema avro(ParsedSchema parsed) {
        return ((AvroParsedSchema) parsed).schema();
    }

    @Override
    public SchemaText schemaText(int id) {
        return store.read(state -> SchemaRegistry.schemaById(state, id).text());
    }

    @Override
    public RegisteredText versionText(String subject, String version) {
        return store.read(state -> {
            SchemaRegistry.VersionView v = SchemaRegistry.version(state, subject, version, false);
            return new RegisteredText(subject, v.version(), v.id(), v.definition().text());
        });
    }

    @Override
    public int register(String subject, SchemaText schema) {
        return store.write(state -> SchemaRegistry.register(state, subject, new SchemaDefinition(schema.schemaType(),
                schema.schema(), schema.references().stream().map(r -> new SchemaReference(r.name(), r.subject(), r.version())).toList())));
    }

    @Override
    public List<String> incompatibilities(String subject, Schema candidate) {
        return store.read(state -> SchemaRegistry.testCompatibility(state, subject, null,
                SchemaDefinition.avro(candidate.toString())).messages());
    }

    @Override
    public List<String> subjects() {
        return store.read(state -> List.copyOf(state.subjects(false)));
    }

    @Override
    public List<Integer> versions(String subject) {
        return store.read(state -> SchemaRegistry.versions(state, subject, false));
    }

    @Override
    public String describe() {
        return "in-memory registry";
    }
}
