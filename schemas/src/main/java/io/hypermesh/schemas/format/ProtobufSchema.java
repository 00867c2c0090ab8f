package io.hypermesh.schemas.format;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.squareup.wire.schema.CoreLoader;
import com.squareup.wire.schema.ErrorCollector;
import com.squareup.wire.schema.Linker;
import com.squareup.wire.schema.Loader;
import com.squareup.wire.schema.Location;
import com.squareup.wire.schema.ProtoFile;
import com.squareup.wire.schema.Schema;
import com.squareup.wire.schema.internal.SchemaEncoder;
import com.squareup.wire.schema.internal.parser.FieldElement;
import com.squareup.wire.schema.internal.parser.MessageElement;
import com.squareup.wire.schema.internal.parser.OneOfElement;
import com.squareup.wire.schema.internal.parser.OptionElement;
import com.squareup.wire.schema.internal.parser.ProtoFileElement;
import com.squareup.wire.schema.internal.parser.ProtoParser;
import com.squareup.wire.schema.internal.parser.TypeElement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A .proto file (proto3 or proto2) with the files it imports, parsed and linked by Square's Wire
 * (no protoc), and turned into protobuf-java descriptors for the serdes. Confluent's rules: the
 * references name import paths; a record names its message by its indexes in the file.
 */
public final class ProtobufSchema implements ParsedSchema {
    /** Where the registered file itself sits among its imports. */
    static final String ROOT = "schema.proto";
    private static final Map<String, Descriptors.FileDescriptor> WELL_KNOWN = Map.of(
            "google/protobuf/any.proto", com.google.protobuf.AnyProto.getDescriptor(),
            "google/protobuf/duration.proto", com.google.protobuf.DurationProto.getDescriptor(),
            "google/protobuf/empty.proto", com.google.protobuf.EmptyProto.getDescriptor(),
            "google/protobuf/struct.proto", com.google.protobuf.StructProto.getDescriptor(),
            "google/protobuf/timestamp.proto", com.google.protobuf.TimestampProto.getDescriptor(),
            "google/protobuf/wrappers.proto", com.google.protobuf.WrappersProto.getDescriptor(),
            "google/protobuf/descriptor.proto", DescriptorProtos.getDescriptor());

    /** The first type of each well-known file, by which a registered copy of one is recognised. */
    private static final Map<String, String> WELL_KNOWN_BY_FIRST_TYPE = Map.of(
            "Any", "google/protobuf/any.proto",
            "Duration", "google/protobuf/duration.proto",
            "Empty", "google/protobuf/empty.proto",
            "Struct", "google/protobuf/struct.proto",
            "Timestamp", "google/protobuf/timestamp.proto",
            "DoubleValue", "google/protobuf/wrappers.proto",
            "FileDescriptorSet", "google/protobuf/descriptor.proto");
    private static final int MAX_ERROR_CHARS = 2_000;

    private final ProtoFileElement element;
    private final Schema linked;
    private final String path;
    private volatile Descriptors.FileDescriptor descriptor;

    private ProtobufSchema(ProtoFileElement element, Schema linked, String path) {
        this.element = element;
        this.linked = linked;
        this.path = path;
    }

    static ProtobufSchema parse(String text, Map<String, String> references) {
        Map<String, ProtoFileElement> files = new LinkedHashMap<>();
        for (Map.Entry<String, String> ref : references.entrySet()) {
            files.put(ref.getKey(), parseFile(ref.getKey(), ref.getValue()));
        }
        ProtoFileElement root = parseFile(ROOT, text);
        // Confluent's serializers register the well-known files they import (descriptor.proto for custom
        // options) as subjects of their own: such a file takes the place of Wire's copy, not a second one.
        String path = wellKnownPath(root);
        files.put(path, path.equals(ROOT) ? root : parseFile(path, text));
        ErrorCollector errors = new ErrorCollector();
        Schema linked;
        try {
            linked = new Linker(new ReferencedFiles(files), errors, false, true)
                    .link(files.values().stream().map(ProtoFile.Companion::get).toList());
            errors.throwIfNonEmpty();
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new IllegalArgumentException("the .proto does not link: " + (why.length() > MAX_ERROR_CHARS
                    ? why.substring(0, MAX_ERROR_CHARS) + "... (" + (why.length() - MAX_ERROR_CHARS) + " more characters)" : why), e);
        }
        return new ProtobufSchema(root, linked, path);
    }

    private static String wellKnownPath(ProtoFileElement file) {
        if ("google.protobuf".equals(file.getPackageName()) && !file.getTypes().isEmpty()) {
            return WELL_KNOWN_BY_FIRST_TYPE.getOrDefault(file.getTypes().get(0).getName(), ROOT);
        }
        return ROOT;
    }

    private static ProtoFileElement parseFile(String path, String text) {
        try {
            ProtoFileElement file = ProtoParser.Companion.parse(Location.get(path), text);
            ProtobufBounds.check(file);
            return file;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException((ROOT.equals(path) ? "" : "reference '" + path + "': ") + e.getMessage(), e);
        }
    }

    /** Serves the referenced files by import path; google/protobuf/*.proto come with Wire. */
    private record ReferencedFiles(Map<String, ProtoFileElement> files) implements Loader {
        @Override
        public ProtoFile load(String path) {
            ProtoFileElement file = files.get(path);
            if (file != null) {
                return ProtoFile.Companion.get(file);
            }
            if (path.startsWith("google/protobuf/") || path.startsWith("wire/")) {
                return CoreLoader.INSTANCE.load(path);
            }
            throw new IllegalArgumentException("import \"" + path + "\" is not one of the schema's references");
        }

        @Override
        public Loader withErrors(ErrorCollector errors) {
            return this;
        }
    }

    @Override
    public String schemaType() {
        return SchemaTypes.PROTOBUF;
    }

    /** Wire's formatting of the file, without the comment Wire puts on top. */
    @Override
    public String canonical() {
        return tidy(element.toSchema());
    }

    /** Imports and options sorted, and every message's fields in tag order. */
    @Override
    public String normalized() {
        List<String> imports = element.getImports().stream().sorted().toList();
        List<String> publicImports = element.getPublicImports().stream().sorted().toList();
        ProtoFileElement sorted = new ProtoFileElement(element.getLocation(), element.getPackageName(),
                element.getSyntax(), imports, publicImports, element.getWeakImports(),
                element.getTypes().stream().map(ProtobufSchema::sortedFields).toList(), element.getServices(),
                element.getExtendDeclarations(), sortedOptions(element.getOptions()));
        return tidy(sorted.toSchema());
    }

    private static TypeElement sortedFields(TypeElement type) {
        if (!(type instanceof MessageElement m)) {
            return type;
        }
        // Wire prints a message's members in source order, so the sorted ones get new positions.
        int[] line = {0};
        List<FieldElement> fields = m.getFields().stream().sorted(Comparator.comparingInt(FieldElement::getTag))
                .map(f -> at(f, m.getLocation().at(++line[0], 1))).toList();
        List<OneOfElement> oneOfs = m.getOneOfs().stream().map(o -> new OneOfElement(o.getName(), o.getDocumentation(),
                o.getFields().stream().sorted(Comparator.comparingInt(FieldElement::getTag))
                        .map(f -> at(f, m.getLocation().at(++line[0], 1))).toList(),
                o.getGroups(), sortedOptions(o.getOptions()), m.getLocation().at(++line[0], 1))).toList();
        return new MessageElement(m.getLocation(), m.getName(), m.getDocumentation(),
                m.getNestedTypes().stream().map(ProtobufSchema::sortedFields).toList(), sortedOptions(m.getOptions()),
                m.getReserveds(), fields, oneOfs, m.getExtensions(), m.getGroups(), m.getExtendDeclarations());
    }

    private static FieldElement at(FieldElement f, Location location) {
        return new FieldElement(location, f.getLabel(), f.getType(), f.getName(), f.getDefaultValue(), f.getJsonName(),
                f.getTag(), f.getDocumentation(), sortedOptions(f.getOptions()));
    }

    private static List<OptionElement> sortedOptions(List<OptionElement> options) {
        return options.stream().sorted(Comparator.comparing(OptionElement::getName)).toList();
    }

    /** Wire's text without its header comment, trailing spaces, or blank lines inside a message. */
    private static String tidy(String text) {
        StringBuilder kept = new StringBuilder();
        boolean header = true;
        int depth = 0;
        for (String line : text.split("\n", -1)) {
            if (header && line.startsWith("// ")) {
                continue;
            }
            header = false;
            String trimmed = line.stripTrailing();
            if (trimmed.isEmpty() && depth > 0) {
                continue;
            }
            kept.append(trimmed).append('\n');
            depth += count(trimmed, '{') - count(trimmed, '}');
        }
        return kept.toString().strip() + "\n";
    }

    private static int count(String line, char c) {
        return (int) line.chars().filter(ch -> ch == c).count();
    }

    @Override
    public List<Difference> backwardIncompatibilities(ParsedSchema previous) {
        if (!(previous instanceof ProtobufSchema earlier)) {
            return ParsedSchema.differentType(this, previous);
        }
        return new ProtobufDiff(earlier.linked, linked).compare(earlier.linked.protoFile(earlier.path), linked.protoFile(path));
    }

    /** The file as protobuf-java descriptors, for {@code DynamicMessage} and {@code JsonFormat}. */
    public Descriptors.FileDescriptor descriptor() {
        Descriptors.FileDescriptor built = descriptor;
        if (built == null) {
            try {
                built = descriptor(path, new HashMap<>());
            } catch (StackOverflowError e) {
                throw SchemaTypes.tooDeep();
            }
            descriptor = built;
        }
        return built;
    }

    private Descriptors.FileDescriptor descriptor(String path, Map<String, Descriptors.FileDescriptor> done) {
        Descriptors.FileDescriptor wellKnown = WELL_KNOWN.get(path);
        if (wellKnown != null) {
            return wellKnown;
        }
        Descriptors.FileDescriptor cached = done.get(path);
        if (cached != null) {
            return cached;
        }
        try {
            DescriptorProtos.FileDescriptorProto proto = DescriptorProtos.FileDescriptorProto.parseFrom(
                    new SchemaEncoder(linked).encode(linked.protoFile(path)).toByteArray());
            List<Descriptors.FileDescriptor> dependencies = new ArrayList<>();
            for (String dependency : proto.getDependencyList()) {
                dependencies.add(descriptor(dependency, done));
            }
            Descriptors.FileDescriptor file = Descriptors.FileDescriptor.buildFrom(proto,
                    dependencies.toArray(Descriptors.FileDescriptor[]::new));
            done.put(path, file);
            return file;
        } catch (InvalidProtocolBufferException | Descriptors.DescriptorValidationException e) {
            throw new IllegalArgumentException("'" + path + "' has no valid descriptor: " + e.getMessage(), e);
        }
    }

    /** The message a serializer writes when none is named: the file's first, as Confluent's. */
    public Descriptors.Descriptor firstMessage() {
        List<Descriptors.Descriptor> messages = descriptor().getMessageTypes();
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("the .proto declares no message");
        }
        return messages.get(0);
    }

    /** A message by its full name or its name within the package. */
    public Descriptors.Descriptor message(String name) {
        Descriptors.FileDescriptor file = descriptor();
        String local = !file.getPackage().isEmpty() && name.startsWith(file.getPackage() + ".")
                ? name.substring(file.getPackage().length() + 1) : name;
        Descriptors.Descriptor found = null;
        for (String part : local.split("\\.")) {
            found = found == null ? file.findMessageTypeByName(part) : found.findNestedTypeByName(part);
            if (found == null) {
                throw new IllegalArgumentException("the .proto has no message '" + name + "'");
            }
        }
        return found;
    }

    /** Where a message sits: its index among the file's messages, then among each enclosing one's. */
    public static List<Integer> indexesOf(Descriptors.Descriptor message) {
        List<Integer> indexes = new ArrayList<>();
        for (Descriptors.Descriptor at = message; at != null; at = at.getContainingType()) {
            indexes.add(0, at.getIndex());
        }
        return indexes;
    }

    /** The message that {@code indexes} names in this file. */
    public Descriptors.Descriptor messageAt(List<Integer> indexes) {
        List<Descriptors.Descriptor> level = descriptor().getMessageTypes();
        Descriptors.Descriptor found = null;
        for (int index : indexes) {
            if (index < 0 || index >= level.size()) {
                throw new IllegalArgumentException("message indexes " + indexes + " name no message of the schema");
            }
            found = level.get(index);
            level = found.getNestedTypes();
        }
        if (found == null) {
            throw new IllegalArgumentException("empty message indexes");
        }
        return found;
    }
}
