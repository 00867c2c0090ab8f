package io.hypermesh.schemas.format;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtobufSchemaTest {
    private static final String ORDER = """
            syntax = "proto3";
            package shop;
            import "google/protobuf/timestamp.proto";
            message Order {
              string id = 1;
              int64 cents = 2;
              google.protobuf.Timestamp placed = 3;
              Line line = 4;
              map<string, int32> tags = 5;
              message Line { string sku = 1; uint32 count = 2; }
            }
            message Refund { string order_id = 1; }
            """;

    private static ProtobufSchema parse(String text) {
        return (ProtobufSchema) SchemaTypes.parse(SchemaTypes.PROTOBUF, text, Map.of());
    }

    private static List<String> incompatibilities(String before, String after) {
        return parse(after).backwardIncompatibilities(parse(before)).stream().map(ParsedSchema.Difference::errorType).toList();
    }

    @Test
    void parsesToWireCanonicalTextAndDescriptors() throws Exception {
        ProtobufSchema schema = parse(ORDER);
        assertTrue(schema.canonical().startsWith("syntax = \"proto3\";\n\npackage shop;\n\nimport "
                + "\"google/protobuf/timestamp.proto\";\n\nmessage Order {\n  string id = 1;\n  int64 cents = 2;"),
                schema.canonical().replace("\n", "\\n"));
        assertEquals(schema.canonical(), parse(schema.canonical()).canonical(), "the canonical text is a fixed point");
        Descriptors.Descriptor order = schema.firstMessage();
        assertEquals("shop.Order", order.getFullName());
        Descriptors.Descriptor line = schema.message("Order.Line");
        assertEquals(List.of(0, 0), ProtobufSchema.indexesOf(line));
        assertEquals(List.of(1), ProtobufSchema.indexesOf(schema.message("shop.Refund")));
        assertEquals(line, schema.messageAt(List.of(0, 0)));

        DynamicMessage.Builder builder = DynamicMessage.newBuilder(order);
        JsonFormat.parser().merge("{\"id\":\"o-1\",\"cents\":\"1250\",\"placed\":\"2026-12-01T10:00:00Z\",\"line\":{\"sku\":\"a\",\"co"
                + "unt\":2},\"tags\":{\"x\":1}}", builder);
        DynamicMessage back = DynamicMessage.parseFrom(order, builder.build().toByteArray());
        String json = JsonFormat.printer().omittingInsignificantWhitespace().print(back);
        assertTrue(json.contains("\"placed\":\"2026-12-01T10:00:00Z\""), json);
        assertTrue(json.contains("\"sku\":\"a\""), json);
    }

    @Test
    void importsComeFromReferences() {
        Map<String, String> refs = new LinkedHashMap<>();
        refs.put("money.proto", "syntax = \"proto3\"; package shop; message Money { int64 cents = 1; string currency = 2; }");
        ProtobufSchema schema = (ProtobufSchema) SchemaTypes.parse(SchemaTypes.PROTOBUF,
                "syntax = \"proto3\"; package shop; import \"money.proto\"; message Price { Money amount = 1; }", refs);
        assertEquals("shop.Money", schema.firstMessage().findFieldByName("amount").getMessageType().getFullName());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> parse(
                "syntax = \"proto3\"; import \"money.proto\"; message Price { shop.Money amount = 1; }"));
        assertTrue(missing.getMessage().contains("money.proto"), missing.getMessage());
    }

    /** As Confluent's serializers register them: a well-known file as a subject of its own, and a schema importing it. */
    @Test
    void wellKnownFilesRegisterAsSubjectsOfTheirOwn() throws Exception {
        for (String file : List.of("google/protobuf/descriptor.proto", "google/protobuf/timestamp.proto")) {
            String text = new String(com.squareup.wire.schema.CoreLoader.class.getClassLoader().getResourceAsStream(file).readAllBytes());
            ProtobufSchema registered = parse(text);
            assertEquals("google.protobuf", registered.descriptor().getPackage(), file);
            Map<String, String> refs = Map.of(file, text);
            String body = file.endsWith("descriptor.proto")
                    ? "extend google.protobuf.FieldOptions { string label = 50000; } message A { string s = 1 [(label) = \"x\"]; }"
                    : "message A { google.protobuf.Timestamp at = 1; }";
            ProtobufSchema user = (ProtobufSchema) SchemaTypes.parse(SchemaTypes.PROTOBUF,
                    "syntax = \"proto3\"; import \"" + file + "\"; " + body, refs);
            assertEquals("A", user.firstMessage().getName());
        }
    }

    @Test
    void refusesWhatDoesNotParseOrLink() {
        assertThrows(IllegalArgumentException.class, () -> parse("syntax = \"proto3\"; message {"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> parse("syntax = \"proto3\"; message A { Missing m = 1; }"));
        assertTrue(unknown.getMessage().contains("Missing"), unknown.getMessage());
        StringBuilder many = new StringBuilder("syntax = \"proto3\"; message A {");
        for (int i = 1; i < 500; i++) {
            many.append(" Missing").append(i).append(" m").append(i).append(" = ").append(i).append(";");
        }
        IllegalArgumentException long_ = assertThrows(IllegalArgumentException.class, () -> parse(many + " }"));
        assertTrue(long_.getMessage().length() < 2_200 && long_.getMessage().contains("more characters"), "a bounded reason");
    }

    @Test
    void normalisingSortsFieldsAndImports() {
        String a = "syntax = \"proto3\"; import \"google/protobuf/timestamp.proto\"; import \"google/protobuf/duration.proto\";"
                + " message A { google.protobuf.Duration b = 2; google.protobuf.Timestamp a = 1; }";
        String b = "syntax = \"proto3\"; import \"google/protobuf/duration.proto\"; import \"google/protobuf/timestamp.proto\";"
                + " message A { google.protobuf.Timestamp a = 1; google.protobuf.Duration b = 2; }";
        assertTrue(!parse(a).canonical().equals(parse(b).canonical()));
        assertEquals(parse(a).normalized(), parse(b).normalized());
    }

    @Test
    void confluentRules() {
        String v1 = "syntax = \"proto3\"; package p; message A { string s = 1; int32 n = 2; B b = 3; oneof choice { string x = 4; "
                + "int32 y = 5; } } message B { int32 k = 1; }";
        // Compatible: add or remove a field, rename one, widen within a scalar group, add a message, reorder messages.
        assertEquals(List.of(), incompatibilities(v1,
                "syntax = \"proto3\"; package p; message B { int32 k = 1; } message A { bytes s = 1; int64 renamed = 2; B b = 3; "
                + "string extra = 9; oneof choice { string x = 4; int32 y = 5; } } message C {}"));
        assertEquals(List.of(), incompatibilities(v1,
                "syntax = \"proto3\"; package p; message A { string s = 1; B b = 3; oneof choice { string x = 4; int32 y = 5; } } "
                + "message B { int32 k = 1; }"));
        // Incompatible ones, each with Confluent's error type.
        assertEquals(List.of("FIELD_SCALAR_KIND_CHANGED"), incompatibilities(v1, v1.replace("int32 n = 2", "sint32 n = 2")));
        assertEquals(List.of("FIELD_KIND_CHANGED"), incompatibilities(v1, v1.replace("B b = 3", "string b = 3")));
        assertEquals(List.of("FIELD_SCALAR_KIND_CHANGED"), incompatibilities(v1, v1.replace("message B { int32 k = 1; }",
                "message B { double k = 1; }")));
        assertEquals(List.of("MESSAGE_REMOVED"), incompatibilities(v1 + " message Gone {}", v1));
        assertEquals(List.of("PACKAGE_CHANGED"), incompatibilities(v1, v1.replace("package p;", "package q;")));
        assertEquals(List.of("ONEOF_FIELD_REMOVED"), incompatibilities(v1, v1.replace(" int32 y = 5;", "")));
        assertEquals(List.of("MULTIPLE_FIELDS_MOVED_TO_ONEOF"), incompatibilities(v1,
                "syntax = \"proto3\"; package p; message A { B b = 3; oneof choice { string x = 4; int32 y = 5; } oneof two { string s "
                        + "= 1; int32 n = 2; } } message B { int32 k = 1; }"));
        assertEquals(List.of("REQUIRED_FIELD_ADDED"), incompatibilities("syntax = \"proto2\"; message R { optional int32 a = 1; }",
                "syntax = \"proto2\"; message R { optional int32 a = 1; required int32 b = 2; }"));
        assertEquals(List.of("TYPE_MISMATCH"), parse(v1).backwardIncompatibilities(
                SchemaTypes.parse(SchemaTypes.AVRO, "\"string\"", Map.of())).stream().map(ParsedSchema.Difference::errorType).toList());
    }

    @Test
    void aMapOfMapsIsRefusedWithProtocsReasonNotANullPointer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("syntax = \"proto3\"; message M { map<string, map<string,string>> m = 1; }"));
        assertTrue(e.getMessage().contains("map values cannot be maps"), e.getMessage());
    }

    @Test
    void shapesThatCostMoreThanLinearTimeAreRefusedBeforeLinking() {
        StringBuilder hugeEnum = new StringBuilder("syntax = \"proto3\"; enum E { ");
        for (int i = 0; i <= ProtobufBounds.MAX_ENUM_VALUES; i++) {
            hugeEnum.append("V").append(i).append(" = ").append(i).append("; ");
        }
        long start = System.nanoTime();
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> parse(hugeEnum.append("}").toString()));
        assertTrue(tooMany.getMessage().contains("the limit is " + ProtobufBounds.MAX_ENUM_VALUES), tooMany.getMessage());

        StringBuilder nested = new StringBuilder("syntax = \"proto3\"; ");
        for (int i = 0; i < 1_000; i++) {
            nested.append("message M").append(i).append(" { int32 f = 1; ");
        }
        nested.append("}".repeat(1_000));
        IllegalArgumentException tooDeep = assertThrows(IllegalArgumentException.class, () -> parse(nested.toString()));
        assertTrue(tooDeep.getMessage().contains("nest too deeply: more than " + ProtobufBounds.MAX_NESTING), tooDeep.getMessage());

        StringBuilder atTheBound = new StringBuilder("syntax = \"proto3\"; ");
        for (int i = 0; i < ProtobufBounds.MAX_NESTING; i++) {
            atTheBound.append("message M").append(i).append(" { int32 f = 1; ");
        }
        atTheBound.append("}".repeat(ProtobufBounds.MAX_NESTING));
        ProtobufSchema deepest = parse(atTheBound.toString());
        assertTrue(deepest.normalized().contains("M" + (ProtobufBounds.MAX_NESTING - 1)),
                "the deepest allowed still parses and normalises");
    }
}
