package io.hypermesh.adapters.security;

import io.hypermesh.adapters.audit.AuditTrail;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.anomaly.BaselineChanged;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.connect.CaConfigured;
import io.hypermesh.events.connect.ConnectEvent;
import io.hypermesh.events.kv.KvEvent;
import io.hypermesh.events.kv.KvOp;
import io.hypermesh.events.kv.KvTxnRequested;
import io.hypermesh.events.kv.SessionCreated;
import io.hypermesh.events.kv.SessionDestroyed;
import io.hypermesh.events.kv.SessionInvalidated;
import io.hypermesh.events.connect.IntentionDeleted;
import io.hypermesh.events.connect.IntentionWritten;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.hypermesh.schemas.kafka.LongPollConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Puts policy changes people make through the query API into this adapter's signed audit trail,
 * with who made them: decisions on workload baselines ({@link BaselineChanged} on
 * {@code hypermesh.anomalies}) and Connect policy (intentions and the CA's configuration on
 * {@code hypermesh.intentions}). Reads without a consumer group: where it got to in each partition
 * is a resume mark of its own trail, so a restart neither skips a change nor audits one twice.
 */
final class AuditedChanges<V extends SpecificRecord> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditedChanges.class);

    private final AuditedPublisher bus;
    private final TopicSpec<V> topic;
    private final String mark;
    private final Function<V, AuditedPublisher.Action> audited;
    private final LongPollConsumer<String, V> consumer;
    private final Thread reader;
    private volatile boolean open = true;

    /** @param audited the audit action of an event, or null for one that is not a change to audit */
    private AuditedChanges(AuditedPublisher bus, TopicSpec<V> topic, String mark, Function<V, AuditedPublisher.Action> audited) {
        this.bus = bus;
        this.topic = topic;
        this.mark = mark;
        this.audited = audited;
        Map<String, Object> config = new HashMap<>(bus.kafka().clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "adapter-" + bus.adapterId() + "-" + mark + "changes");
        this.consumer = new LongPollConsumer<>(config, new StringDeserializer(), new AvroDeserializer<>(bus.registry(), topic.valueType()));
        this.reader = new Thread(this::read, "audited-" + mark + bus.adapterId());
        reader.setDaemon(true);
    }

    /** Decisions on workload baselines: lock, unlock, accept. */
    static AuditedChanges<AnomalyEvent> baselines(AuditedPublisher bus) {
        return new AuditedChanges<>(bus, Topics.ANOMALIES, "anomalies-", e -> e.getPayload() instanceof BaselineChanged c
                ? action(c.getBy(), "baseline " + c.getAction().name().toLowerCase(Locale.ROOT), c.getWorkload(), e.getEventId(),
                c.getBehaviour() == null ? Map.of() : Map.of("behaviour", c.getBehaviour())) : null);
    }

    /** Connect policy: intentions written and deleted, the CA reconfigured. */
    static AuditedChanges<ConnectEvent> connect(AuditedPublisher bus) {
        return new AuditedChanges<>(bus, Topics.INTENTIONS, "intentions-", e -> {
            if (e.getPayload() instanceof IntentionWritten w) {
                return action(w.getBy(), "intention write", w.getSourceName() + " => " + w.getDestinationName(), e.getEventId(),
                        Map.of("action", w.getAction() == null ? "L7: " + w.getPermissions().size() + " permissions" : w.getAction()));
            }
            if (e.getPayload() instanceof IntentionDeleted d) {
                return action(d.getBy(), "intention delete", d.getSourceName() + " => " + d.getDestinationName(), e.getEventId(),
                        Map.of());
            }
            if (e.getPayload() instanceof CaConfigured c) {
                Map<String, String> details = new TreeMap<>(c.getConfig());
                details.put("activeRootId", c.getActiveRootId());
                details.put("rotated", Boolean.toString(c.getRotated()));
                return action(c.getBy(), "connect ca configure", c.getProvider(), e.getEventId(), details);
            }
            return null;
        });
    }

    /** Verbs of Consul's KV that change a key; the others only read. */
    private static final java.util.Set<String> KV_WRITES = java.util.Set.of("set", "cas", "lock", "unlock", "delete", "delete-tree",
            "delete-cas");

    /**
     * Consul KV and sessions: every write asked of the KV fold (what the fold decided is in the key's
     * history and the log: a conditional write may not have taken effect), sessions created,
     * destroyed and invalidated. Renewals and read-only transactions are not changes.
     */
    static AuditedChanges<KvEvent> kv(AuditedPublisher bus) {
        return new AuditedChanges<>(bus, Topics.KV, "kv-", e -> {
            if (e.getPayload() instanceof KvTxnRequested t) {
                List<String> writes = new ArrayList<>();
                for (KvOp op : t.getOps()) {
                    if (KV_WRITES.contains(op.getVerb())) {
                        writes.add(op.getVerb() + " " + op.getKey() + (op.getSession() == null ? "" : " session " + op.getSession())
                                + (op.getVerb().endsWith("cas") ? " index " + op.getIndex() : ""));
                    }
                }
                return writes.isEmpty() ? null : action(t.getBy(), "kv write", writes.size() == 1 ? writes.get(0).split(" ")[1]
                        : writes.size() + " keys", e.getEventId(), Map.of("ops", String.join("; ", writes)));
            }
            if (e.getPayload() instanceof SessionCreated c) {
                return action(c.getBy(), "session create", c.getId(), e.getEventId(), Map.of("node", c.getNode(), "behavior",
                        c.getBehavior(), "ttl", c.getTtl()));
            }
            if (e.getPayload() instanceof SessionDestroyed d) {
                return action(d.getBy(), "session destroy", d.getId(), e.getEventId(), Map.of());
            }
            if (e.getPayload() instanceof SessionInvalidated v) {
                return action("the bus", "session invalidate", v.getId(), e.getEventId(), Map.of("reason", v.getReason()));
            }
            return null;
        });
    }

    private static AuditedPublisher.Action action(String by, String what, String target, String eventId, Map<String, String> extra) {
        Map<String, String> details = new LinkedHashMap<>(extra);
        details.put("eventId", eventId);
        return new AuditedPublisher.Action(by, what, target, AuditOutcome.SUCCESS, details);
    }

    void start() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < topic.partitions(); p++) {
            partitions.add(new TopicPartition(topic.name(), p));
        }
        consumer.assign(partitions);
        for (TopicPartition tp : partitions) {
            var resume = bus.resumeMark(mark + tp.partition());
            if (resume.isPresent()) {
                consumer.seek(tp, Long.parseLong(resume.get()));
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
        reader.start();
    }

    private void read() {
        try {
            while (open) {
                for (ConsumerRecord<String, V> record : consumer.poll(LongPollConsumer.POLL)) {
                    AuditedPublisher.Action action = record.value() == null ? null : audited.apply(record.value());
                    if (action != null) {
                        audit(action, record);
                    }
                }
            }
        } catch (WakeupException e) {
            // Closing.
        } catch (RuntimeException e) {
            LOG.error("changes on {} are no longer audited: {}", topic.name(), e.toString());
        } finally {
            consumer.close();
        }
    }

    private void audit(AuditedPublisher.Action action, ConsumerRecord<String, V> record) {
        Map<String, String> details = new LinkedHashMap<>(action.details());
        details.put(AuditTrail.RESUME_PREFIX + mark + record.partition(), Long.toString(record.offset() + 1));
        // Waited for: the next change is audited only once this one is in the trail, so the marks only move forward.
        bus.audit(new AuditedPublisher.Action(action.actor(), action.action(), action.target(), action.outcome(), details)).join();
    }

    @Override
    public void close() {
        open = false;
        consumer.wakeup();
    }
}
