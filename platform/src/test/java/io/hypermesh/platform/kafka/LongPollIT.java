package io.hypermesh.platform.kafka;

import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.kafka.LongPollConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bus's own tails ask an idle broker every 5 s, yet see a record as soon as it is written, and
 * stop without waiting out the fetch the broker holds (by default their close took up to 5 s).
 */
@KafkaIT
class LongPollIT {

    @Test
    void aHeldFetchAnswersARecordAtOnceAndDoesNotHoldTheClose(EmbeddedKafka kafka) throws Exception {
        TopicPartition partition = new TopicPartition("long-poll-it", 0);
        KafkaConsumer<String, String> consumer = holdingAFetch(kafka, partition, true);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                new StringSerializer())) {
            long written = System.nanoTime();
            producer.send(new ProducerRecord<>(partition.topic(), "k", "v")).get();
            int seen = 0;
            while (seen == 0 && System.nanoTime() - written < 20_000_000_000L) {
                seen = consumer.poll(Duration.ofMillis(100)).count();
            }
            long tookMs = (System.nanoTime() - written) / 1_000_000;
            assertEquals(1, seen);
            assertTrue(tookMs < LongPollConsumer.FETCH_MAX_WAIT_MS / 2, "a record ends the held fetch; seen after " + tookMs + " ms");

            assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty()); // held again
        }
        long closing = System.nanoTime();
        consumer.close();
        long closeMs = (System.nanoTime() - closing) / 1_000_000;
        assertTrue(closeMs < LongPollConsumer.FETCH_MAX_WAIT_MS / 2, "the close does not wait out the held fetch; took " + closeMs + " ms");
    }

    @Test
    void aPlainCloseWaitsForTheHeldFetchWhichIsWhyLongPollClosesItsOwn(EmbeddedKafka kafka) throws Exception {
        KafkaConsumer<String, String> consumer = holdingAFetch(kafka, new TopicPartition("long-poll-plain-close-it", 0), false);
        long closing = System.nanoTime();
        consumer.close();
        long closeMs = (System.nanoTime() - closing) / 1_000_000;
        assertTrue(closeMs > 1_000, "Kafka's own close waits for the held fetch; took " + closeMs + " ms");
    }

    /**
     * A long-polling consumer at the end of a new topic, whose empty fetch the broker now holds for up
     * to 5 s: a {@link LongPollConsumer}, or a plain consumer with the same wait when {@code bounded} is false.
     */
    private static KafkaConsumer<String, String> holdingAFetch(EmbeddedKafka kafka, TopicPartition partition, boolean bounded)
            throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            admin.createTopics(List.of(new NewTopic(partition.topic(), 1, (short) 1))).all().get();
        }
        Map<String, Object> config = kafka.clientConfig();
        KafkaConsumer<String, String> consumer = bounded
                ? new LongPollConsumer<>(config, new StringDeserializer(), new StringDeserializer())
                : new KafkaConsumer<>(config(config), new StringDeserializer(), new StringDeserializer());
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        consumer.position(partition);
        assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty());
        return consumer;
    }

    /** What a long-polling consumer is configured with, for a plain one. */
    private static Map<String, Object> config(Map<String, Object> config) {
        config.put(org.apache.kafka.clients.consumer.ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, LongPollConsumer.FETCH_MAX_WAIT_MS);
        config.put(org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return config;
    }
}
