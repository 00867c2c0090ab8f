package io.hypermesh.streams.anomaly;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.anomaly.AnomalyCleared;
import io.hypermesh.events.anomaly.AnomalyDetected;
import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.anomaly.AnomalySubject;
import io.hypermesh.events.anomaly.BaselineChanged;
import io.hypermesh.events.security.SecurityAlert;
import io.hypermesh.events.security.SecurityEvent;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.AnomalyRecord;
import io.hypermesh.state.WorkloadState;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.FoldMetrics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Workload baselines, as StackRox keeps process baselines: for its learning period (from its first
 * event, in event time) a workload's behaviours ({@link Behaviours}) are learned; after it, or once
 * locked, a behaviour never seen opens an anomaly at its first event, once. A person's decisions
 * ({@link BaselineChanged} on {@code hypermesh.anomalies}) lock, unlock or accept: an accepted behaviour is learned
 * and its anomaly clears.
 */
final class WorkloadJudge implements Processor<String, SpecificRecord, String, SpecificRecord> {
    static final String DETECTOR = "workload-baseline";
    static final int LISTED = 200;
    static final int OPEN_KEPT = 100;
    /**
     * Behaviours a filter takes: past them it would answer "seen" for almost anything (1 in 125 at this many), so a
     * workload flooding distinct behaviours while it learns could hide what it does next. Past it nothing more is learned:
     * what is new is flagged.
     */
    static final int CAPACITY = 10_000;
    static final int UNFLAGGED_WRITES = 1_000;

    private final AnomalySettings settings;
    private final EventSource source;
    private final ChangeSignal changes;
    private final FoldMetrics metrics;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, WorkloadState> workloads;
    private KeyValueStore<String, byte[]> filters;
    private KeyValueStore<String, AnomalyRecord> records;
    /** Behaviours not flagged yet to be counted in the state, by workload (at most a thousand each; a restart drops them). */
    private final Map<String, Long> unflagged = new HashMap<>();

    WorkloadJudge(AnomalySettings settings, String applicationId, ChangeSignal changes, FoldMetrics metrics) {
        this.settings = settings;
        this.source = new EventSource(applicationId, ComponentKind.STREAMS);
        this.changes = changes;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.workloads = context.getStateStore(AnomalyTopology.WORKLOADS_STORE);
        this.filters = context.getStateStore(AnomalyTopology.FILTERS_STORE);
        this.records = context.getStateStore(AnomalyTopology.RECORDS_STORE);
        unflagged.clear();
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (record.value() instanceof SecurityEvent event && event.getPayload() instanceof SecurityAlert alert) {
            Behaviours.Seen seen = Behaviours.of(alert);
            long at = event.getOccurredAt().toEpochMilli();
            for (String behaviour : seen.behaviours()) {
                observe(seen.workload(), behaviour, at);
            }
        } else if (record.value() instanceof AnomalyEvent event && event.getPayload() instanceof BaselineChanged change) {
            decide(change, event.getOccurredAt().toEpochMilli());
        }
    }

    private WorkloadState stateOf(String workload, long at) {
        WorkloadState state = workloads.get(workload);
        return state != null ? state : WorkloadState.newBuilder().setWorkload(workload).setFirstAt(Instant.ofEpochMilli(at))
                .setLearnUntil(Instant.ofEpochMilli(at + settings.workloadLearnFor().toMillis())).setLearned(0).setFlagged(0)
                .setBehaviours(List.of()).setOpen(Map.of()).setLastAt(Instant.ofEpochMilli(at)).build();
    }

    private void observe(String workload, String behaviour, long at) {
        WorkloadState state = stateOf(workload, at);
        Map<Integer, byte[]> blocks = blocksOf(workload, behaviour);
        boolean seen = seen(blocks, behaviour);
        // Accepted once the filter was full, a behaviour is known by the list alone.
        if (seen || state.getOpen().containsKey(behaviour) || state.getBehaviours().contains(behaviour)) {
            return;
        }
        state.setLastAt(Instant.ofEpochMilli(at));
        boolean full = state.getFiltered() >= CAPACITY;
        boolean learning = !full && !state.getLocked() && (state.getUnlocked() || at < state.getLearnUntil().toEpochMilli());
        if (learning) {
            learn(state, behaviour, blocks);
            list(state, behaviour);
        } else if (state.getOpen().size() >= OPEN_KEPT) {
            // A hundred new behaviours wait for a person: more flags would be a storm, not news. Counted, and written
            // once in a thousand: a flood must not cost a state write per event.
            long pending = unflagged.merge(workload, 1L, Long::sum);
            if (pending < UNFLAGGED_WRITES) {
                return;
            }
            unflagged.remove(workload);
            state.setUnflagged(state.getUnflagged() + pending);
        } else {
            if (!full) {
                learn(state, behaviour, blocks);
            }
            flag(state, behaviour, at);
        }
        workloads.put(workload, state);
        if (changes != null) {
            changes.ring(ChangeSignal.workload(workload));
        }
    }

    /** The filter blocks a behaviour's bits fall in, as stored (null where a block was never written). */
    private Map<Integer, byte[]> blocksOf(String workload, String behaviour) {
        Map<Integer, byte[]> blocks = new HashMap<>();
        for (int bit : BehaviourFilter.bits(behaviour)) {
            blocks.computeIfAbsent(BehaviourFilter.blockOf(bit), b -> filters.get(AnomalyTopology.filterKey(workload, b)));
        }
        return blocks;
    }

    private static boolean seen(Map<Integer, byte[]> blocks, String behaviour) {
        for (int bit : BehaviourFilter.bits(behaviour)) {
            if (!BehaviourFilter.isSet(blocks.get(BehaviourFilter.blockOf(bit)), bit)) {
                return false;
            }
        }
        return true;
    }

    private void learn(WorkloadState state, String behaviour, Map<Integer, byte[]> blocks) {
        String workload = state.getWorkload();
        state.setFiltered(state.getFiltered() + 1);
        for (int bit : BehaviourFilter.bits(behaviour)) {
            int b = BehaviourFilter.blockOf(bit);
            byte[] block = blocks.get(b);
            if (block == null) {
                block = new byte[BehaviourFilter.BLOCK_BYTES];
                blocks.put(b, block);
            }
            BehaviourFilter.set(block, bit);
        }
        blocks.forEach((b, block) -> filters.put(AnomalyTopology.filterKey(workload, b), block));
    }

    private static void list(WorkloadState state, String behaviour) {
        state.setLearned(state.getLearned() + 1);
        if (state.getBehaviours().size() < LISTED) {
            List<String> listed = new ArrayList<>(state.getBehaviours());
            listed.add(behaviour);
            state.setBehaviours(listed);
        }
    }

    private void flag(WorkloadState state, String behaviour, long at) {
        String workload = state.getWorkload();
        state.setFlagged(state.getFlagged() + 1);
        String id = workload + "@" + state.getFlagged();
        Map<String, String> open = new LinkedHashMap<>(state.getOpen());
        open.put(behaviour, id);
        state.setOpen(open);
        String cause = "new behaviour of workload " + workload + ": " + behaviour;
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("behaviour", behaviour);
        evidence.put("learned", Long.toString(state.getLearned()));
        evidence.put("learnedUntil", state.getLearnUntil().toString());
        evidence.put("locked", Boolean.toString(state.getLocked() || !state.getUnlocked()));
        AnomalyTopology.keep(records, workload, new AnomalyRecord(id, workload, DETECTOR, Instant.ofEpochMilli(at), state.getFlagged(),
                null, null, null, null, 1.0, cause, evidence));
        emit(workload, id + ":detected", at, new AnomalyDetected(id, workload, AnomalySubject.WORKLOAD, null, null, null, 1.0, DETECTOR,
                cause, evidence));
        metrics.anomaly(DETECTOR, true);
    }

    private void decide(BaselineChanged change, long at) {
        String workload = change.getWorkload();
        WorkloadState state = stateOf(workload, at);
        switch (change.getAction()) {
            case LOCK -> {
                state.setLocked(true);
                state.setUnlocked(false);
            }
            case UNLOCK -> {
                state.setLocked(false);
                state.setUnlocked(true);
            }
            case ACCEPT -> accept(state, change.getBehaviour(), change.getBy(), at);
            default -> throw new IllegalStateException("unknown baseline action " + change.getAction());
        }
        workloads.put(workload, state);
        if (changes != null) {
            changes.ring(ChangeSignal.workload(workload));
            changes.ring(ChangeSignal.ANOMALIES);
        }
    }

    private void accept(WorkloadState state, String behaviour, String by, long at) {
        if (behaviour == null || behaviour.isBlank()) {
            return;
        }
        String workload = state.getWorkload();
        Map<Integer, byte[]> blocks = blocksOf(workload, behaviour);
        // A flagged behaviour went into the filter when it was flagged: counted there once.
        if (!seen(blocks, behaviour) && state.getFiltered() < CAPACITY) {
            learn(state, behaviour, blocks);
        }
        list(state, behaviour);
        Map<String, String> open = new LinkedHashMap<>(state.getOpen());
        String id = open.remove(behaviour);
        state.setOpen(open);
        if (id == null) {
            return;
        }
        long flaggedAs = Long.parseLong(id.substring(id.lastIndexOf('@') + 1));
        AnomalyRecord flagged = records.get(AnomalyTopology.recordKey(workload, flaggedAs));
        Instant openedAt = flagged != null ? flagged.getOpenedAt() : Instant.ofEpochMilli(at);
        if (flagged != null) {
            flagged.setClearedAt(Instant.ofEpochMilli(at));
            records.put(AnomalyTopology.recordKey(workload, flaggedAs), flagged);
        }
        emit(workload, id + ":cleared", at, new AnomalyCleared(id, workload, AnomalySubject.WORKLOAD, openedAt, null, 1L,
                "behaviour accepted by " + by));
    }

    private void emit(String workload, String eventId, long at, SpecificRecord payload) {
        context.forward(new Record<>(workload, Envelopes.wrap(Topics.ANOMALIES, eventId, source, Instant.ofEpochMilli(at), payload), at));
        if (changes != null) {
            changes.ring(ChangeSignal.ANOMALIES);
        }
    }
}
