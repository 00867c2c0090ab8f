package io.hypermesh.schemas.format;

import io.hypermesh.schemas.registry.client.RegistryClient.Reference;
import io.hypermesh.schemas.registry.client.RegistryClient.SchemaText;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Parses a schema of any registry type; a bad schema is an {@link IllegalArgumentException} saying why. */
public final class SchemaTypes {
    public static final String AVRO = "AVRO";
    public static final String JSON = "JSON";
    public static final String PROTOBUF = "PROTOBUF";
    /** In the order {@code GET /schemas/types} lists them. */
    public static final List<String> ALL = List.of(JSON, PROTOBUF, AVRO);

    private SchemaTypes() {
    }

    /**
     * @param references the text of every schema the references reach, by reference name (a full
     *                   Avro type name, a JSON Schema URL, a .proto import path), dependencies first
     */
    public static ParsedSchema parse(String schemaType, String text, Map<String, String> references) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the 'schema' field is missing or empty");
        }
        try {
            return switch (schemaType) {
                case AVRO -> AvroParsedSchema.parse(text, references);
                case JSON -> JsonSchema.parse(text, references);
                case PROTOBUF -> ProtobufSchema.parse(text, references);
                default -> throw new IllegalArgumentException("schema type '" + schemaType
                        + "' is not supported by this registry; supported types: " + ALL);
            };
        } catch (StackOverflowError e) {
            throw tooDeep();
        }
    }

    /**
     * The text of every schema {@code references} reach, by reference name, each subject version
     * once and its own references before it (the order an Avro parser needs); {@code lookup} gives
     * the schema a reference names, from the registry's state or over its REST API.
     */
    public static Map<String, String> referencedTexts(List<Reference> references, Function<Reference, SchemaText> lookup) {
        Map<String, String> texts = new LinkedHashMap<>();
        collect(references, lookup, texts, new HashSet<>());
        return texts;
    }

    private static void collect(List<Reference> references, Function<Reference, SchemaText> lookup, Map<String, String> texts,
                                Set<String> seen) {
        for (Reference ref : references) {
            if (seen.add(ref.subject() + '/' + ref.version())) {
                SchemaText target = lookup.apply(ref);
                collect(target.references(), lookup, texts, seen);
                texts.putIfAbsent(ref.name(), target.schema());
            }
        }
    }

    /**
     * Where a parser or a compatibility rule recurses deeper than the thread's stack: a hostile
     * schema is refused, and the thread lives on (the stack has unwound by the time this is thrown).
     */
    public static IllegalArgumentException tooDeep() {
        return new IllegalArgumentException("the schema nests too deeply to be parsed or compared");
    }
}
