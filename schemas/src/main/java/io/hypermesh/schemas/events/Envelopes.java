package io.hypermesh.schemas.events;

import io.hypermesh.events.EventSource;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the envelope of an event: every bus topic's value is a record of {@code eventId},
 * {@code source}, {@code occurredAt}, {@code traceId} and a {@code payload} from the topic's union.
 * The payload's type names its topic, so callers hand over the payload and get the envelope.
 */
public final class Envelopes {
    /** The topic of each payload type, from the unions of the catalog's envelopes. */
    private static final Map<String, TopicSpec<?>> TOPIC_BY_PAYLOAD = topicsByPayload();

    private Envelopes() {
    }

    /** A new event (a fresh id, now) carrying {@code payload}, in the envelope of the topic that carries it. */
    public static SpecificRecord wrap(EventSource source, SpecificRecord payload) {
        return wrap(topicOf(payload), source, payload);
    }

    /**
     * A new event (a fresh id, now) of {@code topic} carrying {@code payload}. The time is in
     * milliseconds, as the envelope stores it, so the event equals what a reader decodes.
     */
    public static <V extends SpecificRecord> V wrap(TopicSpec<V> topic, EventSource source, SpecificRecord payload) {
        return wrap(topic, UUID.randomUUID().toString(), source, Instant.now().truncatedTo(ChronoUnit.MILLIS), payload);
    }

    /**
     * An event with the given id and time, for writers whose ids must be the same when they write
     * again (the folds derive theirs from what they fold, so a replay deduplicates).
     */
    public static <V extends SpecificRecord> V wrap(TopicSpec<V> topic, String eventId, EventSource source, Instant occurredAt,
                                                    SpecificRecord payload) {
        return wrap(topic, eventId, source, occurredAt, null, payload);
    }

    /** The same, continuing the trace of the request that caused it (W3C {@code traceparent}). */
    public static <V extends SpecificRecord> V wrap(TopicSpec<V> topic, String eventId, EventSource source, Instant occurredAt,
                                                    String traceId, SpecificRecord payload) {
        if (topic.valueType() == null) {
            throw new IllegalArgumentException("topic " + topic.name() + " carries no Avro envelope");
        }
        V envelope = topic.valueType().cast(SpecificData.get().newRecord(null, topic.valueSchema()));
        Schema schema = envelope.getSchema();
        if (schema.getField("payload").schema().getIndexNamed(payload.getSchema().getFullName()) == null) {
            throw new IllegalArgumentException("a " + payload.getSchema().getName() + " is not a payload of " + topic.name());
        }
        envelope.put(schema.getField("eventId").pos(), eventId);
        envelope.put(schema.getField("source").pos(), source);
        envelope.put(schema.getField("occurredAt").pos(), occurredAt);
        envelope.put(schema.getField("traceId").pos(), traceId);
        envelope.put(schema.getField("payload").pos(), payload);
        return envelope;
    }

    /** The event topic whose envelope carries payloads of this type. */
    public static TopicSpec<?> topicOf(SpecificRecord payload) {
        TopicSpec<?> topic = TOPIC_BY_PAYLOAD.get(payload.getSchema().getFullName());
        if (topic == null) {
            throw new IllegalArgumentException("no bus topic carries a " + payload.getSchema().getFullName()
                    + " (or more than one does: name the topic)");
        }
        return topic;
    }

    private static Map<String, TopicSpec<?>> topicsByPayload() {
        Map<String, TopicSpec<?>> byPayload = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (TopicSpec<?> topic : Topics.EVENT_TOPICS) {
            for (Schema member : topic.valueSchema().getField("payload").schema().getTypes()) {
                byPayload.put(member.getFullName(), topic);
                seen.merge(member.getFullName(), 1, Integer::sum);
            }
        }
        // A payload two envelopes carry names no topic on its own.
        seen.forEach((name, count) -> {
            if (count > 1) {
                byPayload.remove(name);
            }
        });
        return Map.copyOf(byPayload);
    }
}
