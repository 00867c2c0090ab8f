package io.hypermesh.schemas.format;

import com.squareup.wire.schema.EnumType;
import com.squareup.wire.schema.Field;
import com.squareup.wire.schema.MessageType;
import com.squareup.wire.schema.OneOf;
import com.squareup.wire.schema.ProtoFile;
import com.squareup.wire.schema.ProtoType;
import com.squareup.wire.schema.Schema;
import com.squareup.wire.schema.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Confluent's Protobuf compatibility rules, on Wire's linked model of the old and the new file.
 * Incompatible: a changed package, a removed message, a field whose kind (scalar, message, map),
 * scalar group or message type changes, a required field added or removed, a field removed from
 * a oneof, and several fields moved into one oneof. Messages may move (records carry indexes
 * against the schema they were written with), fields may be added, removed or renamed.
 */
final class ProtobufDiff {
    private final Schema original;
    private final Schema update;
    private final List<ParsedSchema.Difference> found = new ArrayList<>();
    private final Set<String> compared = new HashSet<>();

    ProtobufDiff(Schema original, Schema update) {
        this.original = original;
        this.update = update;
    }

    List<ParsedSchema.Difference> compare(ProtoFile originalFile, ProtoFile updateFile) {
        if (!Objects.equals(originalFile.getPackageName(), updateFile.getPackageName())) {
            add("PACKAGE_CHANGED", "#/", "The package changed from '" + originalFile.getPackageName() + "' to '"
                    + updateFile.getPackageName() + "'");
        }
        compareTypes(originalFile.getTypes(), updateFile.getTypes(), "#/");
        return found;
    }

    private void compareTypes(List<Type> originalTypes, List<Type> updateTypes, String path) {
        Map<String, MessageType> updated = new HashMap<>();
        for (Type t : updateTypes) {
            if (t instanceof MessageType m) {
                updated.put(m.getName(), m);
            }
        }
        for (Type t : originalTypes) {
            if (t instanceof MessageType m) {
                MessageType counterpart = updated.get(m.getName());
                if (counterpart == null) {
                    add("MESSAGE_REMOVED", path + m.getName(), "The new schema is missing message '" + m.getName() + "'");
                } else {
                    compareMessages(m, counterpart, path + m.getName());
                }
            }
        }
    }

    private void compareMessages(MessageType o, MessageType u, String path) {
        if (!compared.add(o.getType() + "|" + u.getType())) {
            return; // a recursive type, or one reached twice
        }
        Map<Integer, Field> originalByTag = byTag(o.getDeclaredFields());
        Map<Integer, Field> updateByTag = byTag(u.getDeclaredFields());
        Map<Integer, Field> originalAll = new HashMap<>(originalByTag);
        Map<Integer, Field> updateAll = new HashMap<>(updateByTag);
        Map<Integer, String> originalOneOfOf = new HashMap<>();
        Map<Integer, String> updateOneOfOf = new HashMap<>();
        Map<String, OneOf> originalOneOfs = new LinkedHashMap<>();
        Map<Integer, Field> inOriginalOneOfs = new HashMap<>();
        for (OneOf oneOf : o.getOneOfs()) {
            originalOneOfs.put(oneOf.getName(), oneOf);
            for (Field f : oneOf.getFields()) {
                inOriginalOneOfs.put(f.getTag(), f);
                originalAll.put(f.getTag(), f);
                originalOneOfOf.put(f.getTag(), oneOf.getName());
            }
        }
        Map<String, OneOf> updateOneOfs = new LinkedHashMap<>();
        for (OneOf oneOf : u.getOneOfs()) {
            updateOneOfs.put(oneOf.getName(), oneOf);
            int moved = 0;
            int existing = 0;
            for (Field f : oneOf.getFields()) {
                updateAll.put(f.getTag(), f);
                updateOneOfOf.put(f.getTag(), oneOf.getName());
                if (originalByTag.remove(f.getTag()) != null) {
                    moved++;
                } else if (inOriginalOneOfs.containsKey(f.getTag())) {
                    existing++;
                }
            }
            if (moved > 1) {
                add("MULTIPLE_FIELDS_MOVED_TO_ONEOF", path + "/" + oneOf.getName(),
                        moved + " existing fields moved into oneof '" + oneOf.getName() + "'");
            } else if (moved == 1 && existing > 0) {
                add("FIELD_MOVED_TO_EXISTING_ONEOF", path + "/" + oneOf.getName(),
                        "A field moved into oneof '" + oneOf.getName() + "', which already had fields");
            }
        }
        for (OneOf originalOneOf : originalOneOfs.values()) {
            OneOf updateOneOf = updateOneOfs.get(originalOneOf.getName());
            if (updateOneOf == null) {
                continue; // ONEOF_REMOVED is compatible
            }
            Set<Integer> kept = byTag(updateOneOf.getFields()).keySet();
            for (Field f : originalOneOf.getFields()) {
                if (!kept.contains(f.getTag())) {
                    add("ONEOF_FIELD_REMOVED", path + "/" + originalOneOf.getName() + "/" + f.getTag(),
                            "Field '" + f.getName() + "' was removed from oneof '" + originalOneOf.getName() + "'");
                }
            }
        }
        Set<Integer> tags = new TreeSet<>(originalByTag.keySet());
        tags.addAll(updateByTag.keySet());
        for (int tag : tags) {
            Field of = originalByTag.get(tag);
            Field uf = updateByTag.get(tag);
            if (uf == null) {
                if (of.isRequired()) {
                    add("REQUIRED_FIELD_REMOVED", path + "/" + tag, "Required field '" + of.getName() + "' was removed");
                }
            } else if (of == null) {
                if (uf.isRequired()) {
                    add("REQUIRED_FIELD_ADDED", path + "/" + tag, "Required field '" + uf.getName() + "' was added");
                }
            } else {
                compareTypes(of.getType(), uf.getType(), path + "/" + tag);
            }
        }
        // Fields whose oneof membership changed are compared by tag too.
        Set<Integer> common = new TreeSet<>(originalAll.keySet());
        common.retainAll(updateAll.keySet());
        for (int tag : common) {
            String oo = originalOneOfOf.get(tag);
            String uo = updateOneOfOf.get(tag);
            if ((oo == null && uo == null) || (oo != null && oo.equals(uo))) {
                if (oo != null) {
                    compareTypes(originalAll.get(tag).getType(), updateAll.get(tag).getType(), path + "/" + oo + "/" + tag);
                }
                continue;
            }
            compareTypes(originalAll.get(tag).getType(), updateAll.get(tag).getType(), path + "/" + tag);
        }
        compareTypes(o.getNestedTypes(), u.getNestedTypes(), path + "/");
    }

    private enum Kind { SCALAR, MAP, MESSAGE }

    private void compareTypes(ProtoType o, ProtoType u, String path) {
        Kind ok = kind(o, original);
        Kind uk = kind(u, update);
        if (ok != uk) {
            add("FIELD_KIND_CHANGED", path, "The field changed from a " + ok + " (" + o + ") to a " + uk + " (" + u + ")");
            return;
        }
        switch (ok) {
            case SCALAR -> {
                if (!scalarGroup(o, original).equals(scalarGroup(u, update))) {
                    add("FIELD_SCALAR_KIND_CHANGED", path, "The field's type changed from " + o + " to " + u
                            + ", which does not read the same wire values");
                }
            }
            case MAP -> {
                compareTypes(o.getKeyType(), u.getKeyType(), path + "/key");
                compareTypes(o.getValueType(), u.getValueType(), path + "/value");
            }
            case MESSAGE -> {
                if (!localName(o, original).equals(localName(u, update))) {
                    add("FIELD_NAMED_TYPE_CHANGED", path, "The field's message type changed from " + o + " to " + u);
                } else if (original.getType(o) instanceof MessageType om && update.getType(u) instanceof MessageType um) {
                    compareMessages(om, um, path);
                }
            }
        }
    }

    private static Kind kind(ProtoType type, Schema schema) {
        if (type.isScalar() || schema.getType(type) instanceof EnumType) {
            return Kind.SCALAR;
        }
        return type.isMap() ? Kind.MAP : Kind.MESSAGE;
    }

    /** The scalar groups whose members read each other's wire values (the proto3 language guide's "Updating"). */
    private static String scalarGroup(ProtoType type, Schema schema) {
        if (schema.getType(type) instanceof EnumType) {
            return "varint";
        }
        return switch (type.toString()) {
            case "int32", "int64", "uint32", "uint64", "bool" -> "varint";
            case "sint32", "sint64" -> "zigzag";
            case "string", "bytes" -> "length-delimited";
            case "fixed32", "sfixed32" -> "fixed32";
            case "fixed64", "sfixed64" -> "fixed64";
            default -> type.toString(); // float, double: only themselves
        };
    }

    private static String localName(ProtoType type, Schema schema) {
        String name = type.toString();
        Type declared = schema.getType(type);
        if (declared != null) {
            String pkg = schema.protoFile(type) == null ? null : schema.protoFile(type).getPackageName();
            if (pkg != null && name.startsWith(pkg + ".")) {
                return name.substring(pkg.length() + 1);
            }
        }
        return name;
    }

    private static Map<Integer, Field> byTag(List<Field> fields) {
        Map<Integer, Field> byTag = new HashMap<>();
        for (Field f : fields) {
            byTag.put(f.getTag(), f);
        }
        return byTag;
    }

    private void add(String type, String location, String description) {
        found.add(new ParsedSchema.Difference(type, description, location));
    }
}
