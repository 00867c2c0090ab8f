package io.hypermesh.schemas.topics;

import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.audit.AuditEvent;
import io.hypermesh.events.connect.ConnectEvent;
import io.hypermesh.events.connect.DecisionEvent;
import io.hypermesh.events.consensus.ConsensusEvent;
import io.hypermesh.events.container.ContainerEvent;
import io.hypermesh.events.deadletter.DeadLetterEvent;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthScoreEvent;
import io.hypermesh.events.health.HealthTransitionEvent;
import io.hypermesh.events.kv.KvEvent;
import io.hypermesh.events.lifecycle.LifecycleCommandEvent;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricScoreEvent;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.security.SecurityEvent;
import io.hypermesh.events.transport.TransportEvent;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.schemas.serde.AvroTrust;
import org.apache.kafka.common.config.TopicConfig;

import org.apache.avro.specific.SpecificRecord;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The topic catalog: every topic of the bus is declared here once. */
public final class Topics {
    static {
        // Every part of the bus names its topics here before it builds or reads an event, so the
        // contract trusts its own generated classes here (and in the serdes, for outside clients).
        AvroTrust.install();
    }

    private static final short RF = 3;
    private static final String DELETE = TopicConfig.CLEANUP_POLICY_DELETE;
    private static final String COMPACT = TopicConfig.CLEANUP_POLICY_COMPACT;

    public static final TopicSpec<RegistryEvent> REGISTRY = new TopicSpec<>("hypermesh.registry", 3, RF, DELETE, days(7),
            RegistryEvent.class);
    public static final TopicSpec<HealthCheckEvent> HEALTH_CHECKS = new TopicSpec<>("hypermesh.health.checks", 3, RF, DELETE, days(1),
            HealthCheckEvent.class);
    public static final TopicSpec<HealthScoreEvent> HEALTH_SCORES = new TopicSpec<>("hypermesh.health.scores", 3, RF, COMPACT,
            TopicSpec.RETAIN_FOREVER, HealthScoreEvent.class);
    public static final TopicSpec<HealthTransitionEvent> HEALTH_TRANSITIONS = new TopicSpec<>("hypermesh.health.transitions", 3, RF,
            DELETE, days(30), HealthTransitionEvent.class);
    public static final TopicSpec<LifecycleEvent> LIFECYCLE = new TopicSpec<>("hypermesh.lifecycle", 3, RF, DELETE, days(30),
            LifecycleEvent.class);
    public static final TopicSpec<LifecycleCommandEvent> LIFECYCLE_COMMANDS = new TopicSpec<>("hypermesh.lifecycle.commands", 3, RF,
            DELETE, days(30), LifecycleCommandEvent.class);
    public static final TopicSpec<AuditEvent> AUDIT = new TopicSpec<>("hypermesh.audit", 3, RF, DELETE, TopicSpec.RETAIN_FOREVER,
            AuditEvent.class);
    public static final TopicSpec<SecurityEvent> SECURITY = new TopicSpec<>("hypermesh.security", 3, RF, DELETE, days(30),
            SecurityEvent.class);
    public static final TopicSpec<ContainerEvent> CONTAINERS = new TopicSpec<>("hypermesh.containers", 3, RF, DELETE, days(7),
            ContainerEvent.class);
    public static final TopicSpec<ConsensusEvent> CONSENSUS = new TopicSpec<>("hypermesh.consensus", 3, RF, DELETE, days(7),
            ConsensusEvent.class);
    public static final TopicSpec<TransportEvent> TRANSPORT = new TopicSpec<>("hypermesh.transport", 3, RF, DELETE, days(7),
            TransportEvent.class);
    /** Numeric samples any component may write, keyed by series key; the anomaly fold judges each one. */
    public static final TopicSpec<MetricEvent> METRICS = new TopicSpec<>("hypermesh.metrics", 3, RF, DELETE, days(7), MetricEvent.class);
    /** Every sample as the anomaly fold judged it: score and expected band, in the series' order. */
    public static final TopicSpec<MetricScoreEvent> METRIC_SCORES = new TopicSpec<>("hypermesh.metrics.scores", 3, RF, DELETE, days(1),
            MetricScoreEvent.class);
    /** Anomalies opened and cleared, keyed by subject (series key or workload). */
    public static final TopicSpec<AnomalyEvent> ANOMALIES = new TopicSpec<>("hypermesh.anomalies", 3, RF, DELETE, days(30),
            AnomalyEvent.class);
    /**
     * Connect policy: intentions and the CA's configuration, the latest event of each key being its
     * state. One partition, so every instance applies changes in one order.
     */
    public static final TopicSpec<ConnectEvent> INTENTIONS = new TopicSpec<>("hypermesh.intentions", 1, RF, COMPACT,
            TopicSpec.RETAIN_FOREVER, ConnectEvent.class);
    /** Authorization decisions, as configured (all, sampled, denials); keyed by destination. */
    public static final TopicSpec<DecisionEvent> DECISIONS = new TopicSpec<>("hypermesh.decisions", 3, RF, DELETE, days(7),
            DecisionEvent.class);
    /**
     * Consul KV and sessions: requests in one order (one partition), decided by the KV fold, so a
     * transaction over any keys is whole or nothing and two contenders for a lock never both win.
     * Kept forever: the log is every key's history and who changed it.
     */
    public static final TopicSpec<KvEvent> KV = new TopicSpec<>("hypermesh.kv", 1, RF, DELETE, TopicSpec.RETAIN_FOREVER,
            KvEvent.class);
    /** Folded registry state, one record per live instance; tombstones when one leaves. */
    public static final TopicSpec<ServiceInstance> REGISTRY_STATE = new TopicSpec<>("hypermesh.registry.state", 3, RF, COMPACT,
            TopicSpec.RETAIN_FOREVER, ServiceInstance.class);
    public static final TopicSpec<DeadLetterEvent> DEAD_LETTERS = new TopicSpec<>("hypermesh.deadletters", 1, RF, DELETE, days(30),
            DeadLetterEvent.class);

    /** The schema registry's own log: one partition so every instance applies entries in one order. */
    public static final TopicSpec<SpecificRecord> SCHEMAS = new TopicSpec<>("_schemas", 1, RF, COMPACT, TopicSpec.RETAIN_FOREVER, null);

    /** Every event topic, in a fixed order. */
    public static final List<TopicSpec<?>> EVENT_TOPICS = List.of(REGISTRY, HEALTH_CHECKS, HEALTH_SCORES, HEALTH_TRANSITIONS,
            LIFECYCLE, LIFECYCLE_COMMANDS, AUDIT, SECURITY, CONTAINERS, CONSENSUS, TRANSPORT, METRICS, METRIC_SCORES,
            ANOMALIES, INTENTIONS, DECISIONS, KV, DEAD_LETTERS);

    /** Coordinator leadership: one partition, its consumer group elects the active coordinator; holds the epoch. */
    public static final TopicSpec<SpecificRecord> COORDINATOR = new TopicSpec<>("hypermesh.coordinator", 1, RF, COMPACT,
            TopicSpec.RETAIN_FOREVER, null);

    /** Topics holding folded state or coordination rather than events. */
    public static final List<TopicSpec<?>> STATE_TOPICS = List.of(REGISTRY_STATE, COORDINATOR);

    /** Everything `hypermesh up` creates. */
    public static final List<TopicSpec<?>> ALL = java.util.stream.Stream.concat(EVENT_TOPICS.stream(), STATE_TOPICS.stream()).toList();

    private Topics() {
    }

    public static Optional<TopicSpec<?>> byName(String name) {
        return EVENT_TOPICS.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    private static long days(int n) {
        return Duration.ofDays(n).toMillis();
    }
}
