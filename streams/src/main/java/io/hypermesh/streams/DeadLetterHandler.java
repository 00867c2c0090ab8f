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
    private FoldMetrics metrics = FoldMetrics.NONE;

    /** The config key of the {@link FoldMetrics} (an object in the Streams properties) told of each dead letter. */
    public static final String METRICS_CONFIG = "hypermesh.fold.metrics";

    @Override
    public void configure(Map<String, ?> configs) {
        // The application's own client (with its TLS identity on a secured bus), or one made from the URL and
        // the Kafka TLS settings for an application that configured only those.
        serializer = new AvroSerializer<>(SerdeConfig.client(configs), true);
        Object app = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        reporter = new EventSource(String.valueOf(app), ComponentKind.STREAMS);
        if (configs.get(METRICS_CONFIG) instanceof FoldMetrics given) {
            metrics = given;
        }
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                                Exception exception) {
        LOG.warn("undecodable record {}-{}@{} sent to the dead-letter topic: {}", record.topic(), record.partition(),
                record.offset(), exception.getMessage());
        metrics.folded(record.topic(), FoldMetrics.Outcome.UNDECODABLE, -1);
        metrics.deadLettered(record.topic(), FoldMetrics.DeadLetterReason.of(DESERIALIZE, false));
        return DeserializationExceptionHandler.Response.resume(deadLetter(record.topic(), record.partition(), record.offset(),
                record.key(), record.value(), DESERIALIZE, exception));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        LOG.warn("record {}-{}@{} refused by {}: {}", context.topic(), context.partition(), context.offset(),
                context.processorNodeId(), exception.getMessage());
        metrics.folded(context.topic(), FoldMetrics.Outcome.REFUSED, -1);
        metrics.deadLettered(context.topic(), FoldMetrics.DeadLetterReason.of(PROCESS, brokeARule(exception)));
        return ProcessingExceptionHandler.Response.resume(deadLetter(context.topic(), context.partition(), context.offset(),
                context.sourceRawKey(), context.sourceRawValue(), PROCESS, exception));
    }

    private static final String DESERIALIZE = "deserialize";
    private static final String PROCESS = "process";

    /** An event that breaks a fold's rule, wherever in the causes; any other failure is the fold's. */
    private static boolean brokeARule(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof InvalidEventException) {
                return true;
            }
        }
        return false;
    }

    private List<ProducerRecord<byte[], byte[]>> deadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
                                                            String stage, Exception cause) {
        ProducerRecord<String, DeadLetterEvent> letter = DeadLetters.of(topic == null ? "unknown" : topic, partition, offset,
                key, value, stage, cause, reporter);
        // Timed as the letter says (when it was written): the folds read the dead letters too, and want a record's time.
        return List.of(new ProducerRecord<>(letter.topic(), null, letter.value().getOccurredAt().toEpochMilli(),
                keys.serialize(letter.topic(), letter.key()),
                serializer.serialize(letter.topic(), letter.value()), letter.headers()));
    }
}
