package io.hypermesh.schemas.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between plain JSON and Avro generic data for people typing events by hand.
 * Unions take a plain value (the first branch that fits) or a one-key object naming the branch,
 * e.g. {"ServiceDeregistered": {...}}; timestamps take epoch millis or ISO-8601; bytes are base64.
 * Unknown fields are refused so a typo is an error, not silently dropped data.
 */
public final class JsonAvro {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonAvro() {
    }

    public static GenericRecord toRecord(String json, Schema schema) {
        return (GenericRecord) toAvro(parseObject(json), schema, "$");
    }

    /** Parses text that must hold one JSON object; anything else is an {@link IllegalArgumentException} saying why. */
    public static ObjectNode parseObject(String json) {
        JsonNode node = parse(json);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
        }
        return (ObjectNode) node;
    }

    /** Parses JSON text; text that is not JSON is an {@link IllegalArgumentException} saying why. */
    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static Object toAvro(JsonNode node, Schema schema, String path) {
        switch (schema.getType()) {
            case RECORD:
                return record(node, schema, path);
            case UNION:
                return union(node, schema, path);
            case ENUM:
                if (!node.isTextual() || !schema.getEnumSymbols().contains(node.asText())) {
                    throw error(path, "one of " + schema.getEnumSymbols(), node);
                }
                return new GenericData.EnumSymbol(schema, node.asText());
            case ARRAY: {
                if (!node.isArray()) {
                    throw error(path, "an array", node);
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < node.size(); i++) {
                    items.add(toAvro(node.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return new GenericData.Array<>(schema, items);
            }
            case MAP: {
                if (!node.isObject()) {
                    throw error(path, "an object", node);
                }
                Map<String, Object> map = new LinkedHashMap<>();
                node.fields().forEachRemaining(e -> map.put(e.getKey(), toAvro(e.getValue(), schema.getValueType(), path + "."
                        + e.getKey())));
                return map;
            }
            case STRING:
                if (!node.isTextual()) {
                    throw error(path, "a string", node);
                }
                return node.asText();
            case INT:
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw error(path, "an int", node);
                }
                return node.asInt();
            case LONG:
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis && node.isTextual()) {
                    try {
                        return Instant.parse(node.asText()).toEpochMilli();
                    } catch (DateTimeParseException e) {
                        throw error(path, "epoch millis or an ISO-8601 instant like 2026-01-31T12:00:00Z", node);
                    }
                }
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw error(path, "a long", node);
                }
                return node.asLong();
            case DOUBLE:
                if (!node.isNumber()) {
                    throw error(path, "a number", node);
                }
                return node.asDouble();
            case FLOAT:
                if (!node.isNumber()) {
                    throw error(path, "a number", node);
                }
                return (float) node.asDouble();
            case BOOLEAN:
                if (!node.isBoolean()) {
                    throw error(path, "true or false", node);
                }
                return node.asBoolean();
            case NULL:
                if (!node.isNull()) {
                    throw error(path, "null", node);
                }
                return null;
            case BYTES:
                return ByteBuffer.wrap(base64(node, path));
            case FIXED: {
                byte[] bytes = base64(node, path);
                if (bytes.length != schema.getFixedSize()) {
                    throw error(path, schema.getFixedSize() + " bytes", node);
                }
                return new GenericData.Fixed(schema, bytes);
            }
            default:
                throw new IllegalArgumentException(path + ": unsupported Avro type " + schema.getType());
        }
    }

    private static GenericRecord record(JsonNode node, Schema schema, String path) {
        if (!node.isObject()) {
            throw error(path, "an object (" + schema.getName() + ")", node);
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (schema.getField(name) == null) {
                throw new IllegalArgumentException(path + ": unknown field '" + name + "' for " + schema.getName()
                        + "; fields are " + schema.getFields().stream().map(Schema.Field::name).toList());
            }
        }
        GenericRecord record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            JsonNode value = node.get(field.name());
            if (value != null) {
                record.put(field.pos(), toAvro(value, field.schema(), path + "." + field.name()));
            } else if (field.hasDefaultValue()) {
                record.put(field.pos(), GenericData.get().deepCopy(field.schema(), GenericData.get().getDefaultValue(field)));
            } else {
                throw new IllegalArgumentException(path + ": missing field '" + field.name() + "' of " + schema.getName());
            }
        }
        return record;
    }

    private static Object union(JsonNode node, Schema schema, String path) {
        if (node.isNull() && schema.getIndexNamed("null") != null) {
            return null;
        }
        if (node.isObject() && node.size() == 1) {
            String name = node.fieldNames().next();
            for (Schema branch : schema.getTypes()) {
                if (name.equals(branch.getFullName()) || name.equals(branch.getName())) {
                    return toAvro(node.get(name), branch, path + "." + name);
                }
            }
        }
        List<String> tried = new ArrayList<>();
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            try {
                return toAvro(node, branch, path);
            } catch (IllegalArgumentException e) {
                tried.add(branch.getName() + ": " + e.getMessage());
            }
        }
        throw new IllegalArgumentException(path + ": fits no branch of the union; " + String.join("; ", tried));
    }

    /** Avro generic data (as a generic deserializer returns it) to plain JSON, the inverse of {@link #toAvro}. */
    public static JsonNode toJson(Object value, Schema schema) {
        switch (schema.getType()) {
            case RECORD: {
                ObjectNode out = JSON.createObjectNode();
                GenericRecord record = (GenericRecord) value;
                for (Schema.Field field : schema.getFields()) {
                    out.set(field.name(), toJson(record.get(field.pos()), field.schema()));
                }
                return out;
            }
            case UNION: {
                int index = GenericData.get().resolveUnion(schema, value);
                Schema branch = schema.getTypes().get(index);
                JsonNode inner = toJson(value, branch);
                long nonNull = schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).count();
                if (nonNull > 1 && branch.getType() == Schema.Type.RECORD) {
                    ObjectNode wrapped = JSON.createObjectNode();
                    wrapped.set(branch.getName(), inner);
                    return wrapped;
                }
                return inner;
            }
            case ARRAY: {
                ArrayNode out = JSON.createArrayNode();
                for (Object item : (Iterable<?>) value) {
                    out.add(toJson(item, schema.getElementType()));
                }
                return out;
            }
            case MAP: {
                ObjectNode out = JSON.createObjectNode();
                ((Map<?, ?>) value).forEach((k, v) -> out.set(k.toString(), toJson(v, schema.getValueType())));
                return out;
            }
            case LONG:
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return JSON.getNodeFactory().textNode(Instant.ofEpochMilli((Long) value).toString());
                }
                return JSON.getNodeFactory().numberNode((Long) value);
            case INT:
                return JSON.getNodeFactory().numberNode((Integer) value);
            case DOUBLE:
                return JSON.getNodeFactory().numberNode((Double) value);
            case FLOAT:
                return JSON.getNodeFactory().numberNode((Float) value);
            case BOOLEAN:
                return JSON.getNodeFactory().booleanNode((Boolean) value);
            case NULL:
                return JSON.getNodeFactory().nullNode();
            case BYTES: {
                ByteBuffer buffer = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(bytes));
            }
            case FIXED:
                return JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(((GenericData.Fixed) value).bytes()));
            default:
                return JSON.getNodeFactory().textNode(value.toString());
        }
    }

    private static byte[] base64(JsonNode node, String path) {
        if (!node.isTextual()) {
            throw error(path, "base64 text", node);
        }
        try {
            return Base64.getDecoder().decode(node.asText());
        } catch (IllegalArgumentException e) {
            throw error(path, "base64 text", node);
        }
    }

    private static IllegalArgumentException error(String path, String expected, JsonNode got) {
        String shown = got.toString();
        return new IllegalArgumentException(path + ": expected " + expected + ", got "
                + (shown.length() > 60 ? shown.substring(0, 60) + "..." : shown));
    }
}
