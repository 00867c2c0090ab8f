package io.hypermesh.adapters.testing;

import io.hypermesh.adapters.audit.AuditKeys;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.testing.InMemoryRegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/** The bus an adapter test needs: the real broker with every topic, a registry, and readers of topics. */
public final class BusForAdapters {
    public final EmbeddedKafka kafka;
    /** One registry for the whole run, as the broker is one for the whole run: schema ids on its topics stay readable. */
    private static final RegistryClient SHARED_REGISTRY = new InMemoryRegistryClient();
    public final RegistryClient registry = SHARED_REGISTRY;

    public BusForAdapters(EmbeddedKafka kafka) {
        this.kafka = kafka;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            TopicAdmin.ensure(admin, Topics.ALL);
        }
    }

    /** Settings for an adapter with a fresh id and a key in {@code dir}; checkpoints every 5 records or 500 ms. */
    public AuditedPublisher.Settings settings(String prefix, ComponentKind kind, Path dir) {
        String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new AuditedPublisher.Settings(id, kind, kafka.access(), registry,
                AuditKeys.loadOrCreate(dir.resolve(id + ".key")), 5, Duration.ofMillis(500));
    }

    /** Reads a topic from its beginning (committed records only) as events of one envelope type. */
    public <T extends SpecificRecord> Reader<T> read(String topic, Class<T> type) {
        return new Reader<>(this, topic, type);
    }

    public static final class Reader<T extends SpecificRecord> implements AutoCloseable {
        private final KafkaConsumer<String, T> consumer;
        private final List<ConsumerRecord<String, T>> seen = new ArrayList<>();

        Reader(BusForAdapters bus, String topic, Class<T> type) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bus.kafka.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID()), new StringDeserializer(),
                    new AvroDeserializer<>(bus.registry, type));
            consumer.subscribe(List.of(topic));
        }

        /** The first record (seen before or arriving within the timeout) that matches. */
        public ConsumerRecord<String, T> await(Predicate<ConsumerRecord<String, T>> match, Duration timeout, String what) {
            long deadline = System.nanoTime() + timeout.toNanos();
            int checked = 0;
            while (true) {
                for (; checked < seen.size(); checked++) {
                    if (match.test(seen.get(checked))) {
                        return seen.get(checked);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not within " + timeout + ": " + what + "; saw " + seen.size() + " records: "
                            + seen.stream().map(r -> String.valueOf(r.value())).limit(20).toList());
                }
                consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
            }
        }

        /** Everything read so far, after polling for {@code quiet} more. */
        public List<ConsumerRecord<String, T>> all(Duration quiet) {
            long deadline = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
            }
            return List.copyOf(seen);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
