package io.hypermesh.streams.api.dashboard;

import io.hypermesh.events.audit.AuditCheckpoint;
import io.hypermesh.events.audit.AuditEvent;
import io.hypermesh.events.audit.AuditContent;
import io.hypermesh.events.audit.AuditEntry;
import io.hypermesh.events.audit.AuditRecord;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.Topics;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.List;
import java.util.Map;

/**
 * The newest records of the audit topic (committed ones), for the dashboard: on start it reads the
 * last {@code size} of every partition, then follows. Undecodable records show as such rather
 * than stopping the tail. Each adapter's trail position, as far as read, is kept for /metrics.
 */
public final class AuditTail implements AutoCloseable {
    private final AvroDeserializer<AuditEvent> decoder;
    private final TopicTail tail;

    /** @param onChange run after new records arrived, so views that show them are rendered again */
    public AuditTail(KafkaAccess kafka, RegistryClient registry, int size, Runnable onChange) {
        this.decoder = new AvroDeserializer<>(registry, AuditEvent.class);
        this.tail = new TopicTail(kafka, Topics.AUDIT.name(), size, false, this::summary, onChange);
    }

    /**
     * Where an adapter's trail stands in the records seen: how many records it holds (its newest
     * sequence), how many its newest checkpoint covers, and when that checkpoint was written (0 for none seen).
     */
    public record AdapterTrail(long records, long checkpointed, long checkpointAtMillis) {
    }

    private final Map<String, AdapterTrail> trails = new java.util.concurrent.ConcurrentHashMap<>();

    /** Each adapter's trail, as far as this tail has read: from the newest {@code size} records of each partition on. */
    public Map<String, AdapterTrail> trails() {
        return Map.copyOf(trails);
    }

    private void entry(String adapter, long sequence) {
        trails.merge(adapter, new AdapterTrail(sequence, 0, 0),
                (was, now) -> new AdapterTrail(Math.max(was.records(), sequence), was.checkpointed(), was.checkpointAtMillis()));
    }

    private void checkpoint(String adapter, long treeSize, long atMillis) {
        trails.merge(adapter, new AdapterTrail(treeSize, treeSize, atMillis), (was, now) -> treeSize < was.checkpointed() ? was
                : new AdapterTrail(Math.max(was.records(), treeSize), treeSize, atMillis));
    }

    /** Newest first. */
    public List<JsonObject> recent() {
        return tail.recent();
    }

    private JsonObject summary(ConsumerRecord<byte[], byte[]> r) {
        JsonObject out = new JsonObject().put("Partition", r.partition()).put("Offset", r.offset())
                .put("Time", java.time.Instant.ofEpochMilli(r.timestamp()).toString());
        try {
            AuditEvent event = decoder.deserialize(r.topic(), r.value());
            if (event.getPayload() instanceof AuditRecord a) {
                entry(a.getAdapterId(), a.getSequence());
                return out.put("Kind", "record").put("Adapter", a.getAdapterId()).put("Sequence", a.getSequence()).put("Actor",
                        a.getActor())
                        .put("Action", a.getAction()).put("Target", a.getTarget()).put("Outcome", a.getOutcome().name());
            }
            if (event.getPayload() instanceof AuditEntry e) {
                AuditContent c = AuditContent.getDecoder().decode(e.getContent().duplicate());
                entry(e.getAdapterId(), e.getSequence());
                return out.put("Kind", "record").put("Adapter", e.getAdapterId()).put("Sequence", e.getSequence()).put("Actor",
                        c.getActor())
                        .put("Action", c.getAction()).put("Target", c.getTarget()).put("Outcome", c.getOutcome().name());
            }
            AuditCheckpoint c = (AuditCheckpoint) event.getPayload();
            checkpoint(c.getAdapterId(), c.getTreeSize(), r.timestamp());
            return out.put("Kind", "checkpoint").put("Adapter", c.getAdapterId()).put("Sequence", c.getTreeSize()).put("KeyId",
                    c.getKeyId());
        } catch (RuntimeException | java.io.IOException e) {
            return out.put("Kind", "undecodable").put("Error", String.valueOf(e.getMessage()));
        }
    }

    @Override
    public void close() {
        tail.close();
    }
}
