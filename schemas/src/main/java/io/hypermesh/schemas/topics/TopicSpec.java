package io.hypermesh.schemas.topics;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;

import java.util.Map;
import java.util.TreeMap;

/**
 * A topic as the catalog declares it, typed by its values: every bus topic is keyed by a string
 * (the entity it is about) and {@code V} is the envelope record every value is. {@code valueType}
 * is null for topics whose values are not Avro events (the registry's log, the coordinator's).
 */
public record TopicSpec<V extends SpecificRecord>(String name, int partitions, short replicationFactor, String cleanupPolicy,
                                                  long retentionMs, Class<V> valueType) {

    public static final long RETAIN_FOREVER = -1L;

    public TopicSpec {
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions and replication must be >= 1");
        }
    }

    public boolean compacted() {
        return cleanupPolicy.contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /** Subject under the default (topic name) strategy, as any Confluent-compatible client uses. */
    public String valueSubject() {
        return name + "-value";
    }

    public Schema valueSchema() {
        if (valueType == null) {
            throw new IllegalStateException("topic " + name + " carries no Avro envelope");
        }
        return SpecificData.get().getSchema(valueType);
    }

    /** Broker configs the catalog owns; anything else on the topic is left to operators. */
    public Map<String, String> configs(short effectiveReplication) {
        Map<String, String> configs = new TreeMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy);
        if (!compacted()) {
            configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs));
        }
        configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.max(1, effectiveReplication - 1)));
        return configs;
    }
}
