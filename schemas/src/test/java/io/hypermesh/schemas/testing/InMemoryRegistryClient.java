package io.hypermesh.schemas.testing;

import io.hypermesh.schemas.format.ParsedSchema;
import io.hypermesh.schemas.format.SchemaTypes;
import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.registry.client.RegistryClient;
import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A registry client answering from process memory, for serde tests and TopologyTestDriver, where
 * there is no HTTP server. It keeps what a client can see of a registry: one id per distinct
 * schema text, versions per subject in order, and BACKWARD checks against the latest version
 * (the subject default), with the schema types' own compatibility rules. The server's other
 * rules (modes, levels, deletes) are the registry service's, tested in platform.
 */
public final class InMemoryRegistryClient implements RegistryClient {
    private final Map<Integer, SchemaText> byId = new LinkedHashMap<>();
    private final Map<String, Integer> idByText = new LinkedHashMap<>();
    private final Map<String, List<Integer>> idsBySubject = new LinkedHashMap<>();

    @Override
    public int register(String subject, Schema schema) {
        return register(subject, avro(schema));
    }

    @Override
    public synchronized int register(String subject, SchemaText schema) {
        ParsedSchema parsed = parse(schema);
        List<Integer> versions = idsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer known = idByText.get(key(schema.schemaType(), parsed.canonical()));
        if (known != null && versions.contains(known)) {
            return known;
        }
        List<String> problems = incompatibilities(subject, parsed);
        if (!problems.isEmpty()) {
            throw new RegistryException(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                    + subject + "\", details: " + problems);
        }
        int id = known != null ? known : byId.size() + 1;
        byId.putIfAbsent(id, new SchemaText(schema.schemaType(), parsed.canonical(), schema.references()));
        idByText.putIfAbsent(key(schema.schemaType(), parsed.canonical()), id);
        versions.add(id);
        return id;
    }

    @Override
    public synchronized int idOf(String subject, Schema schema) {
        Integer id = idByText.get(key(SchemaTypes.AVRO, parse(avro(schema)).canonical()));
        if (id == null || !idsBySubject.getOrDefault(subject, List.of()).contains(id)) {
            throw new RegistryException(404, 40403, "Schema not found");
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        return new Schema.Parser().parse(schemaText(id).schema());
    }

    @Override
    public synchronized SchemaText schemaText(int id) {
        SchemaText text = byId.get(id);
        if (text == null) {
            throw new RegistryException(404, 40403, "Schema " + id + " not found");
        }
        return text;
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        RegisteredText latest = versionText(subject, "latest");
        return new RegisteredSchema(subject, latest.version(), latest.id(), new Schema.Parser().parse(latest.schema().schema()));
    }

    @Override
    public synchronized RegisteredText versionText(String subject, String version) {
        List<Integer> ids = idsBySubject.getOrDefault(subject, List.of());
        if (ids.isEmpty()) {
            throw new RegistryException(404, 40401, "Subject '" + subject + "' not found.");
        }
        int number = "latest".equals(version) ? ids.size() : Integer.parseInt(version);
        if (number < 1 || number > ids.size()) {
            throw new RegistryException(404, 40402, "Version " + version + " not found.");
        }
        int id = ids.get(number - 1);
        return new RegisteredText(subject, number, id, byId.get(id));
    }

    @Override
    public synchronized List<String> incompatibilities(String subject, Schema candidate) {
        return incompatibilities(subject, parse(avro(candidate)));
    }

    private List<String> incompatibilities(String subject, ParsedSchema candidate) {
        List<Integer> ids = idsBySubject.getOrDefault(subject, List.of());
        if (ids.isEmpty()) {
            return List.of();
        }
        ParsedSchema latest = parse(byId.get(ids.get(ids.size() - 1)));
        return candidate.backwardIncompatibilities(latest).stream()
                .map(d -> "{errorType:'" + d.errorType() + "', description:'" + d.description() + "'}").toList();
    }

    @Override
    public synchronized List<String> subjects() {
        return idsBySubject.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    }

    @Override
    public synchronized List<Integer> versions(String subject) {
        int count = idsBySubject.getOrDefault(subject, List.of()).size();
        List<Integer> versions = new ArrayList<>();
        for (int v = 1; v <= count; v++) {
            versions.add(v);
        }
        return versions;
    }

    @Override
    public String describe() {
        return "in-memory registry";
    }

    private ParsedSchema parse(SchemaText schema) {
        Map<String, String> references = SchemaTypes.referencedTexts(schema.references(),
                ref -> versionText(ref.subject(), String.valueOf(ref.version())).schema());
        return SchemaTypes.parse(schema.schemaType(), schema.schema(), references);
    }

    private static SchemaText avro(Schema schema) {
        return new SchemaText(SchemaTypes.AVRO, schema.toString(), List.of());
    }

    private static String key(String type, String canonical) {
        return type + '\n' + canonical;
    }
}
