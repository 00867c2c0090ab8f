package io.hypermesh.streams.metrics;

import io.hypermesh.streams.FoldMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.hypermesh.schemas.topics.Topics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link FoldMetrics} as Prometheus families: {@code hypermesh_events_folded_total},
 * {@code hypermesh_propagation_seconds} (a histogram per fold, from the event's occurredAt to its
 * application) and {@code hypermesh_dead_letters_total}. The meters of a topic are looked up once;
 * the stream thread then only adds.
 */
public final class FoldMeters implements FoldMetrics {
    /** From a millisecond to a minute: the idle path takes a few ms, a backlog seconds. */
    private static final Duration[] PROPAGATION_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;
    private final java.util.function.LongSupplier clock;
    private final Map<String, TopicMeters> byTopic = new ConcurrentHashMap<>();
    private final Map<String, Timer> propagationByFold = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, Counter> anomalies = new ConcurrentHashMap<>();

    public FoldMeters(MeterRegistry registry) {
        this(registry, System::currentTimeMillis);
    }

    /** @param clock epoch millis, what an event's time is measured against (a test's fixed clock) */
    FoldMeters(MeterRegistry registry, java.util.function.LongSupplier clock) {
        this.clock = clock;
        this.registry = registry;
        // The folds' topics start at 0, so the first dead letter is an increase Prometheus sees, not a new series.
        for (String topic : List.of(Topics.REGISTRY.name(), Topics.HEALTH_CHECKS.name(), Topics.LIFECYCLE.name(),
                Topics.LIFECYCLE_COMMANDS.name())) {
            byTopic.put(topic, new TopicMeters(topic));
            for (DeadLetterReason reason : DeadLetterReason.values()) {
                deadLetterCounter(topic, reason);
            }
        }
        anomalyCounter(io.hypermesh.streams.anomaly.AnomalyTopology.SERIES_DETECTOR);
    }

    @Override
    public void anomaly(String detector, boolean opened) {
        if (opened) {
            anomalyCounter(detector).increment();
        }
    }

    private Counter anomalyCounter(String detector) {
        return anomalies.computeIfAbsent(detector, d -> Counter.builder("hypermesh.anomalies")
                .description("Anomalies this instance's folds opened, by detector").tag("detector", d).register(registry));
    }

    @Override
    public void folded(String topic, Outcome outcome, long occurredAtMillis) {
        // A punctuation's failure has no source topic: a null key would throw inside the handler.
        TopicMeters meters = byTopic.computeIfAbsent(topic == null ? "unknown" : topic, TopicMeters::new);
        meters.outcomes[outcome.ordinal()].increment();
        if (occurredAtMillis >= 0 && outcome == Outcome.APPLIED) {
            // A producer's clock ahead of ours would give a negative time: it counts as none.
            meters.propagation.record(Math.max(0, clock.getAsLong() - occurredAtMillis), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void deadLettered(String topic, DeadLetterReason reason) {
        deadLetterCounter(topic == null ? "unknown" : topic, reason).increment();
    }

    private Counter deadLetterCounter(String topic, DeadLetterReason reason) {
        return deadLetters.computeIfAbsent(topic + '\n' + reason, k -> Counter.builder("hypermesh.dead.letters")
                .description("Records this instance sent to the dead-letter topic, by the topic they came from and why")
                .tag("topic", topic).tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry));
    }

    private final class TopicMeters {
        final Counter[] outcomes = new Counter[Outcome.values().length];
        final Timer propagation;

        TopicMeters(String topic) {
            String fold = FoldMetrics.foldOf(topic);
            for (Outcome o : Outcome.values()) {
                outcomes[o.ordinal()] = Counter.builder("hypermesh.events.folded")
                        .description("Events the folds of this instance took, by fold, topic and how each ended")
                        .tag("fold", fold).tag("topic", topic).tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT))
                        .register(registry);
            }
            propagation = propagationByFold.computeIfAbsent(fold, f -> Timer.builder("hypermesh.propagation")
                    .description("Time from an event's occurredAt to its application by the fold")
                    .tag("fold", f)
                    .serviceLevelObjectives(PROPAGATION_BUCKETS)
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry));
        }
    }
}
