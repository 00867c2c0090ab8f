package io.hypermesh.coordinator.run;

import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.events.LifecycleState;
import io.hypermesh.coordinator.spec.ComponentSpec;
import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.adapters.audit.AuditTrail;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.lifecycle.CommandAction;
import io.hypermesh.events.lifecycle.LifecycleCommand;
import io.hypermesh.events.lifecycle.LifecycleCommandEvent;
import io.hypermesh.events.lifecycle.LifecycleEvent;
import io.hypermesh.events.lifecycle.PhaseProgress;
import io.hypermesh.events.lifecycle.PhaseState;
import io.hypermesh.schemas.topics.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts a platform in seven phases. Within a phase, components start in dependency order, those
 * whose dependencies are settled all at once; each step waits for the component's own report in
 * the lifecycle fold, within its start timeout. A required component that fails or times out rolls
 * back everything started, in reverse order; an optional one leaves the platform DEGRADED. A
 * coordinator taking over reads the fold first: what already runs is not started again, and what
 * is starting is waited for, not commanded twice. Every command and every outcome is audited.
 */
public final class Coordinator {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);
    private static final Set<LifecycleState> SETTLED_UP = java.util.EnumSet.of(LifecycleState.RUNNING, LifecycleState.DEGRADED);

    /** How a run ended. */
    public enum Result { RUNNING, DEGRADED, ROLLED_BACK }

    public record Outcome(Result result, List<String> reasons, List<String> rolledBack) {
    }

    private record Step(String componentId, boolean up, String reason) {
    }

    private final PlatformSpec spec;
    private final CoordinatorLease lease;
    private final LifecycleWatcher fold;
    private final ProgressListener progress;
    private final String coordinatorId;
    private final java.util.function.Supplier<AuditTrail> trailOnceActive;
    private AuditTrail audit;
    /** Components commanded to start (or found started), in the order they came up: rollback goes backwards. */
    private final List<String> started = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Step> outcomes = new ConcurrentHashMap<>();
    private long epoch;

    public Coordinator(PlatformSpec spec, CoordinatorLease lease, LifecycleWatcher fold,
                       ProgressListener progress, String coordinatorId, java.util.function.Supplier<AuditTrail> trailOnceActive) {
        this.spec = spec;
        this.lease = lease;
        this.fold = fold;
        this.progress = progress;
        this.coordinatorId = coordinatorId;
        this.trailOnceActive = trailOnceActive;
    }

    /** Waits to become the active coordinator, then runs the phases. */
    public Outcome run(Duration electionTimeout) throws InterruptedException {
        epoch = lease.acquire(electionTimeout);
        // Continued from the log only now: the lease's producer has fenced any earlier writer of it.
        audit = trailOnceActive.get();
        progress.active(epoch);
        List<String> degraded = new ArrayList<>();
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            for (int phase = 1; phase <= PlatformSpec.PHASES; phase++) {
                List<ComponentSpec> components = spec.phase(phase);
                if (components.isEmpty()) {
                    continue;
                }
                reportPhase(phase, 0, components.size(), PhaseState.RUNNING);
                List<ComponentSpec> remaining = new ArrayList<>(components);
                int done = 0;
                while (!remaining.isEmpty()) {
                    List<ComponentSpec> wave = remaining.stream()
                            .filter(c -> c.dependencies().stream().allMatch(outcomes::containsKey)).toList();
                    remaining.removeAll(wave);
                    List<Future<Step>> running = new ArrayList<>();
                    for (ComponentSpec c : wave) {
                        running.add(pool.submit(() -> start(c)));
                    }
                    List<Step> failedRequired = new ArrayList<>();
                    for (int i = 0; i < wave.size(); i++) {
                        Step step;
                        try {
                            step = running.get(i).get();
                        } catch (java.util.concurrent.ExecutionException e) {
                            if (e.getCause() instanceof LostLeadershipException lost) {
                                throw lost;
                            }
                            step = new Step(wave.get(i).id(), false, "coordinator error: " + e.getCause());
                        }
                        outcomes.put(step.componentId(), step);
                        done++;
                        if (!step.up()) {
                            if (wave.get(i).optional()) {
                                degraded.add(step.componentId() + ": " + step.reason());
                            } else {
                                failedRequired.add(step);
                            }
                        }
                    }
                    if (!remaining.isEmpty()) {
                        reportPhase(phase, done, components.size(), PhaseState.RUNNING);
                    }
                    if (!failedRequired.isEmpty()) {
                        List<String> reasons = failedRequired.stream().map(s -> s.componentId() + ": " + s.reason()).toList();
                        reportPhase(phase, done, components.size(), PhaseState.FAILED);
                        return new Outcome(Result.ROLLED_BACK, reasons, rollback(phase, reasons));
                    }
                }
                boolean phaseDegraded = components.stream().anyMatch(c -> !outcomes.get(c.id()).up());
                reportPhase(phase, components.size(), components.size(), phaseDegraded ? PhaseState.DEGRADED : PhaseState.COMPLETED);
            }
            return new Outcome(degraded.isEmpty() ? Result.RUNNING : Result.DEGRADED, degraded, List.of());
        } finally {
            pool.shutdownNow();
            seal();
        }
    }

    private Step start(ComponentSpec c) throws InterruptedException {
        for (String dependency : c.requires()) {
            Step d = outcomes.get(dependency);
            if (d != null && !d.up()) {
                String reason = "required dependency '" + dependency + "' is not running";
                progress.component(c.id(), "FAILED", reason);
                auditOnly("component.skipped", c.id(), AuditOutcome.FAILURE, reason);
                return new Step(c.id(), false, reason);
            }
        }
        long deadline = System.nanoTime() + c.startTimeout().toNanos();
        var known = fold.await(c.id(), v -> v.state() != LifecycleState.UNINITIALIZED && v.state() != LifecycleState.INITIALIZING,
                deadline);
        if (known.isEmpty()) {
            return timedOut(c, "never reported READY" + fold.problem().map(p -> "; " + p).orElse(""));
        }
        LifecycleState state = known.get().state();
        if (SETTLED_UP.contains(state)) {
            // Started by a coordinator before us: do not start it twice.
            started.add(c.id());
            progress.component(c.id(), state.name(), "already " + state.name().toLowerCase());
            auditOnly("component.adopted", c.id(), AuditOutcome.OBSERVED, state.name());
            return new Step(c.id(), true, null);
        }
        // A component already starting on a predecessor's command is waited for, not commanded again.
        String commandId = state == LifecycleState.STARTING && "START".equals(known.get().lastCommand()) ? null : command(c,
                CommandAction.START);
        started.add(c.id());
        progress.component(c.id(), "STARTING", null);
        var settled = fold.await(c.id(), v -> answers(v, commandId) && (SETTLED_UP.contains(v.state())
                || v.state() == LifecycleState.FAILED), deadline);
        if (settled.isEmpty()) {
            return timedOut(c, "still " + fold.current(c.id()).map(v -> v.state().name()).orElse("unknown")
                    + fold.problem().map(p -> "; " + p).orElse(""));
        }
        String settledState = settled.get().state().name();
        boolean up = SETTLED_UP.contains(settled.get().state());
        String reason = up ? null : settled.get().reason();
        progress.component(c.id(), settledState, reason);
        auditOnly("component." + settledState.toLowerCase(), c.id(), up ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
                reason == null ? "" : reason);
        return new Step(c.id(), up, reason == null ? settledState : reason);
    }

    private Step timedOut(ComponentSpec c, String detail) {
        String reason = "timed out after " + c.startTimeout().toMillis() + " ms (" + detail + ")";
        progress.component(c.id(), "TIMED OUT", reason);
        auditOnly("component.timeout", c.id(), AuditOutcome.FAILURE, reason);
        return new Step(c.id(), false, reason);
    }

    /** Stops everything started, newest first; returns the ids in the order they were rolled back. */
    private List<String> rollback(int failedPhase, List<String> reasons) throws InterruptedException {
        List<String> order = new ArrayList<>(started);
        Collections.reverse(order);
        for (int phase = failedPhase; phase >= 1; phase--) {
            reportPhase(phase, 0, 0, PhaseState.ROLLING_BACK);
        }
        LOG.warn("rolling back {} component(s) because {}", order.size(), reasons);
        for (String id : order) {
            ComponentSpec c = spec.components().get(id);
            String commandId = command(c, CommandAction.ROLLBACK);
            long deadline = System.nanoTime() + c.stopTimeout().toNanos();
            var stopped = fold.await(id, v -> answers(v, commandId) && java.util.EnumSet.of(LifecycleState.STOPPED, LifecycleState.READY,
                    LifecycleState.FAILED).contains(v.state()), deadline);
            progress.component(id, stopped.map(v -> v.state().name()).orElse("STOP TIMED OUT"), "rollback");
            auditOnly("component.rolled_back", id, stopped.isPresent() ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
                    stopped.map(v -> v.state().name()).orElse("stop timed out"));
        }
        for (int phase = failedPhase; phase >= 1; phase--) {
            if (!spec.phase(phase).isEmpty()) {
                reportPhase(phase, 0, spec.phase(phase).size(), PhaseState.ROLLED_BACK);
            }
        }
        return order;
    }

    /** Whether the fold's view already reflects our command (a state from before it would mislead). */
    private static boolean answers(LifecycleWatcher.ComponentView v, String commandId) {
        return commandId == null || commandId.equals(v.lastCommandId());
    }

    private String command(ComponentSpec c, CommandAction action) {
        String commandId = coordinatorId + "-" + epoch + "-" + UUID.randomUUID().toString().substring(0, 8);
        LifecycleCommandEvent event = Envelopes.wrap(Topics.LIFECYCLE_COMMANDS, source(), new LifecycleCommand(commandId, c.id(), action,
                c.phase(), epoch, Instant.now().plus(action == CommandAction.START ? c.startTimeout() : c.stopTimeout())));
        Map<String, String> details = new LinkedHashMap<>();
        details.put("commandId", commandId);
        details.put("epoch", Long.toString(epoch));
        List<ProducerRecord<String, SpecificRecord>> records = new ArrayList<>();
        records.add(new ProducerRecord<>(Topics.LIFECYCLE_COMMANDS.name(), c.id(), event));
        records.addAll(audited("command." + action.name().toLowerCase(), c.id(), AuditOutcome.SUCCESS, details));
        lease.send(records);
        return commandId;
    }

    /** A signed checkpoint over whatever this run audited after the last one, so the trail ends sealed. */
    private void seal() {
        if (!audit.unsealed()) {
            return;
        }
        try {
            lease.send(List.of(auditRecord(audit.checkpoint())));
        } catch (RuntimeException e) {
            LOG.warn("{} could not seal its audit trail: {}", coordinatorId, e.getMessage());
        }
    }

    private void auditOnly(String action, String target, AuditOutcome outcome, String detail) {
        lease.send(audited(action, target, outcome, Map.of("detail", detail)));
    }

    private List<ProducerRecord<String, SpecificRecord>> audited(String action, String target, AuditOutcome outcome, Map<String,
            String> details) {
        List<ProducerRecord<String, SpecificRecord>> out = new ArrayList<>();
        for (SpecificRecord payload : audit.append(coordinatorId, action, target, outcome, details).events()) {
            out.add(auditRecord(payload));
        }
        return out;
    }

    private ProducerRecord<String, SpecificRecord> auditRecord(SpecificRecord payload) {
        return new ProducerRecord<>(Topics.AUDIT.name(), coordinatorId, Envelopes.wrap(Topics.AUDIT, source(), payload));
    }

    private void reportPhase(int phase, int done, int total, PhaseState state) {
        progress.phase(phase, spec.phaseName(phase), done, total, state);
        LifecycleEvent event = Envelopes.wrap(Topics.LIFECYCLE, source(), new PhaseProgress(phase, spec.phaseName(phase), done, total,
                state));
        lease.send(List.of(new ProducerRecord<>(Topics.LIFECYCLE.name(), "phase-" + phase, event)));
    }

    private EventSource source() {
        return new EventSource(coordinatorId, ComponentKind.COORDINATOR);
    }
}
