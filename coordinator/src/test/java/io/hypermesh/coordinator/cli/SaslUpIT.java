package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `hypermesh up --kafka-sasl` as a real process: no TLS, but the embedded broker takes only the
 * bus's SASL/PLAIN users, each with its own ACLs. An anonymous client, a wrong password and a part
 * reaching beyond its own topics or transactional ids are all refused, and the bus runs as usual.
 */
class SaslUpIT {
    @Test
    void onlyTheBusesUsersWriteItsTopicsAndEachOnlyItsOwn(@TempDir Path dataDir) throws Exception {
        try (HypermeshProcess up = new HypermeshProcess("up", "--data-dir=" + dataDir, "--kafka-port=0", "--registry-port=0",
                "--api-port=0",
                "--kafka-sasl")) {
            up.awaitLine("HyperMesh Bus is up", 180);
            assertTrue(up.lines.contains("platform hypermesh-dev: RUNNING"), up.lines.toString());
            BusEndpoints bus = BusEndpoints.read(dataDir).orElseThrow();
            Path users = dataDir.resolve("sasl");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(users)),
                    "only the owner reads the passwords");

            Http api = new Http(bus.apiUrl());
            assertEquals(200, api.put("/v1/agent/service/register", "{\"ID\":\"web-1\",\"Name\":\"web\"}").status(),
                    "the bus works as usual");

            // No credentials: the broker does not speak PLAINTEXT at all.
            Map<String, Object> anonymous = KafkaAccess.to(bus.bootstrapServers()).clientConfig();
            ExecutionException refused = assertThrows(ExecutionException.class, () -> send(anonymous, Topics.REGISTRY.name()));
            assertTrue(refused.getCause() instanceof org.apache.kafka.common.errors.TimeoutException, refused.toString());

            // A bus user with a wrong password.
            Map<String,
                    Object> guessed =
                    KafkaAccess.to(bus.bootstrapServers()).withPropertiesFile(users.resolve("folds.properties")).clientConfig();
            guessed.put("sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"folds\" password=\"guess\";");
            ExecutionException badPassword = assertThrows(ExecutionException.class, () -> send(guessed, Topics.REGISTRY.name()));
            assertInstanceOf(SaslAuthenticationException.class, badPassword.getCause());

            // The security adapter's user writes its own topic, not the transport adapter's, and opens no transaction it does not own.
            Map<String,
                    Object> security =
                    KafkaAccess.to(bus.bootstrapServers()).withPropertiesFile(users.resolve("adapter-security.properties")).clientConfig();
            send(security, Topics.SECURITY.name());
            ExecutionException notItsTopic = assertThrows(ExecutionException.class, () -> send(security, Topics.TRANSPORT.name()));
            assertInstanceOf(TopicAuthorizationException.class, notItsTopic.getCause());
            security.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "hostile");
            security.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
            try (KafkaProducer<byte[], byte[]> transactional = new KafkaProducer<>(security, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                assertThrows(TransactionalIdAuthorizationException.class, transactional::initTransactions);
            }
            assertTrue(up.terminate(60), "stops on SIGTERM");
        }
    }

    private static void send(Map<String, Object> config, String topic) throws Exception {
        Map<String, Object> c = new java.util.HashMap<>(config);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, new byte[]{1})).get(20, TimeUnit.SECONDS);
        }
    }
}
