package io.hypermesh.platform.registry;

import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.TopicSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.hypermesh.platform.testing.Http.schemaBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Restart persistence and agreement between registry instances sharing one Kafka log. */
@KafkaIT
class RegistryClusterIT {

    static TopicSpec<?> freshLog() {
        return new TopicSpec<>("_schemas_cluster_" + UUID.randomUUID(), 1, (short) 1, "compact", -1, null);
    }

    static int id(Http.Response response) {
        assertEquals(200, response.status(), response.body());
        return response.json().get("id").asInt();
    }

    static String schema(int n) {
        return "{\"type\":\"record\",\"name\":\"R" + n + "\",\"fields\":[{\"name\":\"f\",\"type\":\"int\"}]}";
    }

    @Test
    void restartKeepsIdsVersionsConfigAndDeletesAndNeverReusesAnId(EmbeddedKafka kafka) {
        TopicSpec<?> log = freshLog();
        int first;
        int second;
        try (SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), log, "127.0.0.1", 0)) {
            Http http = new Http(registry.url());
            first = http.post("/subjects/a/versions", schemaBody(schema(1))).json().get("id").asInt();
            second = http.post("/subjects/b/versions", schemaBody(schema(2))).json().get("id").asInt();
            http.put("/config/a", "{\"compatibility\":\"FULL_TRANSITIVE\"}");
            http.delete("/subjects/b");
            http.delete("/subjects/b?permanent=true");
        }
        try (SchemaRegistryService registry = SchemaRegistryService.start(kafka.clientConfig(), log, "127.0.0.1", 0)) {
            Http http = new Http(registry.url());
            assertEquals(first, http.get("/subjects/a/versions/1").json().get("id").asInt());
            assertEquals(schema(1).replace(" ", ""), http.get("/schemas/ids/" + first).json().get("schema").asText());
            assertEquals("FULL_TRANSITIVE", http.get("/config/a").json().get("compatibilityLevel").asText());
            assertEquals("[\"a\"]", http.get("/subjects?deleted=true").body(), "the permanent delete survived");
            int third = http.post("/subjects/c/versions", schemaBody(schema(3))).json().get("id").asInt();
            assertNotEquals(first, third);
            assertNotEquals(second, third, "an id whose subject was permanently deleted is not handed out again");
        }
    }

    @Test
    void twoInstancesRegisteringConcurrentlyAgreeOnEveryId(EmbeddedKafka kafka) throws Exception {
        TopicSpec<?> log = freshLog();
        try (SchemaRegistryService a = SchemaRegistryService.start(kafka.clientConfig(), log, "127.0.0.1", 0);
             SchemaRegistryService b = SchemaRegistryService.start(kafka.clientConfig(), log, "127.0.0.1", 0)) {
            Http httpA = new Http(a.url());
            Http httpB = new Http(b.url());
            int schemas = 12;
            httpA.put("/config/both", "{\"compatibility\":\"NONE\"}");
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<int[]>> results = new ArrayList<>();
            for (int n = 0; n < schemas; n++) {
                int k = n;
                // Every schema goes in through both instances at once, under different subjects.
                results.add(pool.submit(() -> new int[]{k,
                        id(httpA.post("/subjects/left-" + k + "/versions", schemaBody(schema(k)))),
                        id(httpB.post("/subjects/right-" + k + "/versions", schemaBody(schema(k))))}));
                Http either = k % 2 == 0 ? httpA : httpB;
                results.add(pool.submit(() -> new int[]{k,
                        id(either.post("/subjects/both/versions", "{\"schema\":\"{\\\"type\\\":\\\"fixed\\\",\\\"name\\\":\\\"F" + k
                                + "\\\",\\\"size\\\":" + (k + 1) + "}\"}")), -2}));
            }
            Map<Integer, Integer> schemaById = new HashMap<>();
            java.util.Set<Integer> fixedIds = new java.util.HashSet<>();
            for (Future<int[]> f : results) {
                int[] r = f.get();
                if (r[2] == -2) {
                    fixedIds.add(r[1]);
                    continue;
                }
                assertEquals(r[1], r[2], "schema " + r[0] + " got different ids from the two instances");
                Integer previous = schemaById.put(r[1], r[0]);
                assertEquals(null, previous, "id " + r[1] + " was given to two different schemas");
            }
            pool.shutdown();
            assertEquals(schemas, schemaById.size());
            assertEquals(schemas, fixedIds.size(), "twelve different schemas in one subject got twelve ids");
            fixedIds.forEach(id -> assertEquals(null, schemaById.get(id), "id " + id + " given twice"));
            for (Map.Entry<Integer, Integer> e : schemaById.entrySet()) {
                assertEquals(httpA.get("/schemas/ids/" + e.getKey()).body(), httpB.get("/schemas/ids/" + e.getKey()).body());
                assertEquals(e.getKey(), httpB.get("/subjects/left-" + e.getValue() + "/versions/1").json().get("id").asInt(),
                        "instance B reads what A wrote");
            }
            assertEquals("[1,2,3,4,5,6,7,8,9,10,11,12]", httpA.get("/subjects/both/versions").body());
            assertEquals(httpA.get("/subjects/both/versions").body(), httpB.get("/subjects/both/versions").body());
        }
    }
}
