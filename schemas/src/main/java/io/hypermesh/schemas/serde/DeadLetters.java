package io.hypermesh.schemas.serde;

import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds dead-letter records: the original key and value byte for byte, where they came from,
 * and why they failed, both in the Avro body and in headers (so tools that never decode the
 * body can still filter on the reason).
 */
public final class DeadLetters {
    public static final String HEADER_REASON = "hypermesh.dlq.reason";
    public static final String HEADER_SOURCE_TOPIC = "hypermesh.dlq.topic";
    public static final String HEADER_SOURCE_PARTITION = "hypermesh.dlq.partition";
    public static final String HEADER_SOURCE_OFFSET = "hypermesh.dlq.offset";
    public static final String HEADER_STAGE = "hypermesh.dlq.stage";
    public static final String HEADER_ERROR_CLASS = "hypermesh.dlq.error.class";

    private DeadLetters() {
    }

    public static ProducerRecord<String, DeadLetterEvent> of(String sourceTopic, int partition, long offset, byte[] key,
                                                            byte[] value, String stage, Throwable cause, EventSource reporter) {
        String reason = String.valueOf(cause.getMessage());
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(sourceTopic).setPartition(partition).setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setReason(reason).setErrorClass(cause.getClass().getName()).setStage(stage).build();
        DeadLetterEvent event = Envelopes.wrap(Topics.DEAD_LETTERS, reporter, letter);
        RecordHeaders headers = new RecordHeaders();
        add(headers, HEADER_REASON, reason);
        add(headers, HEADER_SOURCE_TOPIC, sourceTopic);
        add(headers, HEADER_SOURCE_PARTITION, Integer.toString(partition));
        add(headers, HEADER_SOURCE_OFFSET, Long.toString(offset));
        add(headers, HEADER_STAGE, stage);
        add(headers, HEADER_ERROR_CLASS, cause.getClass().getName());
        String dlqKey = sourceTopic + "/" + partition + "/" + offset;
        return new ProducerRecord<>(Topics.DEAD_LETTERS.name(), null, dlqKey, event, headers);
    }

    public static ProducerRecord<String, DeadLetterEvent> of(ConsumerRecord<byte[], byte[]> record, String stage,
                                                            Throwable cause, EventSource reporter) {
        return of(record.topic(), record.partition(), record.offset(), record.key(), record.value(), stage, cause, reporter);
    }

    public static String header(Iterable<Header> headers, String name) {
        for (Header h : headers) {
            if (h.key().equals(name)) {
                return new String(h.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
