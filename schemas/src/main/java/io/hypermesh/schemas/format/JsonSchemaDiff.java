package io.hypermesh.schemas.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hypermesh.schemas.format.JsonSchema.Located;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Confluent's JSON Schema compatibility rules: can a reader validating with the new schema accept
 * every document the old one accepted. The content model decides what a property may do: adding
 * one is safe only where the old schema closed the object ({@code additionalProperties: false})
 * or a pattern or additionalProperties schema covered it; removing one only where the new schema
 * stays open, or covers it. Constraints may loosen, never tighten; a sum type (anyOf, oneOf) may
 * gain members and a product (allOf) lose them.
 */
final class JsonSchemaDiff {
    private static final int MAX_REF_DEPTH = 64;

    private final JsonSchema original;
    private final JsonSchema update;
    private final Set<String> inProgress = new HashSet<>();

    JsonSchemaDiff(JsonSchema original, JsonSchema update) {
        this.original = original;
        this.update = update;
    }

    List<ParsedSchema.Difference> differences() {
        List<ParsedSchema.Difference> found = new ArrayList<>();
        compare(new Located(original.root(), original.root()), new Located(update.root(), update.root()), "#", found);
        return found;
    }

    private enum Kind { EMPTY, FALSE, OBJECT, ARRAY, STRING, NUMBER, INTEGER, BOOLEAN, NULL, ENUM, CONST, COMBINED, NOT }

    private void compare(Located o, Located u, String path, List<ParsedSchema.Difference> out) {
        o = deref(original, o);
        u = deref(update, u);
        Kind ko = kind(o.node());
        Kind ku = kind(u.node());
        if (ku == Kind.EMPTY || ko == Kind.FALSE) {
            return; // the new schema accepts anything, or the old one accepted nothing
        }
        if (ko != Kind.COMBINED && ku == Kind.COMBINED) {
            Combined sum = combined(u);
            if (sum.members.size() == 1 || !"allOf".equals(sum.criterion)) {
                for (Located member : sum.members) {
                    if (compatible(o, member, path)) {
                        return; // SUM_TYPE_EXTENDED
                    }
                }
            }
        } else if (ko == Kind.COMBINED && ku != Kind.COMBINED) {
            Combined was = combined(o);
            if (was.members.size() == 1 && compatible(was.members.get(0), u, path)) {
                return;
            }
        }
        if (ko != ku) {
            if (ko == Kind.INTEGER && ku == Kind.NUMBER) {
                compareNumbers(o.node(), u.node(), path, out); // TYPE_EXTENDED
            } else if (ko == Kind.NUMBER && ku == Kind.INTEGER) {
                add(out, "TYPE_NARROWED", path, "The type narrowed from number to integer");
            } else {
                add(out, "TYPE_CHANGED", path, "The type changed from " + describe(ko) + " to " + describe(ku));
            }
            return;
        }
        String pair = System.identityHashCode(o.node()) + ":" + System.identityHashCode(u.node());
        if (!inProgress.add(pair)) {
            return; // a recursive schema, already being compared further up
        }
        try {
            compareSameKind(ko, o, u, path, out);
        } finally {
            inProgress.remove(pair);
        }
    }

    private void compareSameKind(Kind ko, Located o, Located u, String path, List<ParsedSchema.Difference> out) {
        switch (ko) {
            case STRING -> compareStrings(o.node(), u.node(), path, out);
            case NUMBER, INTEGER -> compareNumbers(o.node(), u.node(), path, out);
            case ENUM -> compareEnums(o.node(), u.node(), path, out);
            case CONST -> {
                if (!o.node().get("const").equals(u.node().get("const"))) {
                    add(out, "CONST_CHANGED", path, "The const value changed");
                }
            }
            case COMBINED -> compareCombined(combined(o), combined(u), path, out);
            case NOT -> {
                List<ParsedSchema.Difference> reversed = new ArrayList<>();
                compare(new Located(u.document(), u.node().get("not")), new Located(o.document(), o.node().get("not")),
                        path + "/not", reversed);
                if (!reversed.isEmpty()) {
                    add(out, "NOT_TYPE_EXTENDED", path + "/not", "The schema under 'not' now matches more");
                }
            }
            case OBJECT -> compareObjects(o, u, path, out);
            case ARRAY -> compareArrays(o, u, path, out);
            default -> {
                // boolean and null carry no constraints of their own
            }
        }
    }

    private boolean compatible(Located o, Located u, String path) {
        List<ParsedSchema.Difference> trial = new ArrayList<>();
        compare(o, u, path, trial);
        return trial.isEmpty();
    }

    private Located deref(JsonSchema schema, Located at) {
        for (int depth = 0; at.node().isObject() && at.node().has("$ref") && depth < MAX_REF_DEPTH; depth++) {
            Located target = schema.resolve(at.document(), at.node().get("$ref").asText());
            if (target == null) {
                return new Located(at.document(), JsonNodeFactory.instance.booleanNode(true));
            }
            at = target;
        }
        return at;
    }

    private static Kind kind(JsonNode node) {
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

    private static Kind kindOf(String type) {
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

    private static String describe(Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** allOf, anyOf or oneOf with its members; a list of types is an anyOf of one schema per type. */
    private record Combined(String criterion, List<Located> members) {
    }

    private static Combined combined(Located at) {
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

    private void compareCombined(Combined o, Combined u, String path, List<ParsedSchema.Difference> out) {
        if (!o.criterion.equals(u.criterion)) {
            add(out, "COMBINED_TYPE_CHANGED", path, "The combination changed from " + o.criterion + " to " + u.criterion);
            return;
        }
        boolean product = "allOf".equals(o.criterion);
        // anyOf/oneOf: every old member must still be accepted by a new one; allOf: every new member must accept an old one.
        List<Located> mustMatch = product ? u.members : o.members;
        List<Located> candidates = new ArrayList<>(product ? o.members : u.members);
        for (Located m : mustMatch) {
            Located match = null;
            for (Located c : candidates) {
                if (product ? compatible(c, m, path) : compatible(m, c, path)) {
                    match = c;
                    break;
                }
            }
            if (match == null) {
                add(out, product ? "PRODUCT_TYPE_EXTENDED" : "SUM_TYPE_NARROWED", path + "/" + o.criterion,
                        product ? "allOf gained a constraint the old schema did not have"
                                : o.criterion + " lost a member that old documents may match");
                return;
            }
            candidates.remove(match);
        }
    }

    private static void compareStrings(JsonNode o, JsonNode u, String path, List<ParsedSchema.Difference> out) {
        tighterMaximum(o, u, "maxLength", "MAX_LENGTH", path, out);
        tighterMinimum(o, u, "minLength", "MIN_LENGTH", path, out);
        if (u.has("pattern") && (!o.has("pattern") || !o.get("pattern").equals(u.get("pattern")))) {
            add(out, o.has("pattern") ? "PATTERN_CHANGED" : "PATTERN_ADDED", path + "/pattern", "The pattern is new or changed");
        }
    }

    private static void compareNumbers(JsonNode o, JsonNode u, String path, List<ParsedSchema.Difference> out) {
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
    private static void tighterMaximum(JsonNode o, JsonNode u, String keyword, String name, String path,
                                       List<ParsedSchema.Difference> out) {
        tighter(o, u, keyword, name, -1, "_DECREASED", path, out);
    }

    /** A minimum-like limit may go down or away, not appear or go up. */
    private static void tighterMinimum(JsonNode o, JsonNode u, String keyword, String name, String path,
                                       List<ParsedSchema.Difference> out) {
        tighter(o, u, keyword, name, 1, "_INCREASED", path, out);
    }

    private static void tighter(JsonNode o, JsonNode u, String keyword, String name, int tighterSign, String moved,
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

    private static boolean isNumber(JsonNode node, String keyword) {
        return node.has(keyword) && node.get(keyword).isNumber();
    }

    private static void compareEnums(JsonNode o, JsonNode u, String path, List<ParsedSchema.Difference> out) {
        Set<JsonNode> was = new LinkedHashSet<>();
        o.get("enum").forEach(was::add);
        Set<JsonNode> now = new LinkedHashSet<>();
        u.get("enum").forEach(now::add);
        if (!now.containsAll(was)) {
            add(out, was.containsAll(now) ? "ENUM_ARRAY_NARROWED" : "ENUM_ARRAY_CHANGED", path + "/enum",
                    "The enum lost values that old documents may hold");
        }
    }

    private void compareObjects(Located o, Located u, String path, List<ParsedSchema.Difference> out) {
        JsonNode on = o.node();
        JsonNode un = u.node();
        Set<String> originalRequired = strings(on.get("required"));
        Set<String> updateRequired = strings(un.get("required"));
        JsonNode originalProperties = objectOrEmpty(on.get("properties"));
        JsonNode updateProperties = objectOrEmpty(un.get("properties"));
        Set<String> keys = new LinkedHashSet<>();
        originalProperties.fieldNames().forEachRemaining(keys::add);
        updateProperties.fieldNames().forEachRemaining(keys::add);
        for (String key : keys) {
            String at = path + "/properties/" + key;
            JsonNode was = originalProperties.get(key);
            JsonNode now = updateProperties.get(key);
            if (now == null) {
                if (isOpen(un)) {
                    continue; // PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL
                }
                JsonNode covering = partialSchema(un, key);
                if (covering != null) {
                    if (!compatible(new Located(o.document(), was), new Located(u.document(), covering), at)) {
                        add(out, "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", at,
                                "Property '" + key + "' was removed and the new schema's pattern or additional properties do not accept its old values");
                    }
                } else if (!(was.isBoolean() && !was.asBoolean())) {
                    add(out, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", at,
                            "Property '" + key + "' was removed from a closed content model, so documents that have it are refused");
                }
            } else if (was == null) {
                if (isOpen(on)) {
                    if (kind(deref(update, new Located(u.document(), now)).node()) != Kind.EMPTY) {
                        add(out, "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", at, "Property '" + key
                                + "' was added to an open content model, where old documents may hold any value under it");
                    }
                } else {
                    JsonNode covering = partialSchema(on, key);
                    if (covering != null && !compatible(new Located(o.document(), covering), new Located(u.document(), now), at)) {
                        add(out, "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", at, "Property '" + key
                                + "' was added, and the old schema's pattern or additional properties accepted other values under it");
                    }
                    if (updateRequired.contains(key) && !now.has("default")) {
                        add(out, "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", at,
                                "Property '" + key + "' was added as required without a default");
                    }
                }
            } else {
                if (!originalRequired.contains(key) && updateRequired.contains(key) && !now.has("default")) {
                    add(out, "REQUIRED_ATTRIBUTE_ADDED", path + "/required/" + key, "Property '" + key + "' became required");
                }
                compare(new Located(o.document(), was), new Located(u.document(), now), at, out);
            }
        }
        compareRest(o.document(), on.get("additionalProperties"), u.document(), un.get("additionalProperties"),
                "additionalProperties", "ADDITIONAL_PROPERTIES", path, out);
        compareDependencies(o, u, path, out);
        tighterMaximum(on, un, "maxProperties", "MAX_PROPERTIES", path, out);
        tighterMinimum(on, un, "minProperties", "MIN_PROPERTIES", path, out);
    }

    /**
     * Property dependencies ({@code dependencies} of draft 7, {@code dependentRequired} and
     * {@code dependentSchemas} later): one may go or ask for less, not appear or ask for more.
     */
    private void compareDependencies(Located o, Located u, String path, List<ParsedSchema.Difference> out) {
        Map<String, JsonNode> was = dependencies(o.node());
        Map<String, JsonNode> now = dependencies(u.node());
        for (Map.Entry<String, JsonNode> d : now.entrySet()) {
            String at = path + "/dependencies/" + d.getKey();
            JsonNode before = was.get(d.getKey());
            JsonNode after = d.getValue();
            if (after.isArray()) {
                Set<String> required = strings(after);
                if (before == null || !before.isArray()) {
                    add(out, "DEPENDENCY_ARRAY_ADDED", at, "Property '" + d.getKey() + "' now requires " + required);
                } else if (!strings(before).containsAll(required)) {
                    add(out, required.containsAll(strings(before)) ? "DEPENDENCY_ARRAY_EXTENDED" : "DEPENDENCY_ARRAY_CHANGED", at,
                            "Property '" + d.getKey() + "' now requires " + required + " instead of " + strings(before));
                }
            } else if (before == null || before.isArray()) {
                add(out, "DEPENDENCY_SCHEMA_ADDED", at, "Property '" + d.getKey() + "' now brings a schema the object must match");
            } else {
                compare(new Located(o.document(), before), new Located(u.document(), after), at, out);
            }
        }
    }

    private static Map<String, JsonNode> dependencies(JsonNode object) {
        Map<String, JsonNode> all = new java.util.LinkedHashMap<>();
        for (String keyword : List.of("dependencies", "dependentRequired", "dependentSchemas")) {
            JsonNode node = object.get(keyword);
            if (node != null && node.isObject()) {
                node.fields().forEachRemaining(e -> all.put(e.getKey(), e.getValue()));
            }
        }
        return all;
    }

    private static boolean isOpen(JsonNode object) {
        JsonNode additional = object.get("additionalProperties");
        boolean noPatterns = !object.has("patternProperties") || object.get("patternProperties").isEmpty();
        return noPatterns && (additional == null || (additional.isBoolean() && additional.asBoolean()));
    }

    /** The schema that a pattern or {@code additionalProperties} gives a property the object does not name. */
    private static JsonNode partialSchema(JsonNode object, String key) {
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

    /** additionalProperties or additionalItems: may open, not close; a schema may widen, not appear. */
    private void compareRest(JsonNode originalDocument, JsonNode was, JsonNode updateDocument, JsonNode now,
                             String keyword, String name, String path, List<ParsedSchema.Difference> out) {
        boolean permittedBefore = was == null || !(was.isBoolean() && !was.asBoolean());
        boolean permittedNow = now == null || !(now.isBoolean() && !now.asBoolean());
        if (permittedBefore && !permittedNow) {
            add(out, name + "_REMOVED", path + "/" + keyword, keyword + " are no longer allowed");
        } else if (permittedBefore) {
            boolean schemaBefore = was != null && was.isObject();
            boolean schemaNow = now != null && now.isObject();
            if (!schemaBefore && schemaNow) {
                add(out, name + "_NARROWED", path + "/" + keyword, keyword + " now have to match a schema");
            } else if (schemaBefore && schemaNow) {
                compare(new Located(originalDocument, was), new Located(updateDocument, now), path + "/" + keyword, out);
            }
        }
    }

    /** An array's items: a tuple of leading schemas, then one for the rest (null: anything). */
    private record Items(List<JsonNode> prefix, JsonNode rest, String restKeyword) {
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

        private static List<JsonNode> list(JsonNode array) {
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

    private void compareArrays(Located o, Located u, String path, List<ParsedSchema.Difference> out) {
        Items was = Items.of(o.node());
        Items now = Items.of(u.node());
        int longest = Math.max(was.prefix.size(), now.prefix.size());
        for (int i = 0; i < longest; i++) {
            String at = path + "/items/" + i;
            JsonNode before = i < was.prefix.size() ? was.prefix.get(i) : null;
            JsonNode after = i < now.prefix.size() ? now.prefix.get(i) : null;
            if (before != null && after != null) {
                compare(new Located(o.document(), before), new Located(u.document(), after), at, out);
            } else if (before == null) {
                // An item added: old documents held whatever the old rest allowed at this position.
                if (was.restOpen()) {
                    if (kind(after) != Kind.EMPTY) {
                        add(out, "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", at, "Item " + i + " was added where old documents may hold any value");
                    }
                } else if (!was.restClosed() && !compatible(new Located(o.document(), was.rest), new Located(u.document(), after), at)) {
                    add(out, "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", at, "Item " + i + " was added, narrower than the old rest");
                }
            } else {
                // An item removed: the new rest must take what the old item held.
                if (now.restClosed()) {
                    if (!(before.isBoolean() && !before.asBoolean())) {
                        add(out, "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", at, "Item " + i + " was removed from a closed content model");
                    }
                } else if (!now.restOpen() && !compatible(new Located(o.document(), before), new Located(u.document(), now.rest), at)) {
                    add(out, "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", at, "Item " + i + " was removed, and the new rest does not accept its old values");
                }
            }
        }
        compareRest(o.document(), was.rest, u.document(), now.rest, now.restKeyword, "ADDITIONAL_ITEMS", path, out);
        tighterMaximum(o.node(), u.node(), "maxItems", "MAX_ITEMS", path, out);
        tighterMinimum(o.node(), u.node(), "minItems", "MIN_ITEMS", path, out);
        if (u.node().path("uniqueItems").asBoolean(false) && !o.node().path("uniqueItems").asBoolean(false)) {
            add(out, "UNIQUE_ITEMS_ADDED", path + "/uniqueItems", "Items now have to be unique");
        }
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new HashSet<>();
        if (array != null && array.isArray()) {
            array.forEach(v -> values.add(v.asText()));
        }
        return values;
    }

    private static JsonNode objectOrEmpty(JsonNode node) {
        return node != null && node.isObject() ? node : JsonNodeFactory.instance.objectNode();
    }

    private static void add(List<ParsedSchema.Difference> out, String type, String location, String description) {
        out.add(new ParsedSchema.Difference(type, description, location));
    }
}
