package io.hypermesh.streams.lifecycle;

import io.hypermesh.events.lifecycle.PhaseProgress;
import io.hypermesh.events.lifecycle.PhaseState;
import io.hypermesh.state.PhaseRun;
import io.hypermesh.streams.InvalidEventException;

import java.time.Duration;
import java.time.Instant;

/** One phase's runs from the coordinator's reports: a run starts when the phase goes RUNNING and ends in a final state. */
public final class PhaseRuns {
    private PhaseRuns() {
    }

    /** The run after {@code report}, which occurred at {@code at}; {@code run} is null for the phase's first report. */
    static PhaseRun next(PhaseRun run, PhaseProgress report, Instant at) {
        InvalidEventException.require(report.getPhase() >= 1 && report.getPhase() <= 7, "phase must be 1..7, was " + report.getPhase());
        PhaseState state = report.getState();
        PhaseRun.Builder next = run == null
                ? PhaseRun.newBuilder().setStartedAt(at).setEndedAt(null)
                : PhaseRun.newBuilder(run);
        boolean wasRunning = run != null && PhaseState.RUNNING.name().equals(run.getState());
        if (state == PhaseState.RUNNING && !wasRunning) {
            next.setStartedAt(at).setEndedAt(null);
        } else if (ended(state)) {
            next.setEndedAt(at);
        } else if (state == PhaseState.ROLLING_BACK) {
            next.setEndedAt(null);
        }
        return next.setPhase(report.getPhase()).setName(report.getName()).setState(state.name())
                .setCompleted(report.getCompleted()).setTotal(report.getTotal()).setUpdatedAt(at).build();
    }

    static boolean ended(PhaseState state) {
        return state == PhaseState.COMPLETED || state == PhaseState.DEGRADED || state == PhaseState.FAILED
                || state == PhaseState.ROLLED_BACK;
    }

    /** How long the phase's current run took, or has taken by {@code now} while it goes on. */
    public static Duration duration(PhaseRun run, Instant now) {
        Instant start = run.getStartedAt();
        Instant end = run.getEndedAt() != null ? run.getEndedAt() : now;
        return start == null || end.isBefore(start) ? Duration.ZERO : Duration.between(start, end);
    }

    /** The platform's states: its phases' (PhaseRun states), with STARTING while a start is under way. */
    public static final java.util.List<String> PLATFORM_STATES = java.util.List.of("PENDING", "STARTING", "RUNNING", "DEGRADED", "FAILED",
            "ROLLING_BACK", "ROLLED_BACK");

    /**
     * The platform's state from its phases' newest reports: a rollback wins, then a failure, then
     * a degraded phase; RUNNING once every phase reported completed, STARTING while one runs.
     */
    public static String platformState(java.util.Collection<PhaseRun> runs) {
        if (runs.isEmpty()) {
            return "PENDING";
        }
        for (String worst : java.util.List.of("ROLLING_BACK", "ROLLED_BACK", "FAILED", "DEGRADED")) {
            if (runs.stream().anyMatch(r -> r.getState().equals(worst))) {
                return worst;
            }
        }
        if (runs.stream().allMatch(r -> r.getState().equals("COMPLETED"))) {
            return "RUNNING";
        }
        return runs.stream().anyMatch(r -> !r.getState().equals("PENDING")) ? "STARTING" : "PENDING";
    }
}
