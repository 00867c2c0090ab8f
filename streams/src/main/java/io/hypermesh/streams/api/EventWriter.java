package io.hypermesh.streams.api;

import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Map;

/**
 * Publishes the events the write endpoints accept; {@link #publish} completes once Kafka acknowledged
 * (acks=all), on the producer's network thread: never publish again from that completion, or the
 * send waits on metadata only that thread can fetch.
 */
public final class EventWriter implements AutoCloseable {
    private final KafkaProducer<String, SpecificRecord> producer;

    public EventWriter(KafkaAccess kafka, RegistryClient registry) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new AvroSerializer<>(registry, true));
    }

    public Future<RecordMetadata> publish(String topic, String key, SpecificRecord event) {
        Promise<RecordMetadata> done = Promise.promise();
        try {
            producer.send(new ProducerRecord<>(topic, key, event), (metadata, error) -> {
                if (error != null) {
                    done.fail(error);
                } else {
                    done.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            done.fail(e);
        }
        return done.future();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
