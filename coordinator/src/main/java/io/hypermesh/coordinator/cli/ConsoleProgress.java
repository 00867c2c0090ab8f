package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.run.ProgressListener;
import io.hypermesh.events.lifecycle.PhaseState;

import java.io.PrintWriter;

/**
 * A progress bar per phase and a line per component change, for the command line. Quiet, as
 * {@code up} prints it unless verbose, it leaves out what goes as planned: a phase's empty bar and
 * components starting and running.
 */
public final class ConsoleProgress implements ProgressListener {
    private static final int WIDTH = 20;
    private final PrintWriter out;
    private final boolean quiet;

    public ConsoleProgress(PrintWriter out) {
        this(out, false);
    }

    private ConsoleProgress(PrintWriter out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    static ConsoleProgress quiet(PrintWriter out) {
        return new ConsoleProgress(out, true);
    }

    @Override
    public void active(long epoch) {
        out.println("coordinator active (epoch " + epoch + ")");
        out.flush();
    }

    @Override
    public synchronized void phase(int phase, String name, int done, int total, PhaseState state) {
        if (quiet && done == 0 && state == PhaseState.RUNNING) {
            return;
        }
        int filled = total == 0 ? WIDTH : done * WIDTH / total;
        out.printf("phase %d/7 %-14s [%s%s] %d/%d %s%n", phase, name, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, state);
        out.flush();
    }

    @Override
    public synchronized void component(String componentId, String state, String reason) {
        if (quiet && reason == null && (state.equals("STARTING") || state.equals("RUNNING"))) {
            return;
        }
        out.println("  " + componentId + ": " + state + (reason == null ? "" : " (" + reason + ")"));
        out.flush();
    }
}
