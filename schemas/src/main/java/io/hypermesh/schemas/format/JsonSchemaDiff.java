package io.hypermesh.schemas.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.hypermesh.schemas.format.JsonSchema.Located;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.hypermesh.schemas.format.JsonSchemaShapes.Combined;
import io.hypermesh.schemas.format.JsonSchemaShapes.Items;
import io.hypermesh.schemas.format.JsonSchemaShapes.Kind;

import static io.hypermesh.schemas.format.JsonSchemaLimits.*;
import static io.hypermesh.schemas.format.JsonSchemaShapes.*;

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
            if (sum.members().size() == 1 || !"allOf".equals(sum.criterion())) {
                for (Located member : sum.members()) {
                    if (compatible(o, member, path)) {
                        return; // SUM_TYPE_EXTENDED
                    }
                }
            }
        } else if (ko == Kind.COMBINED && ku != Kind.COMBINED) {
            Combined was = combined(o);
            if (was.members().size() == 1 && compatible(was.members().get(0), u, path)) {
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

    private void compareCombined(Combined o, Combined u, String path, List<ParsedSchema.Difference> out) {
        if (!o.criterion().equals(u.criterion())) {
            add(out, "COMBINED_TYPE_CHANGED", path, "The combination changed from " + o.criterion() + " to " + u.criterion());
            return;
        }
        boolean product = "allOf".equals(o.criterion());
        // anyOf/oneOf: every old member must still be accepted by a new one; allOf: every new member must accept an old one.
        List<Located> mustMatch = product ? u.members() : o.members();
        List<Located> candidates = new ArrayList<>(product ? o.members() : u.members());
        for (Located m : mustMatch) {
            Located match = null;
            for (Located c : candidates) {
                if (product ? compatible(c, m, path) : compatible(m, c, path)) {
                    match = c;
                    break;
                }
            }
            if (match == null) {
                add(out, product ? "PRODUCT_TYPE_EXTENDED" : "SUM_TYPE_NARROWED", path + "/" + o.criterion(),
                        product ? "allOf gained a constraint the old schema did not have"
                                : o.criterion() + " lost a member that old documents may match");
                return;
            }
            candidates.remove(match);
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
                                "Property '" + key
                                        + "' was removed and the new schema's pattern or additional properties do not accept its old "
                                        + "values");
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

    private void compareArrays(Located o, Located u, String path, List<ParsedSchema.Difference> out) {
        Items was = Items.of(o.node());
        Items now = Items.of(u.node());
        int longest = Math.max(was.prefix().size(), now.prefix().size());
        for (int i = 0; i < longest; i++) {
            String at = path + "/items/" + i;
            JsonNode before = i < was.prefix().size() ? was.prefix().get(i) : null;
            JsonNode after = i < now.prefix().size() ? now.prefix().get(i) : null;
            if (before != null && after != null) {
                compare(new Located(o.document(), before), new Located(u.document(), after), at, out);
            } else if (before == null) {
                // An item added: old documents held whatever the old rest allowed at this position.
                if (was.restOpen()) {
                    if (kind(after) != Kind.EMPTY) {
                        add(out, "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", at, "Item " + i + " was added where old documents may hold any value");
                    }
                } else if (!was.restClosed() && !compatible(new Located(o.document(), was.rest()), new Located(u.document(), after), at)) {
                    add(out, "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", at, "Item " + i
                            + " was added, narrower than the old rest");
                }
            } else {
                // An item removed: the new rest must take what the old item held.
                if (now.restClosed()) {
                    if (!(before.isBoolean() && !before.asBoolean())) {
                        add(out, "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", at, "Item " + i + " was removed from a closed content model");
                    }
                } else if (!now.restOpen() && !compatible(new Located(o.document(), before), new Located(u.document(), now.rest()), at)) {
                    add(out, "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", at, "Item " + i
                            + " was removed, and the new rest does not accept its old values");
                }
            }
        }
        compareRest(o.document(), was.rest(), u.document(), now.rest(), now.restKeyword(), "ADDITIONAL_ITEMS", path, out);
        tighterMaximum(o.node(), u.node(), "maxItems", "MAX_ITEMS", path, out);
        tighterMinimum(o.node(), u.node(), "minItems", "MIN_ITEMS", path, out);
        if (u.node().path("uniqueItems").asBoolean(false) && !o.node().path("uniqueItems").asBoolean(false)) {
            add(out, "UNIQUE_ITEMS_ADDED", path + "/uniqueItems", "Items now have to be unique");
        }
    }

}
