package io.hypermesh.streams.api;

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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The newest records of the audit topic (committed ones), for the dashboard: on start it reads the
 * last {@code size} of every partition, then follows. Undecodable records show as such rather
 * than stopping the tail.
 */
public final class AuditTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditTail.class);
    private final int size;
    private final Deque<JsonObject> recent = new ArrayDeque<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroDeserializer<AuditEvent> decoder;
    private final Thread thread;
    private final Runnable onChange;
    private volatile boolean running = true;

    /** @param onChange run after new records arrived, so views that show them are rendered again */
    public AuditTail(KafkaAccess kafka, RegistryClient registry, int size, Runnable onChange) {
        this.size = size;
        this.onChange = onChange;
        this.decoder = new AvroDeserializer<>(registry, AuditEvent.class);
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::follow, "audit-tail");
        thread.setDaemon(true);
        thread.start();
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
    public synchronized List<JsonObject> recent() {
        List<JsonObject> out = new ArrayList<>(recent);
        java.util.Collections.reverse(out);
        return out;
    }

    private void follow() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.AUDIT.name(), Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            consumer.endOffsets(partitions).forEach((p, end) -> consumer.seek(p, Math.max(begin.get(p), end - size)));
            while (running) {
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
                batch.sort(java.util.Comparator.comparingLong(ConsumerRecord::timestamp));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    add(summary(r));
                }
                if (!batch.isEmpty()) {
                    onChange.run();
                }
            }
        } catch (WakeupException closing) {
            // closing
        } catch (RuntimeException e) {
            LOG.warn("the dashboard's audit tail stopped: {}", e.getMessage());
        } finally {
            consumer.close();
        }
    }

    private synchronized void add(JsonObject entry) {
        recent.addLast(entry);
        while (recent.size() > size) {
            recent.removeFirst();
        }
    }

    private JsonObject summary(ConsumerRecord<byte[], byte[]> r) {
        JsonObject out = new JsonObject().put("Partition", r.partition()).put("Offset", r.offset())
                .put("Time", java.time.Instant.ofEpochMilli(r.timestamp()).toString());
        try {
            AuditEvent event = decoder.deserialize(r.topic(), r.value());
            if (event.getPayload() instanceof AuditRecord a) {
                entry(a.getAdapterId(), a.getSequence());
                return out.put("Kind", "record").put("Adapter", a.getAdapterId()).put("Sequence", a.getSequence()).put("Actor", a.getActor())
                        .put("Action", a.getAction()).put("Target", a.getTarget()).put("Outcome", a.getOutcome().name());
            }
            if (event.getPayload() instanceof AuditEntry e) {
                AuditContent c = AuditContent.getDecoder().decode(e.getContent().duplicate());
                entry(e.getAdapterId(), e.getSequence());
                return out.put("Kind", "record").put("Adapter", e.getAdapterId()).put("Sequence", e.getSequence()).put("Actor", c.getActor())
                        .put("Action", c.getAction()).put("Target", c.getTarget()).put("Outcome", c.getOutcome().name());
            }
            AuditCheckpoint c = (AuditCheckpoint) event.getPayload();
            checkpoint(c.getAdapterId(), c.getTreeSize(), r.timestamp());
            return out.put("Kind", "checkpoint").put("Adapter", c.getAdapterId()).put("Sequence", c.getTreeSize()).put("KeyId", c.getKeyId());
        } catch (RuntimeException | java.io.IOException e) {
            return out.put("Kind", "undecodable").put("Error", String.valueOf(e.getMessage()));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
