package io.hypermesh.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.TopicSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `hypermesh registry import` between two registries of ours on the real broker: every id, version, reference and config kept. */
@KafkaIT
class RegistryImportIT {
    static final ObjectMapper JSON = new ObjectMapper();

    static SchemaRegistryService registry(EmbeddedKafka kafka) {
        return SchemaRegistryService.start(kafka.clientConfig(),
                new TopicSpec<>("_schemas_import_" + UUID.randomUUID(), 1, (short) 1, "compact", -1, null), "127.0.0.1", 0);
    }

    static int register(Http http, String subject, String body) {
        Http.Response r = http.post("/subjects/" + subject + "/versions", body);
        assertEquals(200, r.status(), r.body());
        return r.json().get("id").asInt();
    }

    static String schema(String avro) {
        return JSON.createObjectNode().put("schema", avro).toString();
    }

    /** A register body of another type, with references as name, subject pairs (version 1). */
    static String typed(String type, String schema, String... references) {
        var body = JSON.createObjectNode().put("schemaType", type).put("schema", schema);
        var refs = body.putArray("references");
        for (int i = 0; i < references.length; i += 2) {
            refs.addObject().put("name", references[i]).put("subject", references[i + 1]).put("version", 1);
        }
        return body.toString();
    }

    /** Every live subject version with its id, type, schema and references, and the configs: what must arrive unchanged. */
    static String contents(Http http) {
        StringBuilder all = new StringBuilder();
        for (JsonNode subject : http.get("/subjects").json()) {
            for (JsonNode version : http.get("/subjects/" + subject.asText() + "/versions").json()) {
                all.append(http.get("/subjects/" + subject.asText() + "/versions/" + version.asInt()).body()).append('\n');
            }
            all.append(subject.asText()).append(" config ").append(http.get("/config/" + subject.asText()).body()).append('\n');
        }
        return all.append("global ").append(http.get("/config").body()).toString();
    }

    @Test
    void anImportKeepsEveryIdAndCanStartAgain(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        try (SchemaRegistryService source = registry(kafka); SchemaRegistryService target = registry(kafka);
             SchemaRegistryService fromFile = registry(kafka)) {
            Http src = new Http(source.url());
            // Ids the target would not hand out itself: other subjects first, some versions deleted.
            String address =
                    "{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"t\",\"fields\":[{\"name\":\"city\",\"type\":\"string\"}]}";
            register(src, "scratch", schema("\"string\""));
            int addressId = register(src, "address-value", schema(address));
            register(src, "other", schema("\"long\""));
            assertEquals(200, src.delete("/subjects/other").status());
            String user =
                    "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"t\",\"fields\":[{\"name\":\"home\",\"type\":\"t.Address\"}]}";
            int userId = register(src, "user-value", JSON.createObjectNode().put("schema", user)
                    .set("references", JSON.readTree("[{\"name\":\"t.Address\",\"subject\":\"address-value\",\"version\":1}]")).toString());
            String userV2 =
                    "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"t\",\"fields\":[{\"name\":\"home\",\"type\":\"t.Address\"},"
                    + "{\"name\":\"nick\",\"type\":[\"null\",\"string\"],\"default\":null}]}";
            register(src, "user-value", JSON.createObjectNode().put("schema", userV2)
                    .set("references", JSON.readTree("[{\"name\":\"t.Address\",\"subject\":\"address-value\",\"version\":1}]")).toString());
            // Protobuf with an import, and JSON Schema with a reference and two versions.
            int moneyId = register(src, "money-value", typed("PROTOBUF",
                    "syntax = \"proto3\"; package shop; message Money { int64 cents = 1; string currency = 2; }"));
            int priceId = register(src, "price-value", typed("PROTOBUF",
                    "syntax = \"proto3\"; package shop; import \"money.proto\"; message Price { Money amount = 1; }",
                    "money.proto", "money-value"));
            register(src, "city-value", typed("JSON", "{\"type\":\"string\",\"maxLength\":80}"));
            String order = "{\"type\":\"object\",\"properties\":{\"to\":{\"$ref\":\"city.json\"}},\"additionalProperties\":false}";
            int orderId = register(src, "order-value", typed("JSON", order, "city.json", "city-value"));
            int orderV2 = register(src, "order-value", typed("JSON", order.replace("}},", "},\"n\":{\"type\":\"integer\"}},"),
                    "city.json", "city-value"));
            assertEquals(200, src.put("/config/user-value", "{\"compatibility\":\"FULL_TRANSITIVE\"}").status());
            assertEquals(200, src.put("/config", "{\"compatibility\":\"FORWARD\"}").status());

            // An interrupted run: one version already copied by hand (in IMPORT mode, as the tool leaves it).
            Http dst = new Http(target.url());
            assertEquals(200, dst.put("/mode", "{\"mode\":\"IMPORT\"}").status());
            assertEquals(addressId, register(dst, "address-value", JSON.createObjectNode().put("schema", address).put("id", addressId)
                    .put("version", 1).toString()));

            InProcessCli run = InProcessCli.run("registry", "import", "--from", source.url(), "--registry-url", target.url());
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().contains("imported 8 schema versions") && run.out().contains("(1 already there)"), run.out());
            assertEquals(contents(src), contents(dst), "the same subjects, versions, ids, types, schemas, references and configs");
            assertEquals(userId, dst.get("/subjects/user-value/versions/1").json().get("id").asInt());
            for (int id : new int[] {moneyId, priceId, orderId, orderV2}) {
                assertEquals(src.get("/schemas/ids/" + id).body(), dst.get("/schemas/ids/" + id).body(), "schema id " + id);
            }
            assertEquals("PROTOBUF", dst.get("/schemas/ids/" + priceId).json().get("schemaType").asText());
            assertEquals("JSON", dst.get("/subjects/order-value/versions/2").json().get("schemaType").asText());
            assertEquals("READWRITE", dst.get("/mode").json().get("mode").asText(), "writable again after the import");
            int fresh = register(dst, "new-subject", schema("\"boolean\""));
            assertTrue(fresh > userId + 1, "new ids come after the imported ones: " + fresh);

            // Again: nothing to copy, nothing changed.
            InProcessCli again = InProcessCli.run("registry", "import", "--from", source.url(), "--registry-url", target.url(), "--force");
            assertEquals(0, again.exit(), again.err());
            assertTrue(again.out().contains("imported 0 schema versions") && again.out().contains("(9 already there)"), again.out());

            // Through an export file into a third registry.
            Path export = dir.resolve("registry.json");
            InProcessCli exported = InProcessCli.run("registry", "import", "--from", source.url(), "--to-file", export.toString());
            assertEquals(0, exported.exit(), exported.err());
            assertTrue(Files.readString(export).contains("\"id\" : " + userId));
            InProcessCli loaded = InProcessCli.run("registry", "import", "--from-file", export.toString(), "--registry-url",
                    fromFile.url());
            assertEquals(0, loaded.exit(), loaded.err());
            assertEquals(contents(src), contents(new Http(fromFile.url())));

            // A target with subjects of its own is not imported into unless forced: ids could clash.
            try (SchemaRegistryService busy = registry(kafka)) {
                register(new Http(busy.url()), "mine", schema("\"int\""));
                InProcessCli refused = InProcessCli.run("registry", "import", "--from", source.url(), "--registry-url", busy.url());
                assertNotEquals(0, refused.exit());
                assertTrue(refused.err().contains("Cannot import since found existing subjects"), refused.err());
            }
            Files.writeString(dir.resolve("not-an-export.json"), "{\"hello\":1}");
            InProcessCli wrong = InProcessCli.run("registry", "import", "--from-file", dir.resolve("not-an-export.json").toString(),
                    "--registry-url", target.url());
            assertNotEquals(0, wrong.exit());
            assertTrue(wrong.err().contains("not a registry export"), wrong.err());
        }
    }
}
