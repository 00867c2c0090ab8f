package io.hypermesh.adapters;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/** Reading the JSON that external systems send, with an {@link InvalidInputException} naming the field for anything wrong. */
public final class JsonInput {
    private JsonInput() {
    }

    public static JsonObject object(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("empty body: a JSON object was expected");
        }
        try {
            Object parsed = io.vertx.core.json.Json.decodeValue(text);
            if (parsed instanceof JsonObject o) {
                return o;
            }
            throw new InvalidInputException("a JSON object was expected, not " + (parsed == null ? "null"
                    : parsed.getClass().getSimpleName()));
        } catch (DecodeException e) {
            throw new InvalidInputException("not JSON: " + firstLine(e.getMessage()), e);
        }
    }

    public static String text(JsonObject o, String field) {
        Object v = o.getValue(field);
        if (!(v instanceof String s) || s.isBlank()) {
            throw new InvalidInputException("'" + field + "' must be a non-empty string" + (v == null ? " (missing)" : ""));
        }
        return s;
    }

    public static String optionalText(JsonObject o, String field) {
        Object v = o.getValue(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new InvalidInputException("'" + field + "' must be a string");
        }
        return s;
    }

    public static double number(JsonObject o, String field, Double fallback, double min, double max) {
        Object v = o.getValue(field);
        if (v == null && fallback != null) {
            return fallback;
        }
        if (!(v instanceof Number n)) {
            throw new InvalidInputException("'" + field + "' must be a number" + (v == null ? " (missing)" : ""));
        }
        double d = n.doubleValue();
        if (Double.isNaN(d) || d < min || d > max) {
            throw new InvalidInputException("'" + field + "' must be within " + min + ".." + max + ", was " + d);
        }
        return d;
    }

    public static Instant time(JsonObject o, String field) {
        String t = optionalText(o, field);
        if (t == null) {
            return Instant.now();
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("'" + field + "' is not an ISO-8601 instant: " + t);
        }
    }

    /** A JSON object's members as strings (nested values as their JSON), keys sorted. */
    public static Map<String, String> flat(JsonObject o) {
        Map<String, String> out = new TreeMap<>();
        if (o != null) {
            o.forEach(e -> out.put(e.getKey(), e.getValue() == null ? "null" : String.valueOf(e.getValue())));
        }
        return out;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
