package io.hypermesh.schemas.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hypermesh.schemas.format.JsonSchema.Located;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a JSON Schema node is, read without comparing: its kind, the members of a combination, an
 * object's dependencies and openness, an array's items. The compatibility rules ({@link JsonSchemaDiff})
 * compare two of these.
 */
final class JsonSchemaShapes {
    private JsonSchemaShapes() {
    }

    enum Kind { EMPTY, FALSE, OBJECT, ARRAY, STRING, NUMBER, INTEGER, BOOLEAN, NULL, ENUM, CONST, COMBINED, NOT }

    static Kind kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return Kind.EMPTY;
        }
        if (node.isBoolean()) {
            return node.asBoolean() ? Kind.EMPTY : Kind.FALSE;
        }
        if (node.has("enum")) {
            return Kind.ENUM;
        }
        if (node.has("const")) {
            return Kind.CONST;
        }
        if (node.has("allOf") || node.has("anyOf") || node.has("oneOf")) {
            return Kind.COMBINED;
        }
        if (node.has("not")) {
            return Kind.NOT;
        }
        JsonNode type = node.get("type");
        if (type != null && type.isArray()) {
            return type.size() == 1 ? kindOf(type.get(0).asText()) : Kind.COMBINED;
        }
        if (type != null) {
            return kindOf(type.asText());
        }
        if (node.has("properties") || node.has("required") || node.has("additionalProperties") || node.has("patternProperties")) {
            return Kind.OBJECT;
        }
        if (node.has("items") || node.has("prefixItems")) {
            return Kind.ARRAY;
        }
        if (node.has("minLength") || node.has("maxLength") || node.has("pattern")) {
            return Kind.STRING;
        }
        if (node.has("minimum") || node.has("maximum") || node.has("multipleOf")) {
            return Kind.NUMBER;
        }
        return Kind.EMPTY;
    }

    static Kind kindOf(String type) {
        return switch (type) {
            case "object" -> Kind.OBJECT;
            case "array" -> Kind.ARRAY;
            case "string" -> Kind.STRING;
            case "number" -> Kind.NUMBER;
            case "integer" -> Kind.INTEGER;
            case "boolean" -> Kind.BOOLEAN;
            case "null" -> Kind.NULL;
            default -> Kind.EMPTY;
        };
    }

    static String describe(Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** allOf, anyOf or oneOf with its members; a list of types is an anyOf of one schema per type. */
    record Combined(String criterion, List<Located> members) {
    }

    static Combined combined(Located at) {
        JsonNode node = at.node();
        for (String criterion : List.of("allOf", "anyOf", "oneOf")) {
            if (node.has(criterion)) {
                List<Located> members = new ArrayList<>();
                node.get(criterion).forEach(m -> members.add(new Located(at.document(), m)));
                return new Combined(criterion, members);
            }
        }
        List<Located> perType = new ArrayList<>();
        for (JsonNode type : node.get("type")) {
            ObjectNode single = ((ObjectNode) node).deepCopy();
            single.set("type", type);
            perType.add(new Located(at.document(), single));
        }
        return new Combined("anyOf", perType);
    }

    static Map<String, JsonNode> dependencies(JsonNode object) {
        Map<String, JsonNode> all = new java.util.LinkedHashMap<>();
        for (String keyword : List.of("dependencies", "dependentRequired", "dependentSchemas")) {
            JsonNode node = object.get(keyword);
            if (node != null && node.isObject()) {
                node.fields().forEachRemaining(e -> all.put(e.getKey(), e.getValue()));
            }
        }
        return all;
    }

    static boolean isOpen(JsonNode object) {
        JsonNode additional = object.get("additionalProperties");
        boolean noPatterns = !object.has("patternProperties") || object.get("patternProperties").isEmpty();
        return noPatterns && (additional == null || (additional.isBoolean() && additional.asBoolean()));
    }

    /** The schema that a pattern or {@code additionalProperties} gives a property the object does not name. */
    static JsonNode partialSchema(JsonNode object, String key) {
        JsonNode patterns = object.get("patternProperties");
        if (patterns != null && patterns.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = patterns.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                if (Pattern.compile(p.getKey()).matcher(key).find()) {
                    return p.getValue();
                }
            }
        }
        JsonNode additional = object.get("additionalProperties");
        return additional != null && additional.isObject() ? additional : null;
    }

    /** An array's items: a tuple of leading schemas, then one for the rest (null: anything). */
    record Items(List<JsonNode> prefix, JsonNode rest, String restKeyword) {
        static Items of(JsonNode array) {
            JsonNode prefixItems = array.get("prefixItems");
            JsonNode items = array.get("items");
            if (prefixItems != null && prefixItems.isArray()) {
                return new Items(list(prefixItems), items, "items"); // 2020-12
            }
            if (items != null && items.isArray()) {
                return new Items(list(items), array.get("additionalItems"), "additionalItems"); // draft 7
            }
            return new Items(List.of(), items, "items");
        }

        static List<JsonNode> list(JsonNode array) {
            List<JsonNode> nodes = new ArrayList<>();
            array.forEach(nodes::add);
            return nodes;
        }

        boolean restClosed() {
            return rest != null && rest.isBoolean() && !rest.asBoolean();
        }

        boolean restOpen() {
            return rest == null || (rest.isBoolean() && rest.asBoolean());
        }
    }

    static Set<String> strings(JsonNode array) {
        Set<String> values = new HashSet<>();
        if (array != null && array.isArray()) {
            array.forEach(v -> values.add(v.asText()));
        }
        return values;
    }

    static JsonNode objectOrEmpty(JsonNode node) {
        return node != null && node.isObject() ? node : JsonNodeFactory.instance.objectNode();
    }
}
