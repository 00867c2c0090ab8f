package io.hypermesh.adapters.security;

import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.anomaly.BaselineChanged;
import io.hypermesh.schemas.serde.AvroDeserializer;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Puts every decision on a workload baseline (lock, unlock, accept: {@link BaselineChanged} on
 * {@code hypermesh.anomalies}, written by the query API) in this adapter's signed audit trail, with
 * who took it. Reads without a consumer group: where it got to in each partition is a resume mark of
 * its own trail, so a restart neither skips a decision nor audits one twice.
 */
final class BaselineDecisions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BaselineDecisions.class);
    static final String MARK = "anomalies-";

    private final AuditedPublisher bus;
    private final KafkaConsumer<String, AnomalyEvent> consumer;
    private final Thread reader;
    private volatile boolean open = true;

    BaselineDecisions(AuditedPublisher bus) {
        this.bus = bus;
        Map<String, Object> config = new HashMap<>(bus.kafka().clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "adapter-" + bus.adapterId() + "-baseline-decisions");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new AvroDeserializer<>(bus.registry(), AnomalyEvent.class));
        this.reader = new Thread(this::read, "baseline-decisions-" + bus.adapterId());
        reader.setDaemon(true);
    }

    void start() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < Topics.ANOMALIES.partitions(); p++) {
            partitions.add(new TopicPartition(Topics.ANOMALIES.name(), p));
        }
        consumer.assign(partitions);
        for (TopicPartition tp : partitions) {
            var mark = bus.resumeMark(MARK + tp.partition());
            if (mark.isPresent()) {
                consumer.seek(tp, Long.parseLong(mark.get()));
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
        reader.start();
    }

    private void read() {
        try {
            while (open) {
                for (ConsumerRecord<String, AnomalyEvent> record : consumer.poll(Duration.ofSeconds(1))) {
                    if (record.value() != null && record.value().getPayload() instanceof BaselineChanged change) {
                        audit(change, record);
                    }
                }
            }
        } catch (WakeupException e) {
            // Closing.
        } catch (RuntimeException e) {
            LOG.error("baseline decisions are no longer audited: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void audit(BaselineChanged change, ConsumerRecord<String, AnomalyEvent> record) {
        Map<String, String> details = new LinkedHashMap<>();
        if (change.getBehaviour() != null) {
            details.put("behaviour", change.getBehaviour());
        }
        details.put("eventId", record.value().getEventId());
        details.put(io.hypermesh.adapters.audit.AuditTrail.RESUME_PREFIX + MARK + record.partition(), Long.toString(record.offset() + 1));
        // Waited for: the next decision is audited only once this one is in the trail, so the marks only move forward.
        bus.audit(new AuditedPublisher.Action(change.getBy(), "baseline " + change.getAction().name().toLowerCase(Locale.ROOT),
                change.getWorkload(), io.hypermesh.events.audit.AuditOutcome.SUCCESS, details)).join();
    }

    @Override
    public void close() {
        open = false;
        consumer.wakeup();
    }
}
