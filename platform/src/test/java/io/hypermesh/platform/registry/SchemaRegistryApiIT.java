package io.hypermesh.platform.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.TopicSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.hypermesh.platform.testing.Http.schemaBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every endpoint and error code of the registry REST API, against the Kafka-backed store. */
@KafkaIT
class SchemaRegistryApiIT {
    static final String V1 = record("a:int");
    static final String V2_WITH_DEFAULT = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}]}";
    static final String V2_NO_DEFAULT = record("a:int", "b:string");

    private static final ObjectMapper JSON = new ObjectMapper();
    static SchemaRegistryService registry;
    static Http http;

    @BeforeAll
    static void start(EmbeddedKafka kafka) {
        TopicSpec<?> topic = new TopicSpec<>("_schemas_api_" + UUID.randomUUID(), 1, (short) 1, "compact", -1, null);
        registry = SchemaRegistryService.start(kafka.clientConfig(), topic, "127.0.0.1", 0);
        http = new Http(registry.url());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    /** A record schema "R" with fields given as name:type. */
    static String record(String... fields) {
        List<String> parts = new ArrayList<>();
        for (String f : fields) {
            String[] nt = f.split(":");
            parts.add("{\"name\":\"" + nt[0] + "\",\"type\":\"" + nt[1] + "\"}");
        }
        return "{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + String.join(",", parts) + "]}";
    }

    static String subject() {
        return "s-" + UUID.randomUUID();
    }

    @Test
    void registersFetchesAndLooksUp() {
        String s = subject();
        Http.Response registered = http.post("/subjects/" + s + "/versions", schemaBody(V1));
        assertEquals(200, registered.status(), registered.body());
        assertEquals("application/vnd.schemaregistry.v1+json", registered.contentType());
        int id = registered.json().get("id").asInt();

        assertEquals(id, http.post("/subjects/" + s + "/versions", schemaBody(V1)).json().get("id").asInt(),
                "same schema, same subject: same id and no new version");
        assertEquals("[1]", http.get("/subjects/" + s + "/versions").body());
        String other = subject();
        assertEquals(id, http.post("/subjects/" + other + "/versions", schemaBody(V1)).json().get("id").asInt(),
                "same schema under another subject: same global id");
        String reformatted = "{ \"type\" : \"record\", \"fields\" : [ {\"type\":\"int\", \"name\":\"a\"} ], \"name\":\"R\" }";
        assertEquals(id, http.post("/subjects/" + s + "/versions", schemaBody(reformatted)).json().get("id").asInt(),
                "whitespace and attribute order do not make a new schema");

        JsonNode subjects = http.get("/subjects").json();
        assertTrue(subjects.toString().contains(s) && subjects.toString().contains(other));

        for (String v : List.of("1", "latest", "-1")) {
            JsonNode version = http.get("/subjects/" + s + "/versions/" + v).json();
            assertEquals(s, version.get("subject").asText());
            assertEquals(1, version.get("version").asInt());
            assertEquals(id, version.get("id").asInt());
            assertEquals(V1, version.get("schema").asText());
        }
        assertEquals(V1, http.get("/subjects/" + s + "/versions/1/schema").body());
        assertEquals(V1, http.get("/schemas/ids/" + id).json().get("schema").asText());
        assertEquals(V1, http.get("/schemas/ids/" + id + "/schema").body());
        String versionsOfId = http.get("/schemas/ids/" + id + "/versions").body();
        assertTrue(versionsOfId.contains("{\"subject\":\"" + s + "\",\"version\":1}"), versionsOfId);
        assertTrue(versionsOfId.contains("{\"subject\":\"" + other + "\",\"version\":1}"), versionsOfId);
        assertTrue(http.get("/schemas/ids/" + id + "/subjects").body().contains(other));
        assertEquals("[\"JSON\",\"PROTOBUF\",\"AVRO\"]", http.get("/schemas/types").body());

        JsonNode found = http.post("/subjects/" + s, schemaBody(V1)).json();
        assertEquals(id, found.get("id").asInt());
        assertEquals(1, found.get("version").asInt());
        assertEquals(s, found.get("subject").asText());

        int id2 = http.post("/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT)).json().get("id").asInt();
        assertNotEquals(id, id2);
        assertEquals("[1,2]", http.get("/subjects/" + s + "/versions").body());
        assertEquals(2, http.get("/subjects/" + s + "/versions/latest").json().get("version").asInt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json",
            "application/json", "application/json; charset=utf-8"})
    void acceptsEveryConfluentContentType(String contentType) {
        Http.Response r = http.send("POST", "/subjects/" + subject() + "/versions", schemaBody(V1), contentType);
        assertEquals(200, r.status(), r.body());
    }

    @Test
    void refusesOtherContentTypesWith415() {
        Http.Response r = http.send("POST", "/subjects/" + subject() + "/versions", schemaBody(V1), "text/plain");
        assertEquals(415, r.status());
        assertEquals(415, r.errorCode());
    }

    @Test
    void notFoundCodes() {
        String s = subject();
        expect(404, 40401, http.get("/subjects/" + s + "/versions"));
        expect(404, 40401, http.get("/subjects/" + s + "/versions/1"));
        expect(404, 40401, http.post("/subjects/" + s, schemaBody(V1)));
        http.post("/subjects/" + s + "/versions", schemaBody(V1));
        expect(404, 40402, http.get("/subjects/" + s + "/versions/99"));
        expect(404, 40403, http.get("/schemas/ids/987654"));
        expect(404, 40403, http.post("/subjects/" + s, schemaBody(record("zzz:long"))));
        expect(404, 40408, http.get("/config/" + s));
        expect(404, 404, http.get("/no/such/endpoint"));
    }

    @Test
    void invalidInputCodes() {
        String s = subject();
        Http.Response malformed = http.post("/subjects/" + s + "/versions", schemaBody("{\"type\":\"record\",\"name\":"));
        expect(422, 42201, malformed);
        assertTrue(malformed.json().get("message").asText().startsWith("Invalid schema"), malformed.body());
        expect(422, 42201, http.post("/subjects/" + s + "/versions", schemaBody("{\"type\":\"nosuchtype\"}")));
        expect(422, 42201, http.post("/subjects/" + s + "/versions", "{\"schema\":\"\\\"int\\\"\",\"schemaType\":\"PROTOBUF\"}"));
        expect(422, 42201, http.post("/subjects/" + s + "/versions", "{\"notschema\":1}"));
        expect(400, 400, http.post("/subjects/" + s + "/versions", "{not json"));
        http.post("/subjects/" + s + "/versions", schemaBody(V1));
        expect(422, 42202, http.get("/subjects/" + s + "/versions/0"));
        expect(422, 42202, http.get("/subjects/" + s + "/versions/abc"));
        expect(422, 42203, http.put("/config/" + s, "{\"compatibility\":\"SIDEWAYS\"}"));
        assertFalse(http.get("/subjects").body().contains("\"" + s + "x\""));
        assertEquals("[1]", http.get("/subjects/" + s + "/versions").body(), "a refused request registered nothing");
    }

    @Test
    void incompatibleSchemaIsRefusedWith409AndNotRegistered() {
        String s = subject();
        http.post("/subjects/" + s + "/versions", schemaBody(V1));
        Http.Response refused = http.post("/subjects/" + s + "/versions", schemaBody(V2_NO_DEFAULT));
        expect(409, 409, refused);
        assertTrue(refused.json().get("message").asText().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), refused.body());
        assertEquals("[1]", http.get("/subjects/" + s + "/versions").body());
        assertEquals(200, http.post("/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT)).status());
    }

    @Test
    void compatibilityEndpoint() {
        String s = subject();
        http.post("/subjects/" + s + "/versions", schemaBody(V1));
        JsonNode bad = http.post("/compatibility/subjects/" + s + "/versions/latest?verbose=true", schemaBody(V2_NO_DEFAULT)).json();
        assertFalse(bad.get("is_compatible").asBoolean());
        assertTrue(bad.get("messages").get(0).asText().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), bad.toString());
        JsonNode terse = http.post("/compatibility/subjects/" + s + "/versions/1", schemaBody(V2_NO_DEFAULT)).json();
        assertFalse(terse.get("is_compatible").asBoolean());
        assertFalse(terse.has("messages"));
        assertTrue(http.post("/compatibility/subjects/" + s + "/versions/latest", schemaBody(V2_WITH_DEFAULT)).json()
                .get("is_compatible").asBoolean());
        assertTrue(http.post("/compatibility/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT)).json()
                .get("is_compatible").asBoolean());
        assertTrue(http.post("/compatibility/subjects/" + subject() + "/versions/latest", schemaBody(V1)).json()
                .get("is_compatible").asBoolean(), "nothing to be incompatible with");
        expect(404, 40401, http.post("/compatibility/subjects/" + subject() + "/versions/1", schemaBody(V1)));
        expect(404, 40402, http.post("/compatibility/subjects/" + s + "/versions/7", schemaBody(V1)));
        expect(422, 42202, http.post("/compatibility/subjects/" + s + "/versions/x", schemaBody(V1)));
        expect(422, 42201, http.post("/compatibility/subjects/" + s + "/versions/1", schemaBody("nope")));
    }

    @Test
    void softAndPermanentDeleteOfVersions() {
        String s = subject();
        http.post("/subjects/" + s + "/versions", schemaBody(V1));
        int id2 = http.post("/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT)).json().get("id").asInt();

        expect(404, 40407, http.delete("/subjects/" + s + "/versions/2?permanent=true"));
        assertEquals("2", http.delete("/subjects/" + s + "/versions/2").body());
        expect(404, 40406, http.delete("/subjects/" + s + "/versions/2"));
        assertEquals("[1]", http.get("/subjects/" + s + "/versions").body());
        assertEquals("[1,2]", http.get("/subjects/" + s + "/versions?deleted=true").body());
        expect(404, 40402, http.get("/subjects/" + s + "/versions/2"));
        assertEquals(2, http.get("/subjects/" + s + "/versions/2?deleted=true").json().get("version").asInt());
        assertEquals(1, http.get("/subjects/" + s + "/versions/latest").json().get("version").asInt());
        assertEquals(V2_WITH_DEFAULT, http.get("/schemas/ids/" + id2).json().get("schema").asText(), "ids outlive soft deletes");

        assertEquals("2", http.delete("/subjects/" + s + "/versions/2?permanent=true").body());
        assertEquals("[1]", http.get("/subjects/" + s + "/versions?deleted=true").body());
        expect(404, 40402, http.delete("/subjects/" + s + "/versions/2"));

        int again = http.post("/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT)).json().get("id").asInt();
        assertEquals(id2, again, "re-registering a deleted schema gives its old id back");
        assertEquals("[1,2]", http.get("/subjects/" + s + "/versions").body());
    }

    @Test
    void softAndPermanentDeleteOfSubjects() {
        String s = subject();
        http.post("/subjects/" + s + "/versions", schemaBody(V1));
        http.post("/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT));
        expect(404, 40405, http.delete("/subjects/" + s + "?permanent=true"));
        assertEquals("[1,2]", http.delete("/subjects/" + s).body());
        expect(404, 40404, http.delete("/subjects/" + s));
        assertFalse(http.get("/subjects").body().contains("\"" + s + "\""));
        assertTrue(http.get("/subjects?deleted=true").body().contains("\"" + s + "\""));
        expect(404, 40401, http.get("/subjects/" + s + "/versions"));
        assertEquals(1, http.post("/subjects/" + s + "?deleted=true", schemaBody(V1)).json().get("version").asInt());
        assertEquals("[1,2]", http.delete("/subjects/" + s + "?permanent=true").body());
        assertFalse(http.get("/subjects?deleted=true").body().contains("\"" + s + "\""));
        expect(404, 40401, http.delete("/subjects/" + s));
    }

    @Test
    void configAtEveryLevel() {
        assertEquals("BACKWARD", http.get("/config").json().get("compatibilityLevel").asText());
        for (CompatibilityLevel level : CompatibilityLevel.values()) {
            String s = subject();
            Http.Response set = http.put("/config/" + s, "{\"compatibility\":\"" + level.name() + "\"}");
            assertEquals(200, set.status(), set.body());
            assertEquals(level.name(), set.json().get("compatibility").asText());
            assertEquals(level.name(), http.get("/config/" + s).json().get("compatibilityLevel").asText());
            http.post("/subjects/" + s + "/versions", schemaBody(V1));
            assertEquals(level.name(), http.delete("/config/" + s).json().get("compatibilityLevel").asText());
            expect(404, 40408, http.get("/config/" + s));
            assertEquals("BACKWARD", http.get("/config/" + s + "?defaultToGlobal=true").json().get("compatibilityLevel").asText());
        }
        expect(404, 40401, http.delete("/config/" + subject()));

        String s = subject();
        http.post("/subjects/" + s + "/versions", schemaBody(V1));
        try {
            assertEquals("NONE", http.put("/config", "{\"compatibility\":\"none\"}").json().get("compatibility").asText());
            assertEquals("NONE", http.get("/config").json().get("compatibilityLevel").asText());
            assertEquals(200, http.post("/subjects/" + s + "/versions", schemaBody(V2_NO_DEFAULT)).status(),
                    "global NONE lets an incompatible schema in");
            http.put("/config/" + s, "{\"compatibility\":\"FULL\"}");
            expect(409, 409, http.post("/subjects/" + s + "/versions", schemaBody(record("a:int", "b:string", "c:long"))));
        } finally {
            assertEquals("NONE", http.delete("/config").json().get("compatibilityLevel").asText());
        }
        assertEquals("BACKWARD", http.get("/config").json().get("compatibilityLevel").asText());
    }

    @Test
    void referencesResolveAndProtectWhatTheyPointAt() {
        String common = subject();
        String ns = "ref.t" + UUID.randomUUID().toString().replace("-", "");
        String addr = "{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"" + ns
                + "\",\"fields\":[{\"name\":\"city\",\"type\":\"string\"}]}";
        http.post("/subjects/" + common + "/versions", schemaBody(addr));
        String person = "{\"type\":\"record\",\"name\":\"Person\",\"fields\":[{\"name\":\"home\",\"type\":\"" + ns + ".Address\"}]}";
        String s = subject();
        String body = "{\"schema\":" + new com.fasterxml.jackson.databind.node.TextNode(person)
                + ",\"references\":[{\"name\":\"" + ns + ".Address\",\"subject\":\"" + common + "\",\"version\":1}]}";
        Http.Response registered = http.post("/subjects/" + s + "/versions", body);
        assertEquals(200, registered.status(), registered.body());
        int id = registered.json().get("id").asInt();
        assertEquals(common, http.get("/subjects/" + s + "/versions/1").json().get("references").get(0).get("subject").asText());
        assertEquals("[" + id + "]", http.get("/subjects/" + common + "/versions/1/referencedby").body());
        expect(422, 42201, http.post("/subjects/" + subject() + "/versions", schemaBody(person)));
        expect(422, 42206, http.delete("/subjects/" + common + "/versions/1"));
        expect(422, 42206, http.delete("/subjects/" + common));
        expect(422, 42206, http.delete("/subjects/" + common + "/versions/latest"));
        assertEquals(200, http.delete("/subjects/" + s + "/versions/1").status(), "the referrer goes first");
        assertEquals(200, http.delete("/subjects/" + common + "/versions/1").status(), "then what it referenced");
    }

    @Test
    void aSubjectWithAControlCharacterAndAnOversizedSchemaAreRefusedAsConfluentRefusesThem() {
        String record = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}";
        expect(422, 42208, http.post("/subjects/" + java.net.URLEncoder.encode("a\u0000b", java.nio.charset.StandardCharsets.UTF_8)
                + "/versions", schemaBody(record)));
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            fields.append(i == 0 ? "" : ",").append("{\"name\":\"f").append(i).append("\",\"type\":\"string\"}");
        }
        String huge = "{\"type\":\"record\",\"name\":\"Huge\",\"fields\":[" + fields + "]}";
        long start = System.nanoTime();
        Http.Response tooLarge = http.post("/subjects/" + subject() + "/versions", schemaBody(huge));
        expect(422, 42209, tooLarge);
        assertTrue(tooLarge.json().get("message").asText().contains("the limit is 900000"), tooLarge.body());
        assertTrue(System.nanoTime() - start < 3_000_000_000L, "refused at once, not after retries");
    }

    static void expect(int status, int errorCode, Http.Response response) {
        assertEquals(status, response.status(), response.body());
        assertEquals(errorCode, response.errorCode(), response.body());
        assertFalse(response.json().path("message").asText().isBlank(), response.body());
    }

    /** A register body with the id and version an import keeps. */
    static String importBody(String schema, int id, int version) {
        return "{\"schema\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(schema) + ",\"id\":" + id + ",\"version\":"
                + version + "}";
    }

    @Test
    void aSubjectsModeGatesItsWritesAsConfluentDoes() {
        String s = subject();
        assertEquals(200, http.post("/subjects/" + s + "/versions", schemaBody(V1)).status());
        expect(404, 40409, http.get("/mode/" + s));
        assertEquals("READWRITE", http.get("/mode/" + s + "?defaultToGlobal=true").json().get("mode").asText());
        assertEquals("READWRITE", http.get("/mode").json().get("mode").asText());

        Http.Response set = http.put("/mode/" + s, "{\"mode\":\"READONLY\"}");
        assertEquals(200, set.status(), set.body());
        assertEquals("{\"mode\":\"READONLY\"}", set.body(), "the request itself, as Confluent answers");
        assertEquals("READONLY", http.get("/mode/" + s).json().get("mode").asText());
        expect(422, 42205, http.post("/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT)));
        assertTrue(http.post("/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT)).body().contains("is in read-only mode"));
        expect(422, 42205, http.delete("/subjects/" + s + "/versions/1"));
        expect(422, 42205, http.delete("/subjects/" + s));
        assertEquals(200, http.get("/subjects/" + s + "/versions/1").status(), "reads go on");
        String other = subject();
        assertEquals(200, http.post("/subjects/" + other + "/versions", schemaBody(V1)).status(), "other subjects stay writable");

        expect(422, 42204, http.put("/mode/" + s, "{\"mode\":\"WRITEONLY\"}"));
        expect(422, 42205, http.put("/mode/" + s, "{\"mode\":\"IMPORT\"}"));
        assertTrue(http.put("/mode/" + s, "{\"mode\":\"IMPORT\"}").body().contains("Cannot import since found existing subjects"));
        assertEquals(200, http.put("/mode/" + s + "?force=true", "{\"mode\":\"IMPORT\"}").status(), "forced");
        expect(422, 42205, http.post("/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT)));
        assertTrue(http.post("/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT)).body().contains("is not in read-write mode"));

        Http.Response deleted = http.delete("/mode/" + s);
        assertEquals(200, deleted.status(), deleted.body());
        assertEquals("IMPORT", deleted.json().get("mode").asText(), "answers the mode it had");
        expect(404, 40409, http.get("/mode/" + s));
        expect(404, 40401, http.delete("/mode/" + s));
        assertEquals(200, http.post("/subjects/" + s + "/versions", schemaBody(V2_WITH_DEFAULT)).status(), "writable again");
        expect(422, 42205, http.post("/subjects/" + subject() + "/versions", importBody(V1, 9_000, 1)));
    }

    /** IMPORT keeps the ids and versions it is given and skips compatibility, on a registry of its own (the global mode changes). */
    @Test
    void importModeKeepsGivenIdsAndVersions(EmbeddedKafka kafka) {
        TopicSpec<?> topic = new TopicSpec<>("_schemas_import_" + UUID.randomUUID(), 1, (short) 1, "compact", -1, null);
        try (SchemaRegistryService target = SchemaRegistryService.start(kafka.clientConfig(), topic, "127.0.0.1", 0)) {
            Http t = new Http(target.url());
            assertEquals(200, t.put("/mode", "{\"mode\":\"IMPORT\"}").status(), "an empty registry may import");
            assertEquals("IMPORT", t.get("/mode").json().get("mode").asText());
            String s = subject();
            Http.Response first = t.post("/subjects/" + s + "/versions", importBody(V1, 1_234, 3));
            assertEquals(200, first.status(), first.body());
            assertEquals(1_234, first.json().get("id").asInt());
            assertEquals(3, t.get("/subjects/" + s + "/versions/3").json().get("version").asInt(), "the given version");
            assertEquals(V1, t.get("/schemas/ids/1234").json().get("schema").asText());
            // Incompatible with version 3, yet imported: the source registry already accepted it.
            Http.Response second = t.post("/subjects/" + s + "/versions", importBody(V2_NO_DEFAULT, 1_300, 4));
            assertEquals(200, second.status(), second.body());
            assertEquals("[3,4]", t.get("/subjects/" + s + "/versions").body());
            expect(422, 42205, t.post("/subjects/" + subject() + "/versions", importBody(V2_WITH_DEFAULT, 1_234, 1)));
            assertTrue(t.post("/subjects/" + subject() + "/versions", importBody(V2_WITH_DEFAULT, 1_234, 1)).body()
                    .contains("Overwrite new schema with id 1234 is not permitted."));
            expect(422, 42205, t.post("/subjects/" + subject() + "/versions", schemaBody(V1)));

            assertEquals(200, t.put("/mode", "{\"mode\":\"READWRITE\"}").status());
            Http.Response fresh = t.post("/subjects/" + subject() + "/versions", schemaBody(V2_WITH_DEFAULT));
            assertEquals(1_301, fresh.json().get("id").asInt(), "new ids continue after the imported ones");
            expect(422, 42205, t.put("/mode", "{\"mode\":\"IMPORT\"}"));
            assertEquals(200, t.put("/mode", "{\"mode\":\"READONLY\"}").status());
            expect(422, 42205, t.post("/subjects/" + s + "/versions", schemaBody(V2_NO_DEFAULT)));
        }
        // The modes are in the registry's log: a registry started again on it keeps them.
        try (SchemaRegistryService again = SchemaRegistryService.start(kafka.clientConfig(), topic, "127.0.0.1", 0)) {
            assertEquals("READONLY", new Http(again.url()).get("/mode").json().get("mode").asText());
            assertEquals(200, new Http(again.url()).get("/schemas/ids/1234").status(), "the imported id");
        }
    }

    /** Confluent's content negotiation: the answer's type follows Accept, and an Accept it cannot serve is a 406. */
    @Test
    void answersInTheTypeTheClientAcceptsOr406() {
        String s = subject();
        assertEquals(200, http.post("/subjects/" + s + "/versions", schemaBody(V1)).status());
        Http.Response json = http.withHeader("Accept", "application/json").get("/subjects/" + s + "/versions/1");
        assertEquals(200, json.status());
        assertEquals("application/json", json.contentType());
        assertEquals("application/vnd.schemaregistry+json",
                http.withHeader("Accept", "application/vnd.schemaregistry+json").get("/subjects").contentType());
        Http.Response html = http.withHeader("Accept", "text/html").get("/subjects");
        expect(406, 406, html);
        Http.Response missing = http.withHeader("Accept", "application/json").get("/subjects/" + subject() + "/versions");
        expect(404, 40401, missing);
        assertEquals("application/json", missing.contentType(), "errors in the negotiated type too");
    }

    /** A register body of any type, with references given as name, subject, version triples. */
    static String typedBody(String type, String schema, Object... references) {
        ObjectNode body = JSON.createObjectNode().put("schemaType", type).put("schema", schema);
        if (references.length > 0) {
            ArrayNode refs = body.putArray("references");
            for (int i = 0; i < references.length; i += 3) {
                refs.addObject().put("name", (String) references[i]).put("subject", (String) references[i + 1])
                        .put("version", (Integer) references[i + 2]);
            }
        }
        return body.toString();
    }

    static final String ORDER_JSON = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
            + "\"properties\":{\"id\":{\"type\":\"string\"},\"cents\":{\"type\":\"integer\"}},\"required\":[\"id\"]}";
    static final String ORDER_PROTO = "syntax = \"proto3\";\n\npackage shop;\n\nmessage Order {\n  string id = 1;\n  int64 cents = 2;\n}\n";

    @Test
    void jsonSchemaAndProtobufRegisterFetchAndLookUp() {
        for (String[] typed : List.of(new String[] {"JSON", ORDER_JSON, ORDER_JSON.replace(",", " , ")},
                new String[] {"PROTOBUF", ORDER_PROTO, ORDER_PROTO.replace("\n", " ").replace("  ", " ")})) {
            String type = typed[0];
            String s = subject();
            Http.Response registered = http.post("/subjects/" + s + "/versions", typedBody(type, typed[1]));
            assertEquals(200, registered.status(), registered.body());
            int id = registered.json().get("id").asInt();
            JsonNode byId = http.get("/schemas/ids/" + id).json();
            assertEquals(type, byId.get("schemaType").asText(), "the type is kept and answered");
            assertEquals(typed[1], byId.get("schema").asText(), type + " is stored in its canonical form");
            assertEquals(typed[1], http.get("/schemas/ids/" + id + "/schema").body(), "the raw schema as it is");
            JsonNode version = http.get("/subjects/" + s + "/versions/1").json();
            assertEquals(type, version.get("schemaType").asText());
            assertEquals(id, version.get("id").asInt());
            // The same schema written differently is the same schema: same id, no new version.
            assertEquals(id, http.post("/subjects/" + s + "/versions", typedBody(type, typed[2])).json().get("id").asInt());
            assertEquals(id, http.post("/subjects/" + s, typedBody(type, typed[2])).json().get("id").asInt(), "looked up");
            assertEquals("[1]", http.get("/subjects/" + s + "/versions").body());
        }
        // {"type":"string"} is both an Avro and a JSON schema: under another type it is another schema.
        String both = subject();
        String text = "{\"type\":\"string\"}";
        int jsonId = http.post("/subjects/" + both + "/versions", typedBody("JSON", text)).json().get("id").asInt();
        expect(404, 40403, http.post("/subjects/" + both, typedBody("AVRO", text)));
        assertNotEquals(jsonId, http.post("/subjects/" + subject() + "/versions", typedBody("AVRO", text)).json().get("id").asInt());
        Http.Response badJson = http.post("/subjects/" + subject() + "/versions", typedBody("JSON", "{\"type\":\"strung\"}"));
        expect(422, 42201, badJson);
        assertTrue(badJson.body().contains("not a valid"), badJson.body());
        Http.Response badProto = http.post("/subjects/" + subject() + "/versions", typedBody("PROTOBUF",
                "syntax = \"proto3\"; message A { Nope n = 1; }"));
        expect(422, 42201, badProto);
        assertTrue(badProto.body().contains("Nope"), badProto.body());
        expect(422, 42201, http.post("/subjects/" + subject() + "/versions", typedBody("XML", "<a/>")));
    }

    @Test
    void referencesResolveAcrossSubjectsForEveryType() {
        String money = subject();
        assertEquals(200, http.post("/subjects/" + money + "/versions", typedBody("PROTOBUF",
                "syntax = \"proto3\"; package shop; message Money { int64 cents = 1; string currency = 2; }")).status());
        String price = subject();
        String priceProto = "syntax = \"proto3\"; package shop; import \"money.proto\"; message Price { Money amount = 1; }";
        Http.Response withImport = http.post("/subjects/" + price + "/versions", typedBody("PROTOBUF", priceProto, "money.proto", money,
                1));
        assertEquals(200, withImport.status(), withImport.body());
        expect(422, 42201, http.post("/subjects/" + subject() + "/versions", typedBody("PROTOBUF", priceProto)));
        assertEquals("[" + withImport.json().get("id").asInt() + "]", http.get("/subjects/" + money + "/versions/1/referencedby").body());
        expect(422, 42206, http.delete("/subjects/" + money + "/versions/1"));

        String address = subject();
        assertEquals(200, http.post("/subjects/" + address + "/versions", typedBody("JSON",
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")).status());
        String customer = "{\"type\":\"object\",\"properties\":{\"home\":{\"$ref\":\"address.json\"}}}";
        Http.Response jsonRef = http.post("/subjects/" + subject() + "/versions", typedBody("JSON", customer, "address.json", address, 1));
        assertEquals(200, jsonRef.status(), jsonRef.body());
        expect(422, 42201, http.post("/subjects/" + subject() + "/versions", typedBody("JSON", customer)));
        assertEquals("address.json", http.get("/schemas/ids/" + jsonRef.json().get("id").asInt()).json()
                .at("/references/0/name").asText());
    }

    /** Each level on one change per type: BACKWARD and FORWARD apart, FULL both, NONE neither, transitive against every version. */
    @Test
    void compatibilityLevelsApplyEachTypesRules() {
        String openA = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}";
        String openEmpty = "{\"type\":\"object\",\"properties\":{}}";
        String closedA = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"additionalProperties\":false}";
        String closedAB =
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"integer\"}},\"additionalPropertie"
                        + "s\":false}";
        // JSON: removing a property from an open object is backward compatible only; adding one to a closed object likewise.
        assertLevels("JSON", openA, openEmpty, "BACKWARD", "BACKWARD_TRANSITIVE", "NONE");
        assertLevels("JSON", closedA, closedAB, "BACKWARD", "BACKWARD_TRANSITIVE", "NONE");
        // JSON: a field's type change breaks both directions.
        assertLevels("JSON", openA, openA.replace("\"string\"", "\"boolean\""), "NONE");
        // JSON: loosening a limit is backward compatible, tightening it forward compatible.
        assertLevels("JSON", "{\"type\":\"string\",\"maxLength\":5}", "{\"type\":\"string\",\"maxLength\":9}", "BACKWARD",
                "BACKWARD_TRANSITIVE", "NONE");
        assertLevels("JSON", "{\"type\":\"string\",\"maxLength\":9}", "{\"type\":\"string\",\"maxLength\":5}", "FORWARD",
                "FORWARD_TRANSITIVE", "NONE");

        String v1 = "syntax = \"proto3\"; message A { int32 n = 1; string s = 2; }";
        // Protobuf: adding a message is backward compatible; read the other way, it is a removed message.
        assertLevels("PROTOBUF", v1, v1 + " message B { string x = 1; }", "BACKWARD", "BACKWARD_TRANSITIVE", "NONE");
        // Protobuf: adding and removing fields is compatible both ways; changing a scalar's wire group is not.
        assertLevels("PROTOBUF", v1, v1.replace("string s = 2;", "string s = 2; bool flag = 3;"), "BACKWARD",
                "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE");
        assertLevels("PROTOBUF", v1, v1.replace("int32 n", "sint32 n"), "NONE");
        assertLevels("PROTOBUF", v1, v1.replace("int32 n", "int64 n"), "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
                "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE");

        // Transitive: v3 is compatible with v2 but not with v1.
        String s = subject();
        http.put("/config/" + s, "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
        assertEquals(200, http.post("/subjects/" + s + "/versions", typedBody("PROTOBUF", v1)).status());
        assertEquals(200, http.post("/subjects/" + s + "/versions", typedBody("PROTOBUF",
                "syntax = \"proto3\"; message A { string s = 2; }")).status());
        String v3 = "syntax = \"proto3\"; message A { string s = 2; string n = 1; }";
        Http.Response refused = http.post("/subjects/" + s + "/versions", typedBody("PROTOBUF", v3));
        expect(409, 409, refused);
        assertTrue(refused.body().contains("FIELD_KIND_CHANGED") || refused.body().contains("FIELD_SCALAR_KIND_CHANGED"), refused.body());
        http.put("/config/" + s, "{\"compatibility\":\"BACKWARD\"}");
        assertEquals(200, http.post("/subjects/" + s + "/versions", typedBody("PROTOBUF", v3)).status(), "against the latest only");

        // A subject's versions keep one type.
        String mixed = subject();
        assertEquals(200, http.post("/subjects/" + mixed + "/versions", typedBody("JSON", openA)).status());
        expect(409, 409, http.post("/subjects/" + mixed + "/versions", schemaBody(V1)));
        JsonNode verbose = http.post("/compatibility/subjects/" + mixed + "/versions/latest?verbose=true", typedBody("JSON",
                openA.replace("\"string\"", "\"integer\""))).json();
        assertFalse(verbose.get("is_compatible").asBoolean());
        assertTrue(verbose.get("messages").toString().contains("TYPE_CHANGED"), verbose.toString());
    }

    /** Registers {@code before} then checks {@code after} at every level: it passes exactly at {@code passingLevels}. */
    private static void assertLevels(String type, String before, String after, String... passingLevels) {
        List<String> passing = List.of(passingLevels);
        for (CompatibilityLevel level : CompatibilityLevel.values()) {
            String s = subject();
            assertEquals(200, http.put("/config/" + s, "{\"compatibility\":\"" + level + "\"}").status());
            assertEquals(200, http.post("/subjects/" + s + "/versions", typedBody(type, before)).status());
            boolean compatible = http.post("/compatibility/subjects/" + s + "/versions/latest", typedBody(type, after))
                    .json().get("is_compatible").asBoolean();
            assertEquals(passing.contains(level.name()), compatible, type + " at " + level + ": " + before + " then " + after);
            Http.Response register = http.post("/subjects/" + s + "/versions", typedBody(type, after));
            assertEquals(passing.contains(level.name()) ? 200 : 409, register.status(), level + ": " + register.body());
        }
    }

    @Test
    void normalizeMakesOrderInsensitiveTextsOneSchema() {
        String s = subject();
        String ab = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"integer\"}}}";
        String ba = "{\"properties\":{\"b\":{\"type\":\"integer\"},\"a\":{\"type\":\"string\"}},\"type\":\"object\"}";
        int id = http.post("/subjects/" + s + "/versions?normalize=true", typedBody("JSON", ab)).json().get("id").asInt();
        assertEquals(404, http.post("/subjects/" + s, typedBody("JSON", ba)).status(), "without normalize, key order counts");
        assertEquals(id, http.post("/subjects/" + s + "?normalize=true", typedBody("JSON", ba)).json().get("id").asInt());
        String proto = subject();
        int protoId = http.post("/subjects/" + proto + "/versions?normalize=true", typedBody("PROTOBUF",
                "syntax = \"proto3\"; message A { string b = 2; string a = 1; }")).json().get("id").asInt();
        assertEquals(protoId, http.post("/subjects/" + proto + "/versions?normalize=true", typedBody("PROTOBUF",
                "syntax = \"proto3\"; message A { string a = 1; string b = 2; }")).json().get("id").asInt());
        assertEquals("[1]", http.get("/subjects/" + proto + "/versions").body());
    }
}
