package io.hypermesh.coordinator.cli;

import io.hypermesh.schemas.kafka.PkiDirectory;
import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.platform.pki.Pki;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.BusAcls;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `hypermesh up --pki-dir --api-tokens` as a real process: the whole bus runs on a broker that
 * speaks only mutual TLS, each part under its own principal with its own ACLs, and the write API
 * wants a token. Adapters and the CLI connect with the settings files the PKI wrote.
 */
class SecuredUpIT {
    private static final String TOKEN = "t0ken-for-the-secured-bus";

    @Test
    void theWholeBusRunsSecuredAndEachPrincipalGetsOnlyItsOwn(@TempDir Path dataDir) throws Exception {
        Path pki = dataDir.resolve("pki");
        Path tokens = Files.writeString(dataDir.resolve("tokens"), TOKEN + "\n");
        try (HypermeshProcess up = new HypermeshProcess("up", "--data-dir=" + dataDir, "--kafka-port=0", "--registry-port=0",
                "--api-port=0",
                "--pki-dir=" + pki, "--api-tokens=" + tokens)) {
            up.awaitLine("HyperMesh Bus is up", 180);
            // The coordinator and the bus's own components ran the platform under the coordinator's principal.
            assertTrue(up.lines.contains("platform hypermesh-dev: RUNNING"), up.lines.toString());
            assertTrue(up.lines.stream().anyMatch(l -> l.startsWith("ACLs: ")), up.lines.toString());
            BusEndpoints bus = BusEndpoints.read(dataDir).orElseThrow();
            KafkaAccess kafka = KafkaAccess.to(bus.bootstrapServers());

            // HTTP is HTTPS with the bus's certificates: a client that does not trust the bus CA gets nowhere.
            assertTrue(bus.apiUrl().startsWith("https://") && bus.registryUrl().startsWith("https://"), bus.toString());
            assertThrows(java.io.UncheckedIOException.class, () -> new Http(bus.apiUrl()).get("/v1/catalog/services"));
            javax.net.ssl.SSLContext trustOnly = trustOnly(pki);
            javax.net.ssl.SSLContext withCertificate = kafka.as(pki, "adapter-transport").tls().sslContext();

            // Writes want a certificate of the bus CA or a token; reads are open to whoever trusts the CA.
            Http api = new Http(bus.apiUrl(), trustOnly);
            String registration = "{\"ID\":\"web-1\",\"Name\":\"web\",\"Port\":8080,\"Check\":{\"TTL\":\"10m\"}}";
            Http.Response anonymous = api.put("/v1/agent/service/register", registration);
            assertEquals(401, anonymous.status(), anonymous.body());
            assertTrue(anonymous.body().contains("client certificate of the bus CA or an API token"), anonymous.body());
            assertEquals(200, api.withHeader("Authorization", "Bearer " + TOKEN).put("/v1/agent/service/register", registration).status());
            Http certified = new Http(bus.apiUrl(), withCertificate);
            assertEquals(200, certified.put("/v1/agent/service/register", registration.replace("web-1", "web-2")).status());
            UpCommandIT.awaitInstances(api, 2);
            // Raw store reads are for peers only.
            assertEquals(403, api.get("/internal/v1/stores/registry-instances/scan").status());
            assertEquals(200, certified.get("/internal/v1/stores/registry-instances/scan").status());

            // A second folds instance joins under the folds principal: the two split the partitions,
            // and each answers every query by reading what the other owns over mutual TLS.
            try (HypermeshProcess second = new HypermeshProcess("folds", "--bootstrap-servers=" + bus.bootstrapServers(),
                    "--registry-url=" + bus.registryUrl(), "--kafka-config=" + Pki.clientPropertiesOf(pki, "folds"),
                    "--state-dir=" + dataDir.resolve("folds-2"), "--api-port=0")) {
                second.awaitLine("Query API: ", 120);
                String secondUrl = second.line("Query API: ").substring("Query API: ".length()).trim();
                assertTrue(secondUrl.startsWith("https://"), secondUrl);
                Http other = new Http(secondUrl, trustOnly);
                // Started without tokens, it takes writes from certificates only.
                Http.Response tokenOnly = other.withHeader("Authorization", "Bearer " + TOKEN).put("/v1/agent/service/register",
                        registration);
                assertEquals(403, tokenOnly.status(), tokenOnly.body());
                Http otherCertified = new Http(secondUrl, withCertificate);
                for (int i = 3; i <= 8; i++) {
                    assertEquals(200, otherCertified.put("/v1/agent/service/register", registration.replace("web-1", "web-" + i)).status());
                }
                UpCommandIT.awaitInstances(other, 8);
                UpCommandIT.awaitInstances(api, 8);
                assertEquals(8, other.get("/v1/catalog/service/web").json().size());
                assertTrue(second.terminate(60), "stops on SIGTERM");
            }
            UpCommandIT.awaitInstances(api, 8);

            // Bytes the folds cannot decode go to the dead-letter topic on the secured bus too: the
            // handler writes through the folds' own registry client, over HTTPS with their certificate.
            KafkaAccess superUser = kafka.as(pki, BusAcls.BROKER);
            RecordMetadata garbage;
            try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(superUser.clientConfig(), new StringSerializer(),
                    new ByteArraySerializer())) {
                garbage = raw.send(new ProducerRecord<>(Topics.REGISTRY.name(), "web-9", "not avro".getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
            DeadLetterEvent letter = awaitDeadLetter(superUser, bus.registryUrl(), garbage);
            assertEquals("deserialize", ((DeadLetter) letter.getPayload()).getStage());
            assertEquals("not avro", StandardCharsets.UTF_8.decode(((DeadLetter) letter.getPayload()).getValue()).toString());

            // The registry: anyone trusting the CA reads; only a certificate registers.
            Http registry = new Http(bus.registryUrl(), trustOnly);
            assertEquals(200, registry.get("/subjects").status());
            String schema = Http.schemaBody("{\"type\":\"record\",\"name\":\"Probe\",\"fields\":[]}");
            Http.Response refused = registry.post("/subjects/probe-value/versions", schema);
            assertEquals(403, refused.status(), refused.body());
            assertEquals(40301, refused.errorCode(), refused.body());
            assertEquals(200, new Http(bus.registryUrl(), withCertificate).post("/subjects/probe-value/versions", schema).status());

            // An adapter process with its own settings file publishes onto its own topic.
            String[] endpoints = {"--bootstrap-servers=" + bus.bootstrapServers(), "--registry-url=" + bus.registryUrl(), "--data-dir="
                    + dataDir};
            int port = EmbeddedKafka.freePort();
            try (HypermeshProcess adapter = new HypermeshProcess("adapter", "transport", endpoints[0], endpoints[1], endpoints[2],
                    "--kafka-config=" + Pki.clientPropertiesOf(pki, "adapter-transport"), "--id=transport-secured", "--port=" + port,
                    "--heartbeat=500ms")) {
                adapter.awaitLine("transport-secured running", 90);
                // Its telemetry input is HTTPS with the adapter's certificate, and takes writes from certificates only.
                String body = "{\"linkId\":\"tls-link\",\"nodeId\":\"n1\",\"peerNodeId\":\"n2\",\"latencyMs\":1.5}";
                Http.Response uncertified = new Http("https://127.0.0.1:" + port, trustOnly).post("/v1/transport/telemetry", body);
                assertEquals(403, uncertified.status(), uncertified.body());
                Http.Response telemetry = new Http("https://127.0.0.1:" + port, withCertificate).post("/v1/transport/telemetry", body);
                assertEquals(202, telemetry.status(), telemetry.body());
                InProcessCli tail = InProcessCli.run("tail", Topics.TRANSPORT.name(), "--from-beginning", "--max-messages=1",
                        "--idle-timeout=30000ms",
                        endpoints[0], endpoints[1], "--kafka-config=" + Pki.clientPropertiesOf(pki, "broker"));
                assertTrue(tail.out().contains("\"linkId\":\"tls-link\""), tail.out() + tail.err());
                assertTrue(adapter.terminate(60), "stops on SIGTERM");
            }

            // The CLI with the security adapter's identity may write its topic and not the transport adapter's.
            InProcessCli own = InProcessCli.run("publish", Topics.SECURITY.name(), SECURITY_ALERT, "--key=node-1", endpoints[0],
                    endpoints[1],
                    "--kafka-config=" + Pki.clientPropertiesOf(pki, "adapter-security"));
            assertEquals(0, own.exit(), own.out() + own.err());
            InProcessCli other = InProcessCli.run("publish", Topics.TRANSPORT.name(), TELEMETRY, "--key=l", endpoints[0], endpoints[1],
                    "--kafka-config=" + Pki.clientPropertiesOf(pki, "adapter-security"));
            assertNotEquals(0, other.exit());
            assertTrue(other.err().contains("Not authorized to access topics: [hypermesh.transport]"), other.err());

            // Each of the bus's own principals is held to its part.
            assertWriteRefused(kafka.as(pki, "folds"), Topics.SECURITY.name());
            assertWriteRefused(kafka.as(pki, "coordinator"), Topics.HEALTH_SCORES.name());
            assertWriteRefused(kafka.as(pki, "adapter-consensus"), Topics.REGISTRY_STATE.name());
            assertReadRefused(kafka.as(pki, "schema-registry"), Topics.REGISTRY.name());
            assertReadRefused(kafka.as(pki, "adapter-transport"), Topics.SECURITY.name());
            // An adapter may fence and continue only its own kind's trails.
            KafkaAccess security = kafka.as(pki, "adapter-security");
            assertTransactionalId(security, "hypermesh-adapter-security.node-1", true);
            assertTransactionalId(security, "hypermesh-adapter-transport.node-1", false);
            assertTransactionalId(security, "hypermesh-bus-0", false);
            // A client without TLS gets nothing.
            assertThrows(org.apache.kafka.common.errors.TimeoutException.class, () -> {
                try (KafkaConsumer<byte[], byte[]> plain = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bus.bootstrapServers(),
                        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    plain.partitionsFor(Topics.REGISTRY.name());
                }
            });

            assertTrue(up.terminate(60), "stops on SIGTERM");
        }
    }

    private static final String SECURITY_ALERT =
            "{\"SecurityAlert\":{\"engine\":\"FALCO\",\"rule\":\"r\",\"severity\":\"WARNING\",\"output\":\"o\"}}";
    private static final String TELEMETRY =
            "{\"LinkTelemetry\":{\"linkId\":\"l\",\"nodeId\":\"a\",\"peerNodeId\":\"b\",\"latencyMs\":1.0}}";

    /** Trusts the bus CA and shows no certificate. */
    private static javax.net.ssl.SSLContext trustOnly(Path pki) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(PkiDirectory.storeOf(pki, Pki.TRUSTSTORE))) {
            trust.load(in, PkiDirectory.passwordOf(pki, Pki.TRUSTSTORE).toCharArray());
        }
        javax.net.ssl.TrustManagerFactory tm =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tm.init(trust);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, tm.getTrustManagers(), null);
        return context;
    }

    private static void assertWriteRefused(KafkaAccess as, String topic) {
        Map<String, Object> config = as.clientConfig();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(topic, new byte[]{1})).get(20, TimeUnit.SECONDS), topic);
            assertInstanceOf(TopicAuthorizationException.class, refused.getCause(), topic);
        }
    }

    private static void assertReadRefused(KafkaAccess as, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(as.clientConfig(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            assertThrows(TopicAuthorizationException.class, () -> {
                for (int i = 0; i < 50; i++) {
                    consumer.poll(Duration.ofMillis(200));
                }
            }, topic);
        }
    }

    private static void assertTransactionalId(KafkaAccess as, String transactionalId, boolean allowed) {
        Map<String, Object> config = as.clientConfig();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000); // within the embedded broker's cap
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            if (allowed) {
                producer.initTransactions();
            } else {
                assertThrows(TransactionalIdAuthorizationException.class, producer::initTransactions, transactionalId);
            }
        }
    }

    /** The dead letter of the record at {@code source}, read and decoded as {@code reader}. */
    private static DeadLetterEvent awaitDeadLetter(KafkaAccess reader, String registryUrl, RecordMetadata source) throws Exception {
        try (HttpRegistryClient registry = new HttpRegistryClient(registryUrl, reader.tls());
             KafkaConsumer<String, DeadLetterEvent> consumer = new KafkaConsumer<>(reader.clientConfig(), new StringDeserializer(),
                     new AvroDeserializer<>(registry, DeadLetterEvent.class))) {
            TopicPartition letters = new TopicPartition(Topics.DEAD_LETTERS.name(), 0);
            consumer.assign(List.of(letters));
            consumer.seekToBeginning(List.of(letters));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, DeadLetterEvent> r : consumer.poll(Duration.ofMillis(500))) {
                    DeadLetter d = (DeadLetter) r.value().getPayload();
                    if (d.getSourceTopic().equals(source.topic()) && d.getPartition() == source.partition()
                            && d.getOffset() == source.offset()) {
                        return r.value();
                    }
                }
            }
            throw new AssertionError("no dead letter for " + source + " within 60 s");
        }
    }
}
