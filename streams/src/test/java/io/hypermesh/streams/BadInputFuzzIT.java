package io.hypermesh.streams;

import io.hypermesh.streams.app.StreamsApp;
import com.fasterxml.jackson.databind.JsonNode;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.schemas.testing.SampleEvents;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.testing.BusFixture;
import io.vertx.core.json.Json;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.hypermesh.streams.testing.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes what reaches the folds and their API from outside, against the real broker: generated
 * HTTP calls (odd names, ids, bodies, parameters) never get a 5xx, and generated undecodable
 * records on every fold input topic each land in the dead-letter topic with their partition and
 * offset while the folds go on. Generated with jqwik's arbitraries inside JUnit, so the broker
 * extension applies.
 */
@KafkaIT
class BadInputFuzzIT {
    static BusFixture bus;
    static StreamsApp app;
    static Http http;

    @BeforeAll
    static void start(EmbeddedKafka kafka) throws Exception {
        bus = new BusFixture(kafka);
        app = bus.start(bus.settings(BusFixture.uniqueAppId()));
        http = new Http(app.url());
    }

    @AfterAll
    static void stop() {
        bus.close();
    }

    record Call(String method, String path, String body, String contentType) {
    }

    /** 5xx answers Consul itself gives for these inputs, so we give them too (README: Use it where you would use Consul). */
    static boolean consulsOwn(Http.Response r) {
        return r.status() == 500 && (r.body().endsWith("does not have associated TTL") || r.body().equals("No path to datacenter"));
    }

    @Test
    void generatedCallsToTheApiAreAnsweredWithoutServerErrors() {
        List<String> serverErrors = new ArrayList<>();
        calls().sampleStream().limit(700).forEach(call -> {
            Http.Response r = http.send(call.method(), call.path(), call.body(), call.contentType());
            if (r.status() >= 500 && !consulsOwn(r)) {
                serverErrors.add(call + " -> " + r.status() + " " + r.body());
            }
        });
        assertTrue(serverErrors.isEmpty(), serverErrors.size() + " server errors, first: " + serverErrors.stream().limit(5).toList());
        assertEquals(200, http.get("/v1/catalog/services").status(), "still serving");
    }

    @Test
    void generatedUndecodableRecordsAllReachTheDeadLetterTopicAndTheFoldsGoOn() throws Exception {
        List<TopicSpec<?>> inputs = List.of(Topics.REGISTRY, Topics.HEALTH_CHECKS, Topics.LIFECYCLE, Topics.LIFECYCLE_COMMANDS);
        Map<String, RecordMetadata> sent = new HashMap<>();
        try (HttpRegistryClient registry = new HttpRegistryClient(bus.registry.url());
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(bus.kafka.clientConfig(), new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            List<byte[]> valid = new ArrayList<>();
            List<TopicSpec<?>> validTopic = new ArrayList<>();
            for (SampleEvents.Sample s : SampleEvents.all()) {
                if (inputs.contains(s.topic())) {
                    valid.add(new AvroSerializer<GenericRecord>(registry, true).serialize(s.topic().name(), s.envelope()));
                    validTopic.add(s.topic());
                }
            }
            var reader = new AvroDeserializer<GenericRecord>(registry, null);
            Arbitrary<Integer> which = Arbitraries.integers().between(0, valid.size() - 1);
            var mutated = Combinators.combine(which, Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 1000),
                    Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40)).as((i, kind, at, noise) -> {
                byte[] bytes = valid.get(i).clone();
                int pos = 5 + at % Math.max(1, bytes.length - 5);
                byte[] out = switch (kind) {
                    case 0 -> java.util.Arrays.copyOf(bytes, pos); // cut
                    case 1 -> noise; // not framed at all
                    case 2 -> { // a body that is noise behind a real header
                        byte[] b = java.util.Arrays.copyOf(bytes, 5 + noise.length);
                        System.arraycopy(noise, 0, b, 5, noise.length);
                        yield b;
                    }
                    default -> { // flipped bytes
                        for (int k = 0; k < noise.length && pos + k < bytes.length; k++) {
                            bytes[pos + k] ^= (byte) (noise[k] | 1);
                        }
                        yield bytes;
                    }
                };
                return Map.entry(validTopic.get(i), out);
            });
            // Only what really does not decode: a mutation can leave a valid record.
            for (var candidate : mutated.sampleStream().limit(400).toList()) {
                try {
                    reader.deserialize(candidate.getKey().name(), candidate.getValue());
                    continue;
                } catch (org.apache.kafka.common.errors.SerializationException expected) {
                    // undecodable: send it
                }
                String key = "fuzz-" + UUID.randomUUID();
                sent.put(key, raw.send(new ProducerRecord<>(candidate.getKey().name(), key.getBytes(StandardCharsets.UTF_8),
                        candidate.getValue())).get());
            }
        }
        assertTrue(sent.size() > 200, "most mutations do not decode: " + sent.size());

        Map<String, DeadLetter> letters = new HashMap<>();
        try (HttpRegistryClient registry = new HttpRegistryClient(bus.registry.url());
             KafkaConsumer<String, DeadLetterEvent> dlq = new KafkaConsumer<>(bus.kafka.clientConfig(), new StringDeserializer(),
                     new AvroDeserializer<>(registry, DeadLetterEvent.class))) {
            TopicPartition tp = new TopicPartition(Topics.DEAD_LETTERS.name(), 0);
            dlq.assign(List.of(tp));
            dlq.seekToBeginning(List.of(tp));
            until(() -> {
                for (ConsumerRecord<String, DeadLetterEvent> r : dlq.poll(Duration.ofMillis(200))) {
                    DeadLetter letter = (DeadLetter) r.value().getPayload();
                    if (letter.getKey() != null) {
                        String key = StandardCharsets.UTF_8.decode(letter.getKey().duplicate()).toString();
                        if (sent.containsKey(key)) {
                            letters.put(key, letter);
                        }
                    }
                }
                return letters.size();
            }, n -> n == sent.size(), Duration.ofSeconds(60), "a dead letter for each of " + sent.size() + " undecodable records");
        }
        sent.forEach((key, where) -> {
            DeadLetter letter = letters.get(key);
            assertEquals(where.topic(), letter.getSourceTopic(), key);
            assertEquals(where.partition(), letter.getPartition(), key);
            assertEquals(where.offset(), letter.getOffset(), key);
            assertEquals("deserialize", letter.getStage(), key);
        });

        String svc = "after-fuzz-" + UUID.randomUUID().toString().substring(0, 6);
        assertEquals(200, http.put("/v1/agent/service/register", "{\"ID\":\"" + svc + "-1\",\"Name\":\"" + svc
                + "\",\"Port\":80}").status());
        JsonNode found = until(() -> http.get("/v1/catalog/service/" + svc).json(), n -> n.size() == 1, Duration.ofSeconds(30),
                "the folds go on after the bad records");
        assertEquals(svc + "-1", found.get(0).get("ServiceID").asText());
    }

    static Arbitrary<Call> calls() {
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of("web", "", " ", "a/b", "..", "\u0000", "x\u0000y", "é", "%", "web?x=1",
                "x".repeat(2_000)), Arbitraries.strings().ofMaxLength(10));
        Arbitrary<String> segment = name.map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"));
        Arbitrary<Object> scalar = Arbitraries.oneOf(name.map(s -> (Object) s), Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.of(-1, 0, 65535, 65536, Long.MAX_VALUE, 4294967299L, 1.5, -0.0, 1e308, Double.NaN,
                        new java.math.BigInteger("99999999999999999999999")).map(n -> (Object) n),
                Arbitraries.of("1h", "10s", "0", "-1s", "99999999999999999999s", "99999999h", "x\ud800", "\udc00", "1.5.5s", "passing",
                        "critical", "http://127.0.0.1:1/h", "127.0.0.1:1").map(t -> (Object) t),
                Arbitraries.of(true, false).map(b -> (Object) b), Arbitraries.just(null));
        // Any JSON value, nested: wrong types, huge numbers and deep structures wherever a field is expected.
        Arbitrary<Object> anyJson = Arbitraries.recursive(() -> scalar, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(3).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.of("a", "TTL", "Passing", "HTTP", "k", "consul-x", "a b"), inner).ofMaxSize(3).map(m ->
                        (Object) m)), 0, 3);
        Arbitrary<Map<String, Object>> check = Arbitraries.maps(Arbitraries.of("TTL", "HTTP", "TCP", "Interval", "Timeout", "Status",
                "Header",
                "Method", "DeregisterCriticalServiceAfter", "CheckID", "Name", "Notes", "ScriptArgs", "TLSSkipVerify", "ServiceID",
                        "Output"),
                anyJson).ofMaxSize(5);
        Arbitrary<String> registration = Combinators.combine(name, name, anyJson, anyJson, anyJson, anyJson,
                        Arbitraries.oneOf(check.map(c -> (Object) c), anyJson), check.list().ofMaxSize(2))
                .as((id, service, port, tags, meta, weights, oneCheck, checks) -> {
                    Map<String, Object> body = new HashMap<>();
                    body.put("ID", id);
                    body.put("Name", service);
                    body.put("Port", port);
                    body.put("Tags", tags);
                    body.put("Meta", meta);
                    body.put("Weights", weights);
                    body.put("Check", oneCheck);
                    body.put("Checks", checks);
                    body.values().removeIf(v -> v == null && Math.abs(id.hashCode()) % 2 == 0);
                    return Json.encode(body);
                });
        Arbitrary<String> catalog = Combinators.combine(anyJson, anyJson, check, anyJson).as((node, address, c, service) -> Json.encode(
                new HashMap<>(Map.of("Node", String.valueOf(node), "Address", String.valueOf(address), "Check", c,
                        "Service", service == null ? "x" : service))));
        Arbitrary<String> body = Arbitraries.oneOf(registration, catalog, check.map(Json::encode),
                Arbitraries.of("", "{", "[]", "null", "42", "{\"Name\":\"w\",\"Port\":80}", "{\"Status\":\"passing\",\"Output\":7}"),
                Arbitraries.strings().ofMaxLength(40));
        Arbitrary<String> param = Arbitraries.oneOf(Arbitraries.of("", "index=x", "index=-1", "index=9223372036854775808", "wait=forever",
                        "wait=1ms", "wait=99999h", "passing", "passing=maybe", "tag=", "tag=%00", "latencyMs=-1", "latencyMs=NaN",
                        "latencyMs=1e400", "note=" + "n".repeat(500)),
                Arbitraries.strings().alpha().ofMaxLength(8));
        Arbitrary<String> path = Combinators.combine(Arbitraries.integers().between(0, 23), segment, segment, param).as((route, a, b, p) ->
                {
            String base = switch (route) {
                case 0 -> "/v1/catalog/services";
                case 1 -> "/v1/catalog/service/" + a;
                case 2 -> "/v1/health/service/" + a;
                case 3 -> "/v1/hypermesh/discovery/pick/" + a;
                case 4 -> "/v1/hypermesh/health/component/" + a;
                case 5 -> "/v1/health/state/" + a;
                case 6 -> "/v1/hypermesh/lifecycle/component/" + a;
                case 7 -> "/v1/hypermesh/lifecycle/phase/" + a;
                case 8 -> "/v1/agent/service/register";
                case 9 -> "/v1/agent/service/deregister/" + a;
                case 10 -> "/v1/hypermesh/agent/service/heartbeat/" + a;
                case 11 -> "/v1/agent/check/" + a + "/" + b;
                case 12 -> "/internal/v1/stores/" + a + "/keys";
                case 13 -> "/v1/agent/check/register";
                case 14 -> "/v1/agent/check/update/" + a;
                case 15 -> "/v1/catalog/register";
                case 16 -> "/v1/catalog/deregister";
                case 17 -> "/v1/agent/service/maintenance/" + a + "?enable=" + b;
                case 18 -> "/v1/health/checks/" + a + "?filter=" + b;
                case 19 -> "/v1/catalog/node/" + a;
                case 20 -> "/v1/agent/services?filter=" + a;
                case 21 -> "/v1/agent/check/deregister/" + a;
                case 22 -> "/v1/health/node/" + a;
                default -> "/v1/agent/check/pass/service:" + a;
            };
            // Blocking queries with a real wait would make a long test: cap what the fuzzer may ask for.
            String query = p.startsWith("wait=") && !p.equals("wait=1ms") && !p.equals("wait=forever") ? "wait=1ms" : p;
            return query.isEmpty() ? base : base + (base.contains("?") ? "&" : "?") + query + (query.startsWith("index=") ? "&wait=1ms"
                    : "");
        });
        return Combinators.combine(Arbitraries.of("GET", "PUT", "POST", "DELETE"), path, body,
                        Arbitraries.of("application/json", "application/x-www-form-urlencoded", "text/plain"))
                .as((method, p, b, type) -> new Call(method, p, method.equals("GET") || method.equals("DELETE") ? null : b, type));
    }
}
