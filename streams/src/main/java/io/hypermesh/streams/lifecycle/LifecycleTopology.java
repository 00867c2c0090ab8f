package io.hypermesh.streams.lifecycle;

import io.hypermesh.events.LifecycleState;
import io.hypermesh.events.lifecycle.ComponentHeartbeat;
import io.hypermesh.events.lifecycle.LifecycleCommand;
import io.hypermesh.events.lifecycle.LifecycleCommandEvent;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.lifecycle.LifecycleTransition;
import io.hypermesh.events.lifecycle.PhaseProgress;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.ComponentState;
import io.hypermesh.state.PhaseRun;
import io.hypermesh.state.PhaseStatus;
import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.InvalidEventException;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The lifecycle fold: component transitions and heartbeats ({@code hypermesh.lifecycle}) and
 * coordinator commands ({@code hypermesh.lifecycle.commands}) cogroup into one
 * {@link ComponentState} per component; re-grouped by phase they give each phase's progress as
 * counts of components per state. Commands from an older coordinator epoch than one already seen
 * are refused, so a fenced coordinator cannot rewrite what the active one ordered.
 */
public final class LifecycleTopology {
    public static final String COMPONENTS_STORE = "lifecycle-components";
    public static final String PHASES_STORE = "lifecycle-phases";
    /** The coordinator's reports by phase ("phase-N"), with each phase's start and end: {@link PhaseRun}. */
    public static final String PHASE_RUNS_STORE = "lifecycle-phase-runs";

    private LifecycleTopology() {
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, serdes);
        return builder.build();
    }

    /** The tables the query API serves: components by id, and counts per phase (updated after them, through a repartition). */
    public record Tables(KTable<String, ComponentState> components, KTable<String, PhaseStatus> phases, KTable<String, PhaseRun> runs) {
    }

    public static Tables addTo(StreamsBuilder builder, BusSerdes serdes) {
        return addTo(builder, serdes, FoldMetrics.NONE);
    }

    /** @param metrics told of every event and command applied */
    public static Tables addTo(StreamsBuilder builder, BusSerdes serdes, FoldMetrics metrics) {
        KStream<String, LifecycleEvent> all = builder.stream(Topics.LIFECYCLE.name(),
                        Consumed.with(Serdes.String(), serdes.of(LifecycleEvent.class)).withName("lifecycle-events"))
                .mapValues(event -> InvalidEventException.present(event, Topics.LIFECYCLE.name()), Named.as("lifecycle-events-present"));
        // Phase progress events are the coordinator's own report, not a component's state: they have a table of their own.
        KTable<String, PhaseRun> runs = all.filter((key, event) -> event.getPayload() instanceof PhaseProgress,
                Named.as("lifecycle-phase-reports"))
                .groupByKey()
                .aggregate(() -> null, (key, event, run) -> {
                    PhaseRun next = PhaseRuns.next(run, (PhaseProgress) event.getPayload(), event.getOccurredAt());
                    metrics.folded(Topics.LIFECYCLE.name(), FoldMetrics.Outcome.APPLIED, event.getOccurredAt().toEpochMilli());
                    return next;
                }, Materialized.<String, PhaseRun, KeyValueStore<Bytes, byte[]>>as(PHASE_RUNS_STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(serdes.of(PhaseRun.class)));
        KGroupedStream<String, LifecycleEvent> events = all
                .filter((key, event) -> !(event.getPayload() instanceof PhaseProgress), Named.as("lifecycle-component-events"))
                .groupByKey();
        KGroupedStream<String, LifecycleCommandEvent> commands = builder.stream(Topics.LIFECYCLE_COMMANDS.name(),
                Consumed.with(Serdes.String(), serdes.of(LifecycleCommandEvent.class)).withName("lifecycle-commands"))
                .mapValues(command -> InvalidEventException.present(command, Topics.LIFECYCLE_COMMANDS.name()),
                        Named.as("lifecycle-commands-present"))
                .groupByKey();
        KTable<String, ComponentState> components = events
                .cogroup((String id, LifecycleEvent event, ComponentState state) -> {
                    ComponentState next = applyEvent(id, event, state);
                    metrics.folded(Topics.LIFECYCLE.name(), FoldMetrics.Outcome.APPLIED, event.getOccurredAt().toEpochMilli());
                    return next;
                })
                .cogroup(commands, (String id, LifecycleCommandEvent command, ComponentState state) -> {
                    ComponentState next = applyCommand(id, command, state);
                    metrics.folded(Topics.LIFECYCLE_COMMANDS.name(), FoldMetrics.Outcome.APPLIED, command.getOccurredAt().toEpochMilli());
                    return next;
                })
                .aggregate(LifecycleTopology::unknownComponent,
                        Materialized.<String, ComponentState, KeyValueStore<Bytes, byte[]>>as(COMPONENTS_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(serdes.of(ComponentState.class)));
        KTable<String, PhaseStatus> phases = components
                .groupBy((id, state) -> KeyValue.pair(Integer.toString(state.getPhase()), state),
                        Grouped.with("lifecycle-by-phase", Serdes.String(), serdes.of(ComponentState.class)))
                .aggregate(() -> new PhaseStatus(0, 0, new HashMap<>()),
                        (phase, state, status) -> count(status, Integer.parseInt(phase), state, +1),
                        (phase, state, status) -> count(status, Integer.parseInt(phase), state, -1),
                        Materialized.<String, PhaseStatus, KeyValueStore<Bytes, byte[]>>as(PHASES_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(serdes.of(PhaseStatus.class)));
        return new Tables(components, phases, runs);
    }

    static ComponentState unknownComponent() {
        return ComponentState.newBuilder().setComponentId("").setPhase(0).setState(LifecycleState.UNINITIALIZED)
                .setUpdatedAt(Instant.EPOCH).build();
    }

    static ComponentState applyEvent(String componentId, LifecycleEvent event, ComponentState current) {
        ComponentState next = ComponentState.newBuilder(current).setComponentId(componentId).build();
        Object payload = event.getPayload();
        if (payload instanceof LifecycleTransition t) {
            InvalidEventException.require(componentId.equals(t.getComponentId()),
                    "record key '" + componentId + "' is not the componentId '" + t.getComponentId() + "'");
            InvalidEventException.require(t.getPhase() >= 1 && t.getPhase() <= 7, "phase must be 1..7, was " + t.getPhase());
            next.setPhase(t.getPhase());
            next.setState(t.getTo());
            next.setReason(t.getReason());
            next.setUpdatedAt(event.getOccurredAt());
        } else if (payload instanceof ComponentHeartbeat h) {
            next.setLastHeartbeatAt(event.getOccurredAt());
            if (current.getComponentId().isEmpty()) {
                next.setState(h.getState());
                next.setUpdatedAt(event.getOccurredAt());
            }
        }
        return next;
    }

    static ComponentState applyCommand(String componentId, LifecycleCommandEvent event, ComponentState current) {
        LifecycleCommand command = (LifecycleCommand) event.getPayload();
        InvalidEventException.require(command.getCoordinatorEpoch() >= current.getCoordinatorEpoch(),
                "command " + command.getCommandId() + " from coordinator epoch " + command.getCoordinatorEpoch()
                        + " after epoch " + current.getCoordinatorEpoch() + " was seen: a fenced coordinator");
        ComponentState next = ComponentState.newBuilder(current).setComponentId(componentId)
                .setLastCommandId(command.getCommandId()).setLastCommandAction(command.getAction().name())
                .setCoordinatorEpoch(command.getCoordinatorEpoch()).build();
        if (current.getPhase() == 0) {
            next.setPhase(command.getPhase());
        }
        return next;
    }

    private static PhaseStatus count(PhaseStatus status, int phase, ComponentState state, int delta) {
        Map<String, Integer> counts = new HashMap<>(status.getCountsByState());
        counts.merge(state.getState().name(), delta, Integer::sum);
        counts.values().removeIf(n -> n == 0);
        return new PhaseStatus(phase, status.getTotal() + delta, counts);
    }
}
