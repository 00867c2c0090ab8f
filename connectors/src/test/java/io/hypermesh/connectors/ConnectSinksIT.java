package io.hypermesh.connectors;

import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hypermesh.events.HealthStatus;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both sinks on a real Connect worker (ConnectDistributed, in this JVM) against the real broker:
 * a real Prometheus scrapes the Prometheus sink and answers a PromQL query with the published
 * score; a real InfluxDB, down when the points are first written, returns them to a query once it
 * is up (the worker retried); an unreadable record ends in the dead-letter queue.
 */
@KafkaIT
class ConnectSinksIT {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A real registry: the connector reaches it over HTTP by its URL, as it would in production. */
    static SchemaRegistryService registryService;
    static HttpRegistryClient registry;
    static EmbeddedKafka kafka;
    static Connect<?> connect;
    static String rest;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startWorker(EmbeddedKafka broker) throws Exception {
        kafka = broker;
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            TopicAdmin.ensure(admin, Topics.ALL);
        }
        registryService = SchemaRegistryService.start(kafka.clientConfig(), "127.0.0.1", 0);
        registry = new HttpRegistryClient(registryService.url());
        String group = "connect-it-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> worker = new HashMap<>();
        worker.put("bootstrap.servers", kafka.bootstrapServers());
        worker.put("group.id", group);
        worker.put("config.storage.topic", group + "-configs");
        worker.put("offset.storage.topic", group + "-offsets");
        worker.put("status.storage.topic", group + "-status");
        worker.put("config.storage.replication.factor", "1");
        worker.put("offset.storage.replication.factor", "1");
        worker.put("status.storage.replication.factor", "1");
        worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put("offset.flush.interval.ms", "1000");
        worker.put("listeners", "http://127.0.0.1:" + EmbeddedKafka.freePort());
        worker.put("plugin.discovery", "service_load");
        connect = new ConnectDistributed().startConnect(worker);
        rest = connect.rest().advertisedUrl().toString().replaceAll("/$", "");
    }

    @AfterAll
    static void stopWorker() {
        if (connect != null) {
            connect.stop();
        }
        if (registryService != null) {
            registry.close();
            registryService.close();
        }
    }

    static void send(String topic, String key, GenericContainer value) throws Exception {
        send(topic, key, value, System.currentTimeMillis());
    }

    static void send(String topic, String key, GenericContainer value, long timestampMs) throws Exception {
        try (KafkaProducer<String, GenericContainer> producer = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                new AvroSerializer<>(registry, true))) {
            producer.send(new ProducerRecord<>(topic, null, timestampMs, key, value)).get();
        }
    }

    static void sendRaw(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientConfig(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
        }
    }

    static void createConnector(String name, Map<String, String> config) throws Exception {
        HttpResponse<String> r = LocalServer.send("PUT", rest + "/connectors/" + name + "/config", JSON.writeValueAsString(config));
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.statusCode() + " " + r.body());
        awaitJson(rest + "/connectors/" + name + "/status", s -> s.path("tasks").size() > 0
                && s.path("tasks").get(0).path("state").asText().equals("RUNNING"), Duration.ofSeconds(60), name + " running");
    }

    static JsonNode awaitJson(String url, Predicate<JsonNode> ok, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = LocalServer.get(url);
                JsonNode node = JSON.readTree(last);
                if (ok.test(node)) {
                    return node;
                }
            } catch (java.io.IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not within " + timeout + ": " + what + "; last: " + last);
    }

    static Map<String, String> sinkConfig(String connectorClass, String dlq) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", connectorClass);
        c.put("tasks.max", "1");
        c.put("topics", String.join(",", Topics.HEALTH_SCORES.name(), Topics.REGISTRY_STATE.name(), Topics.LIFECYCLE.name()));
        c.put("schema.registry.url", registryService.url());
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", dlq);
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        return c;
    }

    @Test
    void prometheusScrapesTheSinkAndAnswersPromQlWithThePublishedScore() throws Exception {
        String component = "api-" + UUID.randomUUID().toString().substring(0, 6);
        int sinkPort = EmbeddedKafka.freePort();
        int promPort = EmbeddedKafka.freePort();
        String dlq = "hypermesh.connect.dlq.prometheus";
        Map<String, String> config = sinkConfig("io.hypermesh.connectors.prometheus.PrometheusSinkConnector", dlq);
        config.put("prometheus.listen.port", Integer.toString(sinkPort));
        createConnector("prometheus-sink", config);

        // The event happened 40 s ago: the sample must carry that time, not the scrape's.
        long happened = (System.currentTimeMillis() - 40_000) / 1000 * 1000;
        send(Topics.HEALTH_SCORES.name(), component, BusSamplesTest.score(component, 72, HealthStatus.DEGRADED), happened);
        send(Topics.REGISTRY_STATE.name(), component + "-1", BusSamplesTest.instance(component + "-1", component));
        sendRaw(Topics.HEALTH_SCORES.name(), component, "not avro".getBytes(StandardCharsets.UTF_8));

        Path promDir = Files.createDirectories(dir.resolve("prometheus"));
        Path promConfig = promDir.resolve("prometheus.yml");
        Files.writeString(promConfig, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: hypermesh-sink
                    honor_timestamps: true
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(sinkPort));
        try (LocalServer prometheus = LocalServer.start(List.of("/usr/bin/prometheus", "--config.file=" + promConfig,
                        "--storage.tsdb.path=" + promDir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort),
                promDir.resolve("prometheus.log"), "http://127.0.0.1:" + promPort + "/-/ready")) {
            String query = URLEncoder.encode("hypermesh_health_score{component=\"" + component + "\"}", StandardCharsets.UTF_8);
            JsonNode answer = awaitJson("http://127.0.0.1:" + promPort + "/api/v1/query?query=" + query,
                    j -> j.path("data").path("result").size() == 1, Duration.ofSeconds(60), "PromQL answers with the score");
            assertEquals("72", answer.path("data").path("result").get(0).path("value").get(1).asText());
            String range = URLEncoder.encode("hypermesh_health_score{component=\"" + component + "\"}[5m]", StandardCharsets.UTF_8);
            JsonNode stored = awaitJson("http://127.0.0.1:" + promPort + "/api/v1/query?query=" + range,
                    j -> j.path("data").path("result").size() == 1, Duration.ofSeconds(30), "the stored sample");
            assertEquals(happened / 1000.0, stored.path("data").path("result").get(0).path("values").get(0).get(0).asDouble(),
                    "the sample has the record's timestamp");
            String count = URLEncoder.encode("hypermesh_registry_instances{service=\"" + component + "\"}", StandardCharsets.UTF_8);
            JsonNode instances = awaitJson("http://127.0.0.1:" + promPort + "/api/v1/query?query=" + count,
                    j -> j.path("data").path("result").size() == 1, Duration.ofSeconds(30), "the registry count");
            assertEquals("1", instances.path("data").path("result").get(0).path("value").get(1).asText());
        }

        ConsumerRecord<byte[], byte[]> dead = firstRecord(dlq);
        assertEquals("not avro", new String(dead.value(), StandardCharsets.UTF_8));
        String reason = new String(dead.headers().lastHeader("__connect.errors.exception.message").value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains("cannot read a record of hypermesh.health.scores"), reason);
    }

    @Test
    void influxGetsThePointsOnceItIsUpBecauseTheWorkerRetries() throws Exception {
        String component = "db-" + UUID.randomUUID().toString().substring(0, 6);
        int http = EmbeddedKafka.freePort();
        int rpc = EmbeddedKafka.freePort();
        Path influxDir = Files.createDirectories(dir.resolve("influx"));
        Path influxConfig = influxDir.resolve("influxdb.conf");
        Files.writeString(influxConfig, """
                reporting-disabled = true
                bind-address = "127.0.0.1:%d"
                [meta]
                  dir = "%s/meta"
                [data]
                  dir = "%s/data"
                  wal-dir = "%s/wal"
                [http]
                  bind-address = "127.0.0.1:%d"
                  log-enabled = false
                [monitor]
                  store-enabled = false
                """.formatted(rpc, influxDir, influxDir, influxDir, http));
        List<String> influxd = List.of("/usr/bin/influxd", "-config", influxConfig.toString());
        String base = "http://127.0.0.1:" + http;
        try (LocalServer influx = LocalServer.start(influxd, influxDir.resolve("influxd-1.log"), base + "/ping")) {
            HttpResponse<String> created = LocalServer.send("POST", base + "/query?q=" + URLEncoder.encode("CREATE DATABASE hypermesh",
                    StandardCharsets.UTF_8), null);
            assertEquals(200, created.statusCode(), created.body());
        }
        // InfluxDB is down now: the sink's writes fail and are retried by the worker.
        Map<String, String> config = sinkConfig("io.hypermesh.connectors.influx.InfluxSinkConnector", "hypermesh.connect.dlq.influx");
        config.put("influx.url", base);
        config.put("influx.database", "hypermesh");
        config.put("influx.timeout.ms", "1000");
        createConnector("influx-sink", config);
        send(Topics.HEALTH_SCORES.name(), component, BusSamplesTest.score(component, 35, HealthStatus.UNHEALTHY));
        Thread.sleep(3000);
        JsonNode status = JSON.readTree(LocalServer.get(rest + "/connectors/influx-sink/status"));
        assertEquals("RUNNING", status.path("tasks").get(0).path("state").asText(), "an unreachable InfluxDB is retried, not fatal: "
                + status);

        try (LocalServer influx = LocalServer.start(influxd, influxDir.resolve("influxd-2.log"), base + "/ping")) {
            String q = URLEncoder.encode("SELECT value FROM hypermesh_health_score WHERE component='" + component + "'",
                    StandardCharsets.UTF_8);
            JsonNode points = awaitJson(base + "/query?db=hypermesh&q=" + q, j -> j.path("results").get(0).has("series"),
                    Duration.ofSeconds(60), "the written point in InfluxDB");
            List<Double> values = new ArrayList<>();
            points.path("results").get(0).path("series").get(0).path("values").forEach(v -> values.add(v.get(1).asDouble()));
            assertEquals(List.of(35.0), values);

            // Someone wrote phase totals as strings: InfluxDB refuses our float for that field. Only the
            // record whose points are refused goes to the dead-letter queue; the score beside it is written.
            HttpResponse<String> conflicting = LocalServer.send("POST", base + "/write?db=hypermesh&precision=ms",
                    // field types are per shard: same time range
                    "hypermesh_phase_total,name=x,phase=5 value=\"seven\" " + System.currentTimeMillis());
            assertEquals(204, conflicting.statusCode(), conflicting.body());
            try (KafkaProducer<String, GenericContainer> producer = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                    new AvroSerializer<>(registry, true))) {
                producer.send(new ProducerRecord<>(Topics.LIFECYCLE.name(), "phase-5", Envelopes.wrap(Topics.LIFECYCLE,
                        new io.hypermesh.events.EventSource("coordinator", io.hypermesh.events.ComponentKind.COORDINATOR),
                        new io.hypermesh.events.lifecycle.PhaseProgress(5, "x", 1, 2, io.hypermesh.events.lifecycle.PhaseState.RUNNING))));
                producer.send(new ProducerRecord<>(Topics.HEALTH_SCORES.name(), component, BusSamplesTest.score(component, 90,
                        HealthStatus.HEALTHY)));
                producer.flush();
            }
            ConsumerRecord<byte[], byte[]> refused = firstRecord("hypermesh.connect.dlq.influx");
            assertEquals(Topics.LIFECYCLE.name(), new String(refused.headers().lastHeader("__connect.errors.topic").value(),
                    StandardCharsets.UTF_8));
            String why = new String(refused.headers().lastHeader("__connect.errors.exception.message").value(), StandardCharsets.UTF_8);
            assertTrue(why.contains("field type conflict"), why);
            awaitJson(base + "/query?db=hypermesh&q=" + q, j -> j.path("results").get(0).path("series").get(0).path("values").size() == 2,
                    Duration.ofSeconds(30), "the score written beside the refused record");
        }
    }

    static ConsumerRecord<byte[], byte[]> firstRecord(String topic) {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    return r;
                }
            }
        }
        throw new AssertionError("nothing in " + topic);
    }
}
