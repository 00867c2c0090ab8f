package io.hypermesh.schemas.format;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON Schema (draft 7 unless {@code $schema} names 2020-12, 2019-09, 6 or 4), checked against
 * its meta-schema, with the schemas its {@code $ref}s reach by reference name. Validation is
 * networknt's; compatibility is Confluent's content-model rules ({@link JsonSchemaDiff}).
 */
public final class JsonSchema implements ParsedSchema {
    /** Where a schema without an {@code $id} sits, so that a relative {@code $ref} such as "customer.json" resolves. */
    static final URI BASE = URI.create("https://schemas.hypermesh.invalid/");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper SORTED = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final JsonNode root;
    private final Map<String, JsonNode> references;
    private final Schema validator;

    private JsonSchema(JsonNode root, Map<String, JsonNode> references, Schema validator) {
        this.root = root;
        this.references = references;
        this.validator = validator;
    }

    static JsonSchema parse(String text, Map<String, String> referenceTexts) {
        JsonNode root = read("the schema", text);
        SpecificationVersion dialect = dialectOf(root);
        Map<String, JsonNode> references = new LinkedHashMap<>();
        Map<String, String> byIri = new HashMap<>();
        for (Map.Entry<String, String> ref : referenceTexts.entrySet()) {
            JsonNode node = read("reference '" + ref.getKey() + "'", ref.getValue());
            references.put(ref.getKey(), node);
            for (URI base : List.of(BASE, idOf(root))) {
                byIri.put(base.resolve(ref.getKey()).toString(), ref.getValue());
            }
            if (idOf(node) != BASE) {
                byIri.put(idOf(node).toString(), ref.getValue());
            }
        }
        // Only the references and the bundled meta-schemas: a $ref never makes the registry fetch a URL.
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(dialect, b -> b.schemas(byIri)
                .schemaLoader(loader -> loader.fetchRemoteResources(false)));
        List<String> invalid = metaSchemaErrors(registry, dialect, root);
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException("the schema is not a valid " + dialect + " JSON Schema: " + invalid);
        }
        try {
            Schema validator = registry.getSchema(SchemaLocation.of(idOf(root).resolve("schema.json").toString()), root);
            validator.initializeValidators(); // resolves every $ref now, so a dangling one is refused at register
            return new JsonSchema(root, references, validator);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the schema does not load: " + e.getMessage(), e);
        }
    }

    private static JsonNode read(String what, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !(node.isObject() || node.isBoolean())) {
                throw new IllegalArgumentException(what + " is not a JSON object or boolean");
            }
            refuseNonFinite(what, node);
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A number beyond a double's range (1e400) would be read as Infinity and written back as the
     * string "Infinity": a stored schema that no longer means what was sent, and is invalid.
     */
    private static void refuseNonFinite(String what, JsonNode root) {
        java.util.ArrayDeque<JsonNode> pending = new java.util.ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
                throw new IllegalArgumentException(what + " holds a number beyond the range of a 64-bit float ("
                        + node.doubleValue() + " when read); write it within +-1.7976931348623157E308");
            }
            node.elements().forEachRemaining(pending::push);
        }
    }

    private static SpecificationVersion dialectOf(JsonNode root) {
        if (root.isObject() && root.has("$schema")) {
            String declared = root.get("$schema").asText();
            return SpecificationVersion.fromDialectId(declared)
                    .or(() -> SpecificationVersion.fromDialectId(declared.endsWith("#") ? declared.substring(0, declared.length() - 1)
                            : declared + "#"))
                    .orElseThrow(() -> new IllegalArgumentException("unknown $schema '" + declared
                            + "'; supported: draft 4, 6, 7, 2019-09 and 2020-12"));
        }
        return SpecificationVersion.DRAFT_7; // Confluent's default
    }

    private static URI idOf(JsonNode node) {
        JsonNode id = node.isObject() ? node.get("$id") : null;
        if (id != null && id.isTextual()) {
            try {
                URI uri = URI.create(id.asText());
                if (uri.isAbsolute()) {
                    return uri;
                }
            } catch (IllegalArgumentException ignored) {
                // a bad $id is the meta-schema's to report
            }
        }
        return BASE;
    }

    private static List<String> metaSchemaErrors(SchemaRegistry registry, SpecificationVersion dialect, JsonNode root) {
        Schema meta = registry.getSchema(SchemaLocation.of(dialect.getDialectId()));
        List<String> errors = new ArrayList<>();
        for (Error e : meta.validate(root)) {
            errors.add(e.toString());
        }
        return errors;
    }

    @Override
    public String schemaType() {
        return SchemaTypes.JSON;
    }

    /** The schema as compact JSON, key order kept (Confluent's canonical string). */
    @Override
    public String canonical() {
        return root.toString();
    }

    /** Compact JSON with every object's keys sorted. */
    @Override
    public String normalized() {
        try {
            return SORTED.writeValueAsString(SORTED.treeToValue(root, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public JsonNode root() {
        return root;
    }

    /** Why {@code instance} does not match the schema; empty when it does. */
    public List<String> validate(JsonNode instance) {
        List<String> errors = new ArrayList<>();
        for (Error e : validator.validate(instance)) {
            errors.add(e.toString());
        }
        return errors;
    }

    @Override
    public List<Difference> backwardIncompatibilities(ParsedSchema previous) {
        if (!(previous instanceof JsonSchema earlier)) {
            return ParsedSchema.differentType(this, previous);
        }
        return new JsonSchemaDiff(earlier, this).differences();
    }

    /** A node with the document it sits in, which its own local {@code $ref}s resolve against. */
    record Located(JsonNode document, JsonNode node) {
    }

    /** The schema a {@code $ref} points at, in {@code document} or in a referenced schema; null when unknown. */
    Located resolve(JsonNode document, String ref) {
        int hash = ref.indexOf('#');
        String target = hash < 0 ? ref : ref.substring(0, hash);
        String pointer = hash < 0 ? "" : ref.substring(hash + 1);
        JsonNode doc = target.isEmpty() ? document : referenced(target);
        if (doc == null) {
            return null;
        }
        JsonNode found = pointer.isEmpty() ? doc : doc.at(pointer);
        return found.isMissingNode() ? null : new Located(doc, found);
    }

    private JsonNode referenced(String target) {
        JsonNode byName = references.get(target);
        if (byName != null) {
            return byName;
        }
        for (Map.Entry<String, JsonNode> r : references.entrySet()) {
            if (target.equals(idOf(r.getValue()).toString()) || BASE.resolve(r.getKey()).toString().equals(target)
                    || idOf(root).resolve(r.getKey()).toString().equals(target)) {
                return r.getValue();
            }
        }
        return null;
    }
}
