package io.hypermesh.streams;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.schemas.serde.AvroSerializer;
import io.hypermesh.schemas.serde.SerdeConfig;
import io.hypermesh.schemas.serde.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Sends what a topology cannot use to the dead-letter topic and lets the topology go on: bytes
 * that do not decode (stage "deserialize") and events a fold refuses or fails on (stage
 * "process"). The original bytes are kept and the reason is in the body and the headers. The
 * records are written by Kafka Streams itself, inside the same transaction under EOS.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);
    private AvroSerializer<DeadLetterEvent> serializer;
    private final StringSerializer keys = new StringSerializer();
    private EventSource reporter;

    @Override
    public void configure(Map<String, ?> configs) {
        // The application's own client (with its TLS identity on a secured bus), or one made from the URL and
        // the Kafka TLS settings for an application that configured only those.
        serializer = new AvroSerializer<>(SerdeConfig.client(configs), true);
        Object app = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        reporter = new EventSource(String.valueOf(app), ComponentKind.STREAMS);
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                                Exception exception) {
        LOG.warn("undecodable record {}-{}@{} sent to the dead-letter topic: {}", record.topic(), record.partition(),
                record.offset(), exception.getMessage());
        return DeserializationExceptionHandler.Response.resume(deadLetter(record.topic(), record.partition(), record.offset(),
                record.key(), record.value(), "deserialize", exception));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        LOG.warn("record {}-{}@{} refused by {}: {}", context.topic(), context.partition(), context.offset(),
                context.processorNodeId(), exception.getMessage());
        return ProcessingExceptionHandler.Response.resume(deadLetter(context.topic(), context.partition(), context.offset(),
                context.sourceRawKey(), context.sourceRawValue(), "process", exception));
    }

    private List<ProducerRecord<byte[], byte[]>> deadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
                                                            String stage, Exception cause) {
        ProducerRecord<String, DeadLetterEvent> letter = DeadLetters.of(topic == null ? "unknown" : topic, partition, offset,
                key, value, stage, cause, reporter);
        return List.of(new ProducerRecord<>(letter.topic(), null, keys.serialize(letter.topic(), letter.key()),
                serializer.serialize(letter.topic(), letter.value()), letter.headers()));
    }
}
