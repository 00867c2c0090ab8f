package io.hypermesh.schemas.format;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Confluent's rules for the keywords that constrain one value (string lengths and pattern, number
 * bounds and multipleOf, enums): a limit may loosen or go, never appear or tighten.
 */
final class JsonSchemaLimits {
    private JsonSchemaLimits() {
    }

    static void compareStrings(JsonNode o, JsonNode u, String path, List<ParsedSchema.Difference> out) {
        tighterMaximum(o, u, "maxLength", "MAX_LENGTH", path, out);
        tighterMinimum(o, u, "minLength", "MIN_LENGTH", path, out);
        if (u.has("pattern") && (!o.has("pattern") || !o.get("pattern").equals(u.get("pattern")))) {
            add(out, o.has("pattern") ? "PATTERN_CHANGED" : "PATTERN_ADDED", path + "/pattern", "The pattern is new or changed");
        }
    }

    static void compareNumbers(JsonNode o, JsonNode u, String path, List<ParsedSchema.Difference> out) {
        tighterMaximum(o, u, "maximum", "MAXIMUM", path, out);
        tighterMinimum(o, u, "minimum", "MINIMUM", path, out);
        tighterMaximum(o, u, "exclusiveMaximum", "EXCLUSIVE_MAXIMUM", path, out);
        tighterMinimum(o, u, "exclusiveMinimum", "EXCLUSIVE_MINIMUM", path, out);
        if (u.has("multipleOf")) {
            if (!o.has("multipleOf")) {
                add(out, "MULTIPLE_OF_ADDED", path + "/multipleOf", "multipleOf was added");
            } else {
                BigDecimal was = o.get("multipleOf").decimalValue();
                BigDecimal now = u.get("multipleOf").decimalValue();
                if (now.signum() == 0 || was.remainder(now).signum() != 0) {
                    add(out, "MULTIPLE_OF_CHANGED", path + "/multipleOf", "multipleOf changed from " + was + " to " + now
                            + ", which not every old value is a multiple of");
                }
            }
        }
    }

    /** A maximum-like limit may go up or away, not appear or go down. */
    static void tighterMaximum(JsonNode o, JsonNode u, String keyword, String name, String path,
                                       List<ParsedSchema.Difference> out) {
        tighter(o, u, keyword, name, -1, "_DECREASED", path, out);
    }

    /** A minimum-like limit may go down or away, not appear or go up. */
    static void tighterMinimum(JsonNode o, JsonNode u, String keyword, String name, String path,
                                       List<ParsedSchema.Difference> out) {
        tighter(o, u, keyword, name, 1, "_INCREASED", path, out);
    }

    static void tighter(JsonNode o, JsonNode u, String keyword, String name, int tighterSign, String moved,
                                String path, List<ParsedSchema.Difference> out) {
        if (!isNumber(u, keyword)) {
            return;
        }
        if (!isNumber(o, keyword)) {
            add(out, name + "_ADDED", path + "/" + keyword, keyword + " was added");
        } else if (Integer.signum(u.get(keyword).decimalValue().compareTo(o.get(keyword).decimalValue())) == tighterSign) {
            add(out, name + moved, path + "/" + keyword, keyword + " went from " + o.get(keyword) + " to " + u.get(keyword));
        }
    }

    static boolean isNumber(JsonNode node, String keyword) {
        return node.has(keyword) && node.get(keyword).isNumber();
    }

    static void compareEnums(JsonNode o, JsonNode u, String path, List<ParsedSchema.Difference> out) {
        Set<JsonNode> was = new LinkedHashSet<>();
        o.get("enum").forEach(was::add);
        Set<JsonNode> now = new LinkedHashSet<>();
        u.get("enum").forEach(now::add);
        if (!now.containsAll(was)) {
            add(out, was.containsAll(now) ? "ENUM_ARRAY_NARROWED" : "ENUM_ARRAY_CHANGED", path + "/enum",
                    "The enum lost values that old documents may hold");
        }
    }

    static void add(List<ParsedSchema.Difference> out, String type, String location, String description) {
        out.add(new ParsedSchema.Difference(type, description, location));
    }
}
