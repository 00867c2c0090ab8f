package io.hypermesh.platform.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.topics.TopicSpec;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry's write path fails closed and recovers, and keeps ids and numbers as they must be, on a real broker. */
@KafkaIT
class RegistryBulkheadsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TopicSpec<?> freshTopic() {
        return new TopicSpec<>("_schemas_bulkheads_" + UUID.randomUUID(), 1, (short) 1, "compact", -1, null);
    }

    private static String jsonSchemaBody(String schema) {
        return JSON.createObjectNode().put("schemaType", "JSON").put("schema", schema).toString();
    }

    private static String avro(String name) {
        return JSON.createObjectNode().put("schema", "{\"type\":\"record\",\"name\":\"" + name
                + "\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}").toString();
    }

    @Test
    void aRuleThatThrowsInsideTheTransactionIsRolledBackAndTheNextWriteLands(EmbeddedKafka kafka) {
        try (KafkaSchemaStore store = new KafkaSchemaStore(kafka.clientConfig(), freshTopic(), Duration.ofSeconds(20))) {
            RegistryException failed = assertThrows(RegistryException.class, () -> store.write(state -> {
                throw new ArithmeticException("injected failure inside the transaction");
            }));
            assertEquals(500, failed.httpStatus());
            assertTrue(failed.getMessage().contains("injected failure"), failed.getMessage());

            for (String name : List.of("After1", "After2", "After3")) { // not only the next one: the writer is healthy again
                int id = store.write(s -> SchemaRegistry.register(s, name, definition(name)));
                assertTrue(id > 0);
            }
        }
    }

    @Test
    void aWriteTheBrokerRefusesIsAbortedAndTheWriterRecovers(EmbeddedKafka kafka) {
        try (KafkaSchemaStore store = new KafkaSchemaStore(kafka.clientConfig(), freshTopic(), Duration.ofSeconds(20))) {
            // Over the broker's 1 MB message limit: the send fails inside the transaction, for real.
            String huge = "x".repeat(2_000_000);
            SchemaDefinition tooBig = new SchemaDefinition(SchemaDefinition.AVRO, huge, List.of());
            RegistryException failed = assertThrows(RegistryException.class, () -> store.write(state ->
                    new SchemaRegistry.Planned<>(List.of(new StoreRecord.SchemaId(77, tooBig)), 77)));
            assertEquals(500, failed.httpStatus(), failed.getMessage());
            assertFalse(store.read(s -> s.schemaById(77)).isPresent(), "nothing of the failed write is visible");

            int id = store.write(s -> SchemaRegistry.register(s, "after-refusal", definition("AfterRefusal")));
            assertEquals(id, store.read(s -> SchemaRegistry.version(s, "after-refusal", "latest", false)).id());
        }
    }

    @Test
    void aNumberBeyondADoubleIsRefusedNotStoredAsInfinityAndTheSubjectStaysWritable(EmbeddedKafka kafka) {
        try (SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), freshTopic(), "127.0.0.1", 0)) {
            Http http = new Http(registry.url());
            assertEquals(200, http.post("/subjects/w-value/versions", jsonSchemaBody("{\"type\":\"number\",\"maximum\":5}")).status());

            Http.Response huge = http.post("/subjects/w-value/versions", jsonSchemaBody("{\"type\":\"number\",\"maximum\":1e400}"));
            assertEquals(422, huge.status(), huge.body());
            assertEquals(42201, huge.errorCode());
            Http.Response negative = http.post("/subjects/m-value/versions", jsonSchemaBody("{\"type\":\"number\",\"minimum\":-1e400}"));
            assertEquals(422, negative.status(), negative.body());

            Http.Response next = http.post("/subjects/w-value/versions", jsonSchemaBody("{\"type\":\"number\",\"maximum\":6}"));
            assertEquals(200, next.status(), "the registry keeps taking writes: " + next.body());
            assertEquals(200, http.put("/config/w-value", "{\"compatibility\":\"NONE\"}").status(), "and config writes");
            assertFalse(http.get("/subjects/w-value/versions/latest").body().contains("Infinity"));
            assertEquals(404, http.get("/subjects/m-value/versions").status(), "nothing of the refused one was stored");
        }
    }

    @Test
    void idsStayPositiveAndUniqueAfterAnImportTakesTheTopOfTheRangeAndAcrossARestart(EmbeddedKafka kafka) {
        TopicSpec<?> topic = freshTopic();
        Set<Integer> ids = new HashSet<>();
        try (SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), topic, "127.0.0.1", 0)) {
            Http http = new Http(registry.url());
            assertEquals(200, http.post("/subjects/first-value/versions", avro("First")).status());
            assertEquals(200, http.put("/mode/x-value?force=true", "{\"mode\":\"IMPORT\"}").status());
            Http.Response negative = http.post("/subjects/x-value/versions",
                    avro("Negative").replaceFirst("\\{", "{\"id\":-5,"));
            assertEquals(422, negative.status(), "a negative imported id is refused, not renumbered: " + negative.body());
            Http.Response tooLarge = http.post("/subjects/x-value/versions",
                    avro("TooLarge").replaceFirst("\\{", "{\"id\":2147483648,"));
            assertEquals(422, tooLarge.status(), tooLarge.body());
            Http.Response top = http.post("/subjects/x-value/versions", avro("Top").replaceFirst("\\{", "{\"id\":2147483647,"));
            assertEquals(2147483647, top.json().get("id").asInt(), top.body());
            assertEquals(200, http.delete("/mode/x-value").status());

            for (String name : List.of("Second", "Third")) {
                Http.Response r = http.post("/subjects/" + name + "-value/versions", avro(name));
                assertEquals(200, r.status(), r.body());
                int id = r.json().get("id").asInt();
                assertTrue(id > 0, "positive: " + id);
                assertTrue(http.get("/schemas/ids/" + id).body().contains(name), "the id names its own schema");
                ids.add(id);
            }
        }
        try (SchemaRegistryService restarted = SchemaRegistryService.start(kafka.clientConfig(), topic, "127.0.0.1", 0)) {
            Http http = new Http(restarted.url());
            Http.Response r = http.post("/subjects/fourth-value/versions", avro("Fourth"));
            int id = r.json().get("id").asInt();
            assertTrue(id > 0, "positive after a restart: " + id);
            ids.add(id);
            assertEquals(3, ids.size(), "never handed out twice: " + ids);
            assertTrue(http.get("/schemas/ids/2147483647").body().contains("Top"));
        }
    }

    @Test
    void invalidUtf8AndLoneSurrogatesAreRefusedNotRepaired(EmbeddedKafka kafka) throws Exception {
        try (SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), freshTopic(), "127.0.0.1", 0)) {
            byte[] prefix = "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"doc\\\":\\\"".getBytes();
            byte[] suffix = "\\\",\\\"fields\\\":[]}\"}".getBytes();
            byte[] body = new byte[prefix.length + 1 + suffix.length];
            System.arraycopy(prefix, 0, body, 0, prefix.length);
            body[prefix.length] = (byte) 0xC3; // a lead byte with no continuation
            System.arraycopy(suffix, 0, body, prefix.length + 1, suffix.length);
            HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(registry.url()
                            + "/subjects/utf-value/versions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode(), bad.body());
            assertTrue(bad.body().contains("UTF-8"), bad.body());

            Http http = new Http(registry.url());
            Http.Response surrogate = http.post("/subjects/utf-value/versions",
                    "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"doc\\\":\\\"\\ud800\\\",\\\"fields\\\":[]}\"}");
            assertEquals(400, surrogate.status(), surrogate.body());
            assertEquals(404, http.get("/subjects/utf-value/versions").status());
        }
    }

    @Test
    void oneClientHasAtMostEightRequestsBeingWorkedOn(EmbeddedKafka kafka) throws Exception {
        try (SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), freshTopic(), "127.0.0.1", 0)) {
            StringBuilder proto = new StringBuilder("syntax = \"proto3\"; enum E { ");
            for (int i = 0; i < 5_000; i++) {
                proto.append("V").append(i).append(" = ").append(i).append("; "); // the largest enum allowed: a slow parse
            }
            String body = JSON.createObjectNode().put("schemaType", "PROTOBUF").put("schema", proto.append("}").toString()).toString();
            HttpClient client = HttpClient.newHttpClient();
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create(registry.url() + "/compatibility/subjects/e-value/versions"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            int served = 0;
            int refused = 0;
            for (var answer : answers) {
                HttpResponse<String> r = answer.get(120, java.util.concurrent.TimeUnit.SECONDS);
                if (r.statusCode() == 429) {
                    refused++;
                    assertTrue(r.body().contains("42901") && r.headers().firstValue("Retry-After").isPresent(), r.body());
                } else {
                    assertEquals(200, r.statusCode(), r.body());
                    served++;
                }
            }
            assertTrue(refused > 0 && served >= 8, "past 8 at once a client is refused: " + served + " served, " + refused + " refused");
        }
    }

    private static SchemaDefinition definition(String recordName) {
        return new SchemaDefinition(SchemaDefinition.AVRO, "{\"type\":\"record\",\"name\":\"" + recordName
                + "\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}", List.of());
    }
}
