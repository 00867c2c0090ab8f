package io.hypermesh.coordinator.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A validated platform spec: its components by id, in the order the file declares them. */
public record PlatformSpec(String platform, Preset preset, String source, Map<Integer, String> phaseNames,
                           Map<String, ComponentSpec> components) {

    public static final int PHASES = 7;

    public List<ComponentSpec> phase(int phase) {
        List<ComponentSpec> in = new ArrayList<>();
        components.values().forEach(c -> {
            if (c.phase() == phase) {
                in.add(c);
            }
        });
        return in;
    }

    /** The same platform with only the components {@code keep} accepts (those this machine can run, say). */
    public PlatformSpec only(java.util.function.Predicate<ComponentSpec> keep) {
        Map<String, ComponentSpec> kept = new java.util.LinkedHashMap<>();
        components.forEach((id, c) -> {
            if (keep.test(c)) {
                kept.put(id, c);
            }
        });
        return new PlatformSpec(platform, preset, source, phaseNames, kept);
    }

    public String phaseName(int phase) {
        return phaseNames.getOrDefault(phase, "phase " + phase);
    }
}
