package io.hypermesh.coordinator.spec;

import io.hypermesh.events.ComponentKind;

import java.time.Duration;
import java.util.List;

/**
 * One component of the platform.
 *
 * @param after    components that must be started first (ordering only)
 * @param requires components that must be running for this one to start; if one fails, this one fails
 * @param optional whether this component may fail and leave the platform DEGRADED instead of failed
 */
public record ComponentSpec(String id, ComponentKind kind, int phase, List<String> after, List<String> requires,
                            Duration startTimeout, Duration stopTimeout, boolean optional,
                            int degradedBelow, int unhealthyBelow, List<Integer> ports, int line) {

    /** Every component this one waits for. */
    public List<String> dependencies() {
        return java.util.stream.Stream.concat(after.stream(), requires.stream()).distinct().toList();
    }
}
