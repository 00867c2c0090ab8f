package io.hypermesh.schemas.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonSchema parse(String text) {
        return parse(text, Map.of());
    }

    private static JsonSchema parse(String text, Map<String, String> refs) {
        return (JsonSchema) SchemaTypes.parse(SchemaTypes.JSON, text, refs);
    }

    private static List<String> incompatibilities(String before, String after) {
        return parse(after).backwardIncompatibilities(parse(before)).stream().map(ParsedSchema.Difference::errorType).toList();
    }

    @Test
    void validatesDocumentsInDraft7And202012() throws Exception {
        for (String dialect : List.of("http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2020-12/schema")) {
            JsonSchema schema = parse("{\"$schema\":\"" + dialect + "\",\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
                    + "\"n\":{\"type\":\"integer\",\"minimum\":0}},\"required\":[\"id\"]}");
            assertEquals(List.of(), schema.validate(JSON.readTree("{\"id\":\"a\",\"n\":3}")));
            assertEquals(2, schema.validate(JSON.readTree("{\"n\":-1}")).size(), dialect);
        }
    }

    @Test
    void refusesSchemasTheirMetaSchemaRefuses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("{\"type\":\"strung\"}"));
        assertTrue(e.getMessage().contains("not a valid"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse("{\"minimum\":\"zero\"}"));
        assertThrows(IllegalArgumentException.class, () -> parse("{\"type\":\"string\",\"type\":\"number\"}"));
        assertThrows(IllegalArgumentException.class, () -> parse("not json"));
        assertThrows(IllegalArgumentException.class, () -> parse("{\"$schema\":\"https://example.com/mine\"}"));
    }

    @Test
    void referencesResolveByName() throws Exception {
        String address = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
        JsonSchema schema = parse("{\"type\":\"object\",\"properties\":{\"home\":{\"$ref\":\"address.json\"}}}",
                Map.of("address.json", address));
        assertEquals(List.of(), schema.validate(JSON.readTree("{\"home\":{\"city\":\"Oslo\"}}")));
        assertEquals(1, schema.validate(JSON.readTree("{\"home\":{}}")).size());
        assertThrows(IllegalArgumentException.class,
                () -> parse("{\"type\":\"object\",\"properties\":{\"home\":{\"$ref\":\"address.json\"}}}"));
    }

    @Test
    void aRefToAUrlIsNeverFetched() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "{\"type\":\"string\"}".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/x.json";
            assertThrows(IllegalArgumentException.class, () -> parse("{\"properties\":{\"p\":{\"$ref\":\"" + url + "\"}}}"));
            assertEquals(0, requests.get(), "the registry fetched a URL a schema named");
        } finally {
            server.stop(0);
        }
    }

    /** A schema nested as deep as Jackson reads is refused with a reason on a small stack, as is a .proto too deep for a descriptor. */
    @Test
    void deepNestingIsRefusedNotACrash() throws Exception {
        StringBuilder json = new StringBuilder();
        StringBuilder proto = new StringBuilder("syntax = \"proto3\";");
        for (int i = 0; i < 499; i++) {
            json.append("{\"properties\":{\"a\":");
            proto.append("message M").append(i).append(" { ");
        }
        json.append("{\"type\":\"string\"}").append("}}".repeat(499));
        proto.append("} ".repeat(499));
        java.util.List<Throwable> thrown = new java.util.ArrayList<>();
        Thread small = new Thread(null, () -> {
            for (String[] typed : new String[][] {{"JSON", json.toString()}, {"PROTOBUF", proto.toString()}}) {
                try {
                    ParsedSchema parsed = SchemaTypes.parse(typed[0], typed[1], Map.of());
                    parsed.backwardIncompatibilities(parsed);
                    ((ProtobufSchema) parsed).descriptor(); // what a serde builds
                } catch (Throwable t) {
                    thrown.add(t);
                }
            }
        }, "small-stack", 512 * 1024);
        small.start();
        small.join();
        assertEquals(2, thrown.size(), thrown.toString());
        for (Throwable t : thrown) {
            assertTrue(t instanceof IllegalArgumentException
                    && (t.getMessage().contains("too deeply") || t.getMessage().contains("too many levels of nesting")), t.toString());
        }
    }

    @Test
    void normalisedFormSortsKeys() {
        assertEquals(parse("{\"type\":\"string\",\"maxLength\":3}").normalized(),
                parse("{\"maxLength\":3,\"type\":\"string\"}").normalized());
        assertEquals("{\"type\":\"string\",\"maxLength\":3}", parse("{ \"type\": \"string\", \"maxLength\": 3 }").canonical());
    }

    @Test
    void contentModelRules() {
        String open = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}";
        String closed = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"additionalProperties\":false}";
        // Open content model: removing a property is compatible, adding a typed one is not.
        assertEquals(List.of(), incompatibilities(open, "{\"type\":\"object\",\"properties\":{}}"));
        assertEquals(List.of("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"),
                incompatibilities(open, "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"integer\"}}}"));
        // Closed content model: adding an optional property is compatible, removing one is not.
        assertEquals(List.of(), incompatibilities(closed, closed.replace("}},", "},\"b\":{\"type\":\"integer\"}},")));
        assertEquals(List.of("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
                incompatibilities(closed, "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}"));
        assertEquals(List.of("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"), incompatibilities(closed,
                closed.replace("}},", "},\"b\":{\"type\":\"integer\"}},\"required\":[\"b\"],")));
        // Partially open: a property added must fit what additionalProperties allowed.
        String partial = "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":{\"type\":\"string\"}}";
        assertEquals(List.of(), incompatibilities(partial, partial.replace("{},", "{\"b\":{\"type\":\"string\"}},")));
        assertEquals(List.of("PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
                incompatibilities(partial, partial.replace("{},", "{\"b\":{\"type\":\"integer\"}},")));
    }

    @Test
    void constraintsMayLoosenNotTighten() {
        assertEquals(List.of(), incompatibilities("{\"type\":\"string\",\"maxLength\":5}", "{\"type\":\"string\",\"maxLength\":9}"));
        assertEquals(List.of("MAX_LENGTH_DECREASED"), incompatibilities("{\"type\":\"string\",\"maxLength\":5}",
                "{\"type\":\"string\",\"maxLength\":4}"));
        assertEquals(List.of("MINIMUM_ADDED"), incompatibilities("{\"type\":\"number\"}", "{\"type\":\"number\",\"minimum\":0}"));
        assertEquals(List.of(), incompatibilities("{\"type\":\"integer\"}", "{\"type\":\"number\"}"));
        assertEquals(List.of("TYPE_NARROWED"), incompatibilities("{\"type\":\"number\"}", "{\"type\":\"integer\"}"));
        assertEquals(List.of("TYPE_CHANGED"), incompatibilities("{\"type\":\"string\"}", "{\"type\":\"boolean\"}"));
        assertEquals(List.of(), incompatibilities("{\"enum\":[\"a\",\"b\"]}", "{\"enum\":[\"a\",\"b\",\"c\"]}"));
        assertEquals(List.of("ENUM_ARRAY_NARROWED"), incompatibilities("{\"enum\":[\"a\",\"b\"]}", "{\"enum\":[\"a\"]}"));
        assertEquals(List.of(), incompatibilities("{\"type\":\"string\"}", "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}"));
        assertEquals(List.of(), incompatibilities("{\"type\":\"string\"}", "{\"type\":[\"string\",\"null\"]}"));
        assertEquals(List.of("SUM_TYPE_NARROWED"), incompatibilities("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}",
                "{\"anyOf\":[{\"type\":\"string\"}]}"));
        assertEquals(List.of(), incompatibilities("{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}",
                "{\"type\":\"array\",\"items\":{\"type\":\"number\"}}"));
        assertEquals(List.of("TYPE_CHANGED"), incompatibilities("{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}",
                "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"));
        // Dependencies may go or ask for less, not appear or ask for more (draft 7 and 2020-12 spellings alike).
        String deps = "{\"type\":\"object\",\"dependencies\":{\"card\":[\"billing\",\"name\"]}}";
        assertEquals(List.of(), incompatibilities(deps, "{\"type\":\"object\"}"));
        assertEquals(List.of(), incompatibilities(deps, deps.replace(",\"name\"", "")));
        assertEquals(List.of("DEPENDENCY_ARRAY_EXTENDED"), incompatibilities(deps, deps.replace("\"name\"", "\"name\",\"cvc\"")));
        assertEquals(List.of("DEPENDENCY_ARRAY_ADDED"), incompatibilities("{\"type\":\"object\"}",
                "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\",\"dependentRequired\":{\"card\":"
                        + "[\"billing\"]}}"));
        assertEquals(List.of("DEPENDENCY_SCHEMA_ADDED"), incompatibilities("{\"type\":\"object\"}",
                "{\"type\":\"object\",\"dependencies\":{\"card\":{\"required\":[\"billing\"]}}}"));
        // A change behind a $ref is seen through it.
        assertFalse(incompatibilities("{\"definitions\":{\"x\":{\"type\":\"string\"}},\"properties\":{\"p\":{\"$ref\":\"#/definitions/"
                + "x\"}}}",
                "{\"definitions\":{\"x\":{\"type\":\"integer\"}},\"properties\":{\"p\":{\"$ref\":\"#/definitions/x\"}}}").isEmpty());
        // Recursive schemas terminate.
        String tree = "{\"type\":\"object\",\"properties\":{\"children\":{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}}}";
        assertEquals(List.of(), incompatibilities(tree, tree));
    }
}
