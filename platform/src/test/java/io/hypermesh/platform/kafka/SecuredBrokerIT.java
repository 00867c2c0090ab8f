package io.hypermesh.platform.kafka;

import io.hypermesh.platform.pki.Pki;
import io.hypermesh.schemas.topics.BusAcls;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded broker secured with the bus's PKI: mutual TLS on every listener and KRaft's
 * StandardAuthorizer. An adapter's certificate writes its own topic and is refused another
 * adapter's; a client without a certificate of the bus's CA, or without TLS, gets nowhere.
 */
class SecuredBrokerIT {
    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        Path pki = dir.resolve("pki");
        Pki.init(pki, List.of(EmbeddedKafka.BROKER_COMPONENT, "adapter-security", "adapter-transport"), List.of("localhost", "127.0.0.1"),
                Duration.ofDays(1), false);
        kafka = EmbeddedKafka.startSecured(dir.resolve("kafka"), 0, pki);
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            TopicAdmin.ensure(admin, List.of(Topics.SECURITY, Topics.TRANSPORT, Topics.AUDIT, Topics.REGISTRY, Topics.HEALTH_CHECKS,
                    Topics.LIFECYCLE));
            admin.createAcls(BusAcls.adapter("adapter-security")).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(BusAcls.adapter("adapter-transport")).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    static KafkaProducer<String, String> producer(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return new KafkaProducer<>(c, new StringSerializer(), new StringSerializer());
    }

    @Test
    void anAdapterWritesItsOwnTopicAndIsRefusedAnotherAdapters() throws Exception {
        try (KafkaProducer<String, String> security = producer(kafka.clientConfig("adapter-security"))) {
            assertEquals(Topics.SECURITY.name(), security.send(new ProducerRecord<>(Topics.SECURITY.name(), "k", "alert")).get(30,
                    TimeUnit.SECONDS).topic());
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> security.send(new ProducerRecord<>(Topics.TRANSPORT.name(), "k", "forged link")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, refused.getCause());
            assertTrue(((TopicAuthorizationException) refused.getCause()).unauthorizedTopics().contains(Topics.TRANSPORT.name()));
        }
        try (KafkaProducer<String, String> transport = producer(kafka.clientConfig("adapter-transport"))) {
            transport.send(new ProducerRecord<>(Topics.TRANSPORT.name(), "k", "telemetry")).get(30, TimeUnit.SECONDS);
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> transport.send(new ProducerRecord<>(Topics.SECURITY.name(), "k", "forged alert")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, refused.getCause());
        }
    }

    @Test
    void aClientWithoutACertificateOfTheBusCaIsRefused() {
        Map<String, Object> noCertificate = new HashMap<>(kafka.clientConfig("adapter-security"));
        noCertificate.keySet().removeIf(k -> k.startsWith("ssl.keystore") || k.equals("ssl.key.password"));
        try (KafkaProducer<String, String> anonymous = producer(noCertificate)) {
            Exception e = assertThrows(Exception.class, () -> anonymous.send(new ProducerRecord<>(Topics.SECURITY.name(), "k",
                    "x")).get(30, TimeUnit.SECONDS));
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            assertTrue(cause instanceof SslAuthenticationException || cause instanceof TimeoutException, "refused: " + cause);
        }
        Map<String, Object> plaintext = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, String> clear = producer(plaintext)) {
            Exception e = assertThrows(Exception.class, () -> clear.send(new ProducerRecord<>(Topics.SECURITY.name(), "k", "x")).get(30,
                    TimeUnit.SECONDS));
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            assertInstanceOf(TimeoutException.class, cause, "a client without TLS never gets metadata: " + cause);
        }
    }
}
