package io.hypermesh.streams.api.dashboard;

import io.hypermesh.events.deadletter.DeadLetter;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.FoldMetrics;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dead-letter topic for the dashboard: the newest {@code size} letters with where each came
 * from and why, and a count per reason of every letter the topic still holds (it is read from its
 * beginning: letters are few, and a count of only the newest would say little).
 */
public final class DeadLetterTail implements AutoCloseable {
    private final AvroDeserializer<DeadLetterEvent> decoder;
    private final Map<String, Long> byReason = new TreeMap<>();
    private final TopicTail tail;

    public DeadLetterTail(KafkaAccess kafka, RegistryClient registry, int size, Runnable onChange) {
        this.decoder = new AvroDeserializer<>(registry, DeadLetterEvent.class);
        for (FoldMetrics.DeadLetterReason r : FoldMetrics.DeadLetterReason.values()) {
            byReason.put(label(r), 0L);
        }
        this.tail = new TopicTail(kafka, Topics.DEAD_LETTERS.name(), size, true, this::summary, onChange);
    }

    /** Newest first. */
    public List<JsonObject> recent() {
        return tail.recent();
    }

    /** Letters by reason: the same fixed set as {@code hypermesh_dead_letters_total}, plus unreadable letters. */
    public synchronized Map<String, Long> countsByReason() {
        return new TreeMap<>(byReason);
    }

    private synchronized void count(String reason) {
        byReason.merge(reason, 1L, Long::sum);
    }

    private JsonObject summary(ConsumerRecord<byte[], byte[]> r) {
        JsonObject out = new JsonObject().put("Time", java.time.Instant.ofEpochMilli(r.timestamp()).toString());
        try {
            DeadLetterEvent event = decoder.deserialize(r.topic(), r.value());
            DeadLetter letter = (DeadLetter) event.getPayload();
            // Classified as the folds' handler classifies what it writes, so the dashboard and the metric agree.
            String reason = label(FoldMetrics.DeadLetterReason.of(letter.getStage(),
                    letter.getErrorClass().endsWith("InvalidEventException")));
            count(reason);
            return out.put("Topic", letter.getSourceTopic()).put("Partition", letter.getPartition()).put("Offset", letter.getOffset())
                    .put("Reason", reason).put("Stage", letter.getStage()).put("Error", letter.getErrorClass())
                    .put("Message", letter.getReason()).put("Reporter", event.getSource().getComponentId());
        } catch (RuntimeException e) {
            count("unreadable");
            return out.put("Topic", r.topic()).put("Partition", r.partition()).put("Offset", r.offset()).put("Reason", "unreadable")
                    .put("Message", "the dead letter itself does not decode: " + e.getMessage());
        }
    }

    private static String label(FoldMetrics.DeadLetterReason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        tail.close();
    }
}
