package io.hypermesh.coordinator.run;

import io.hypermesh.events.lifecycle.PhaseState;

/** What a coordinator run reports as it goes (the console progress bar is one listener). */
public interface ProgressListener {
    default void active(long epoch) {
    }

    default void phase(int phase, String name, int done, int total, PhaseState state) {
    }

    default void component(String componentId, String state, String reason) {
    }

    ProgressListener NONE = new ProgressListener() {
    };
}
