package io.hypermesh.schemas.publish;

import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.schemas.topics.TopicSpec;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one way onto the bus: string keys, Avro values in Confluent's wire format (schemas
 * registered on first use), {@code acks=all} and idempotence always; a transactional variant
 * fences earlier writers with the same transactional id when it opens.
 *
 * <p>Futures complete on the producer's network thread. Never publish and wait from there: a
 * send that needs metadata waits for the thread that is running the callback.
 */
public final class BusPublisher implements AutoCloseable {
    private final KafkaProducer<String, Object> producer;
    private final boolean transactional;

    private BusPublisher(KafkaAccess kafka, RegistryClient registry, Map<String, Object> settings) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        config.putAll(settings);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.transactional = config.containsKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new BusValues(registry));
    }

    /** An idempotent publisher; {@code settings} adds producer settings (a client id, a shorter max.block.ms). */
    public static BusPublisher idempotent(KafkaAccess kafka, RegistryClient registry, Map<String, Object> settings) {
        return new BusPublisher(kafka, registry, settings);
    }

    public static BusPublisher idempotent(KafkaAccess kafka, RegistryClient registry) {
        return idempotent(kafka, registry, Map.of());
    }

    /**
     * A transactional publisher under {@code transactionalId}, opened: any earlier producer with
     * that id is fenced and its open transaction aborted before this returns.
     */
    public static BusPublisher transactional(KafkaAccess kafka, RegistryClient registry, String transactionalId,
                                             Map<String, Object> settings) {
        Map<String, Object> withId = new java.util.HashMap<>(settings);
        withId.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // Kafka's default (60 s) is past what a broker capping client transactions allows (the
        // embedded one allows 15 s); a transaction of ours never needs more than a few seconds.
        withId.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        BusPublisher publisher = new BusPublisher(kafka, registry, withId);
        try {
            publisher.producer.initTransactions();
        } catch (RuntimeException e) {
            publisher.producer.close(Duration.ZERO);
            throw e;
        }
        return publisher;
    }

    /** Publishes one event of {@code topic}; the future completes once every in-sync replica has it. */
    public <V extends SpecificRecord> CompletableFuture<RecordMetadata> publish(TopicSpec<V> topic, String key, V value) {
        return publish(new ProducerRecord<>(topic.name(), key, value));
    }

    /**
     * Publishes a record whose value is an Avro record (generated or generic), or raw bytes for
     * the topics that carry no Avro (the coordinator's epoch), or null for a tombstone.
     */
    public CompletableFuture<RecordMetadata> publish(ProducerRecord<String, ?> record) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        try {
            @SuppressWarnings("unchecked")
            ProducerRecord<String, Object> untyped = (ProducerRecord<String, Object>) record;
            producer.send(untyped, (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    public CompletableFuture<RecordMetadata> publish(String topic, String key, Object value) {
        return publish(new ProducerRecord<>(topic, key, value));
    }

    /**
     * Runs {@code sends} in one transaction: all of its records are written or none. A failure
     * aborts the transaction when it can be aborted and is rethrown; a fenced producer (another
     * instance took the transactional id) cannot be, and is rethrown as it is.
     */
    public void inTransaction(Runnable sends) {
        beginTransaction();
        try {
            sends.run();
            commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException fatal) {
            throw fatal;
        } catch (KafkaException e) {
            try {
                abortTransaction();
            } catch (KafkaException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    public void beginTransaction() {
        requireTransactional();
        producer.beginTransaction();
    }

    public void commitTransaction() {
        requireTransactional();
        producer.commitTransaction();
    }

    public void abortTransaction() {
        requireTransactional();
        producer.abortTransaction();
    }

    /** Sends what is buffered and waits until it is acknowledged. */
    public void flush() {
        producer.flush();
    }

    private void requireTransactional() {
        if (!transactional) {
            throw new IllegalStateException("this publisher is idempotent, not transactional");
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    public void close(Duration timeout) {
        producer.close(timeout);
    }

    /** Avro records through the registry; bytes as they are. */
    private static final class BusValues implements Serializer<Object> {
        private final AvroSerializer<GenericContainer> avro;

        BusValues(RegistryClient registry) {
            this.avro = new AvroSerializer<>(registry, true);
        }

        @Override
        public byte[] serialize(String topic, Object value) {
            if (value == null || value instanceof byte[]) {
                return (byte[]) value;
            }
            if (value instanceof GenericContainer record) {
                return avro.serialize(topic, record);
            }
            throw new IllegalArgumentException("the bus carries Avro records, not " + value.getClass().getName());
        }
    }
}
