package io.hypermesh.streams.health;

import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.health.HealthScore;
import io.hypermesh.events.health.HealthScoreEvent;
import io.hypermesh.events.health.HealthTransition;
import io.hypermesh.events.health.HealthTransitionEvent;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.HealthState;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.InvalidEventException;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The health fold: check results of {@code hypermesh.health.checks} become one {@link HealthState}
 * per component ({@link HealthRules}). Every new score is published to the compacted
 * {@code hypermesh.health.scores}; every status change to {@code hypermesh.health.transitions}.
 */
public final class HealthTopology {
    public static final String STORE = "health-components";

    private HealthTopology() {
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, settings, serdes, FoldMetrics.NONE);
        return builder.build();
    }

    /** @param metrics told of every check result applied */
    public static KTable<String, HealthState> addTo(StreamsBuilder builder, StreamsSettings settings, BusSerdes serdes,
            FoldMetrics metrics) {
        HealthRules rules = new HealthRules(settings.healthAlpha(), settings.latencyBudgetMs(), settings.anomalies().healthWeight());
        KStream<String, HealthCheckEvent> checks = builder.stream(Topics.HEALTH_CHECKS.name(),
                Consumed.with(Serdes.String(), serdes.of(HealthCheckEvent.class)).withName("health-checks"));
        KTable<String, HealthState> states = checks
                .mapValues(event -> InvalidEventException.present(event, Topics.HEALTH_CHECKS.name()), Named.as("health-checks-present"))
                .groupByKey()
                .aggregate(() -> null, (componentId, event, state) -> {
                    HealthCheckResult result = (HealthCheckResult) event.getPayload();
                    InvalidEventException.require(componentId != null && componentId.equals(result.getComponentId()),
                            "record key '" + componentId + "' is not the componentId '" + result.getComponentId() + "'");
                    InvalidEventException.require(result.getLatencyMs() >= 0 && Double.isFinite(result.getLatencyMs()),
                            "latencyMs must be a finite number >= 0, was " + result.getLatencyMs());
                    HealthState next = rules.next(state, result, event.getOccurredAt());
                    metrics.folded(Topics.HEALTH_CHECKS.name(), FoldMetrics.Outcome.APPLIED, event.getOccurredAt().toEpochMilli());
                    return next;
                }, Materialized.<String, HealthState, KeyValueStore<Bytes, byte[]>>as(STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(serdes.of(HealthState.class))
                        // Every update must reach the outputs: a cache would merge away transitions.
                        .withCachingDisabled());
        KStream<String, HealthState> updates = states.toStream();
        EventSource source = new EventSource(settings.applicationId(), ComponentKind.STREAMS);
        updates.mapValues(s -> Envelopes.wrap(Topics.HEALTH_SCORES, "score:" + s.getComponentId() + ":" + s.getSamples(), source,
                        s.getLastCheckAt(), new HealthScore(s.getComponentId(), (int) Math.round(s.getScore()), s.getStatus(),
                                s.getSamples(), s.getLastCheckAt())))
                .to(Topics.HEALTH_SCORES.name(), Produced.with(Serdes.String(), serdes.of(HealthScoreEvent.class)));
        updates.filter((id, s) -> s.getChangedFrom() != null)
                .mapValues(s -> Envelopes.wrap(Topics.HEALTH_TRANSITIONS, "transition:" + s.getComponentId() + ":" + s.getSamples(), source,
                        s.getLastCheckAt(), new HealthTransition(s.getComponentId(), s.getChangedFrom(), s.getStatus(),
                                (int) Math.round(s.getScore()), "check " + s.getLastCheckId()
                                + (s.getLastOutput() == null ? "" : ": " + s.getLastOutput()))))
                .to(Topics.HEALTH_TRANSITIONS.name(), Produced.with(Serdes.String(), serdes.of(HealthTransitionEvent.class)));
        return states;
    }
}
