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

    public String phaseName(int phase) {
        return phaseNames.getOrDefault(phase, "phase " + phase);
    }
}
