package io.hypermesh.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hypermesh.coordinator.bus.Bus;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.serde.DeadLetters;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `hypermesh publish` and `hypermesh tail` in-process against the real broker and registry. */
@KafkaIT
class PublishAndTailIT {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dataDir;
    static Bus bus;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void start(EmbeddedKafka broker) throws Exception {
        kafka = broker;
        bus = Bus.builder().bootstrapServers(broker.bootstrapServers()).dataDir(dataDir).ports(0, 0,
                0).start().foldsRunning(java.time.Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() {
        bus.close();
    }

    record Run(int exit, String out, String err) {
        List<JsonNode> lines() {
            List<JsonNode> nodes = new ArrayList<>();
            out.lines().forEach(l -> {
                try {
                    nodes.add(JSON.readTree(l));
                } catch (Exception e) {
                    throw new AssertionError("not a JSON line: " + l);
                }
            });
            return nodes;
        }
    }

    static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data-dir=" + dataDir);
        InProcessCli run = InProcessCli.run(all.toArray(String[]::new));
        return new Run(run.exit(), run.out(), run.err());
    }

    @Test
    void publishedJsonComesBackOutOfTailAsTheSameEvent() {
        Run published = cli("publish", Topics.REGISTRY.name(), "{\"payload\":{\"instanceId\":\"web-1\",\"serviceName\":\"web\","
                + "\"endpoint\":{\"host\":\"10.0.0.5\",\"port\":8080},\"tags\":[\"blue\"],\"ttlMs\":15000}}");
        assertEquals(0, published.exit(), published.err());
        assertTrue(published.out().contains("key=web-1"), published.out());
        Run bare = cli("publish", Topics.REGISTRY.name(), "{\"ServiceDeregistered\":{\"instanceId\":\"web-1\",\"reason\":\"drain\"}}");
        assertEquals(0, bare.exit(), bare.err());

        Run tail = cli("tail", Topics.REGISTRY.name(), "--from-beginning", "--max-messages=2", "--idle-timeout=20000ms");
        assertEquals(0, tail.exit(), tail.err());
        List<JsonNode> lines = tail.lines();
        assertEquals(2, lines.size(), tail.out());
        JsonNode registered = lines.get(0).get("value").get("payload").get("ServiceRegistered");
        assertEquals("web", registered.get("serviceName").asText());
        assertEquals(8080, registered.get("endpoint").get("port").asInt());
        assertEquals("tcp", registered.get("endpoint").get("protocol").asText(), "schema default filled in");
        assertEquals("CLI", lines.get(0).get("value").get("source").get("kind").asText());
        assertEquals("web-1", lines.get(0).get("key").asText());
        assertEquals("drain", lines.get(1).get("value").get("payload").get("ServiceDeregistered").get("reason").asText());
    }

    /** Topics outside the catalog carry what their subject registered: JSON Schema and Protobuf go out and come back. */
    @Test
    void jsonSchemaAndProtobufTopicsPublishAndTail() throws Exception {
        String jsonTopic = "orders.json";
        String protoTopic = "orders.proto";
        try (HttpRegistryClient registry = new HttpRegistryClient(bus.endpoints().registryUrl())) {
            registry.register(jsonTopic + "-value", new RegistryClient.SchemaText("JSON",
                    "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\",\"properties\":"
                            + "{\"id\":{\"type\":\"string\"},\"cents\":{\"type\":\"integer\",\"minimum\":0}},\"required\":[\"id\"]}",
                                    List.of()));
            registry.register(protoTopic + "-value", new RegistryClient.SchemaText("PROTOBUF", """
                    syntax = "proto3";
                    package shop;
                    import "google/protobuf/timestamp.proto";
                    message Order { string id = 1; int64 cents = 2; google.protobuf.Timestamp placed = 3; }
                    message Refund { string order_id = 1; Reason reason = 2;
                      enum Reason { UNKNOWN = 0; DAMAGED = 1; } }
                    """, List.of()));
        }
        Run missing = cli("publish", jsonTopic, "{\"id\":\"o-1\"}", "--key=o-1");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("hypermesh topics --create " + jsonTopic), missing.err());
        Run created = cli("topics", "--create", jsonTopic, "--create", protoTopic);
        assertEquals(0, created.exit(), created.err());
        assertTrue(created.out().contains("created topic " + protoTopic), created.out());
        assertTrue(cli("topics", "--create", jsonTopic).out().contains("exists"));
        Run json = cli("publish", jsonTopic, "{\"id\":\"o-1\",\"cents\":1250}", "--key=o-1");
        assertEquals(0, json.exit(), json.err());
        Run invalid = cli("publish", jsonTopic, "{\"cents\":-5}", "--key=o-2");
        assertEquals(1, invalid.exit());
        assertTrue(invalid.err().contains("does not match its JSON Schema"), invalid.err());
        Run order = cli("publish", protoTopic, "{\"id\":\"o-1\",\"cents\":\"1250\",\"placed\":\"2026-12-01T10:00:00Z\"}", "--key=o-1");
        assertEquals(0, order.exit(), order.err());
        Run refund = cli("publish", protoTopic, "{\"orderId\":\"o-1\",\"reason\":\"DAMAGED\"}", "--key=o-1", "--message=Refund");
        assertEquals(0, refund.exit(), refund.err());
        Run wrongField = cli("publish", protoTopic, "{\"nope\":1}", "--key=o-1");
        assertEquals(1, wrongField.exit());
        assertTrue(wrongField.err().contains("shop.Order"), wrongField.err());

        Run jsonTail = cli("tail", jsonTopic, "--from-beginning", "--max-messages=1", "--idle-timeout=20000ms");
        assertEquals(0, jsonTail.exit(), jsonTail.err());
        assertEquals(JSON.readTree("{\"id\":\"o-1\",\"cents\":1250}"), jsonTail.lines().get(0).get("value"));
        Run protoTail = cli("tail", protoTopic, "--from-beginning", "--max-messages=2", "--idle-timeout=20000ms");
        assertEquals(0, protoTail.exit(), protoTail.err());
        List<JsonNode> lines = protoTail.lines();
        assertEquals(2, lines.size(), protoTail.out());
        assertEquals("1250", lines.get(0).at("/value/cents").asText());
        assertEquals("2026-12-01T10:00:00Z", lines.get(0).at("/value/placed").asText());
        assertEquals("DAMAGED", lines.get(1).at("/value/reason").asText(), "the second message of the file, named by its index");
        assertEquals("o-1", lines.get(1).at("/value/orderId").asText());
    }

    @Test
    void badInputIsRefusedWithTheReasonAndNothingIsWritten() {
        Run unknownTopic = cli("publish", "hypermesh.nope", "{}");
        assertEquals(1, unknownTopic.exit());
        assertTrue(unknownTopic.err().contains("unknown topic 'hypermesh.nope'") && unknownTopic.err().contains("hypermesh.registry"),
                unknownTopic.err());
        Run typo = cli("publish", Topics.HEALTH_CHECKS.name(),
                "{\"payload\":{\"componentId\":\"c\",\"checkId\":\"http\",\"staus\":\"PASSING\"}}");
        assertEquals(1, typo.exit());
        assertTrue(typo.err().contains("unknown field 'staus'"), typo.err());
        Run notJson = cli("publish", Topics.HEALTH_CHECKS.name(), "{status:");
        assertTrue(notJson.err().contains("not valid JSON"), notJson.err());
        Run noKey = cli("publish", Topics.LIFECYCLE.name(),
                "{\"PhaseProgress\":{\"phase\":1,\"name\":\"x\",\"completed\":0,\"total\":3,\"state\":\"RUNNING\"}}");
        assertTrue(noKey.err().contains("pass --key"), noKey.err());
        Run tail = cli("tail", Topics.HEALTH_CHECKS.name(), "--from-beginning", "--idle-timeout=1500ms");
        assertEquals("", tail.out(), "none of the refused events reached the topic");
    }

    @Test
    void undecodableRecordsAreReportedWithPositionAndDeadLettered() throws Exception {
        String topic = Topics.TRANSPORT.name();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(kafka.clientConfig(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topic, 0, "link-9".getBytes(), "garbage".getBytes())).get();
        }
        assertEquals(0, cli("publish", topic, "{\"LinkStateChanged\":{\"linkId\":\"link-9\",\"up\":false}}", "--key=link-9").exit());

        Run tail = cli("tail", topic, "--from-beginning", "--max-messages=2", "--idle-timeout=20000ms", "--dead-letter");
        assertEquals(2, tail.exit(), "exit code tells a script that something did not decode");
        assertEquals(1, tail.lines().size(), tail.out());
        JsonNode error = JSON.readTree(tail.err().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertEquals(0, error.get("partition").asInt());
        assertTrue(error.get("error").asText().contains("magic byte 0x67"), error.toString());
        long offset = error.get("offset").asLong();

        Map<String, Object> config = new java.util.HashMap<>(kafka.clientConfig());
        try (HttpRegistryClient registry = new HttpRegistryClient(bus.endpoints().registryUrl());
             KafkaConsumer<String, DeadLetterEvent> dlq = new KafkaConsumer<>(config, new StringDeserializer(),
                     new AvroDeserializer<>(registry, DeadLetterEvent.class))) {
            TopicPartition tp = new TopicPartition(Topics.DEAD_LETTERS.name(), 0);
            dlq.assign(List.of(tp));
            dlq.seekToBeginning(List.of(tp));
            ConsumerRecord<String, DeadLetterEvent> found = null;
            long deadline = System.currentTimeMillis() + 20_000;
            while (found == null && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, DeadLetterEvent> r : dlq.poll(Duration.ofMillis(200))) {
                    if (r.key().equals(topic + "/0/" + offset)) {
                        found = r;
                    }
                }
            }
            assertTrue(found != null, "the dead letter arrived");
            DeadLetter letter = (DeadLetter) found.value().getPayload();
            assertEquals("garbage", new String(letter.getValue().array()), "original bytes kept");
            assertEquals("link-9", new String(letter.getKey().array()));
            assertEquals(offset, letter.getOffset());
            assertTrue(DeadLetters.header(found.headers(), DeadLetters.HEADER_REASON).contains("magic byte"));
            assertEquals("deserialize", DeadLetters.header(found.headers(), DeadLetters.HEADER_STAGE));
        }
    }
}
