package io.hypermesh.coordinator.spec;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecLoaderTest {

    static List<String> problems(String yaml) {
        return assertThrows(SpecException.class, () -> SpecLoader.parse(yaml, "spec.yaml", Map.of())).problems();
    }

    @Test
    void readsAValidSpecWithPresetDefaultsAndEnvironmentValues() {
        PlatformSpec spec = SpecLoader.parse("""
                platform: dev
                preset: performance
                phases:
                  1: network
                components:
                  net:
                    kind: transport
                    phase: 1
                    ports: [7000]
                  etcd:
                    kind: consensus
                    phase: 2
                    requires: [net]
                    startTimeout: ${ETCD_START:-45s}
                    optional: true
                  web:
                    phase: 2
                    after: [etcd]
                    stopTimeout: 500ms
                """, "spec.yaml", Map.of("ETCD_START", "12s"));
        assertEquals(Preset.PERFORMANCE, spec.preset());
        assertEquals("network", spec.phaseName(1));
        ComponentSpec etcd = spec.components().get("etcd");
        assertEquals(Duration.ofSeconds(12), etcd.startTimeout(), "environment value");
        assertEquals(Duration.ofSeconds(20), etcd.stopTimeout(), "preset default");
        assertTrue(etcd.optional());
        assertEquals(List.of("etcd"), spec.components().get("web").dependencies());
        assertEquals(Duration.ofMillis(500), spec.components().get("web").stopTimeout());
        assertEquals(List.of("etcd", "web"), spec.phase(2).stream().map(ComponentSpec::id).toList());
    }

    @Test
    void reliabilityPresetTreatsEveryComponentAsRequired() {
        PlatformSpec spec = SpecLoader.parse("""
                platform: p
                components:
                  a: {phase: 1, optional: true}
                """, "spec.yaml", Map.of("HYPERMESH_PRESET", "reliability"));
        assertEquals(Preset.RELIABILITY, spec.preset());
        assertFalse(spec.components().get("a").optional());
    }

    @Test
    void unknownDependencyIsNamedWithItsLine() {
        assertEquals(List.of("spec.yaml:6:16: component 'api' depends on unknown component 'dbx'"), problems("""
                platform: p
                components:
                  db: {phase: 1}
                  api:
                    phase: 2
                    requires: [dbx]
                """));
    }

    @Test
    void cycleIsNamedWithItsPath() {
        assertEquals(List.of("spec.yaml:3:3: dependency cycle: a -> b -> c -> a"), problems("""
                platform: p
                components:
                  a: {phase: 1, after: [b]}
                  b: {phase: 1, after: [c]}
                  c: {phase: 1, requires: [a]}
                """));
    }

    @Test
    void portConflictNamesBothComponents() {
        assertEquals(List.of("spec.yaml:4:3: port 7000 of 'b' is already used by 'a' (line 3)"), problems("""
                platform: p
                components:
                  a: {phase: 1, ports: [7000]}
                  b: {phase: 1, ports: [7001, 7000]}
                """));
    }

    @Test
    void badValuesAndUnknownFieldsAreEachNamed() {
        assertEquals(List.of(
                "spec.yaml:4:12: phase of 'a' must be an integer 1..7; got 'nine'",
                "spec.yaml:5:19: startTimeout of 'a' must be a positive duration like 500ms, 30s, 2m or 1h30m; got 'soon'",
                "spec.yaml:7:5: unknown field 'phse' in component 'b'; expected one of [after, health, kind, optional, phase, ports, "
                        + "requires, startTimeout, stopTimeout]",
                "spec.yaml:7:5: component 'b' needs a phase (1..7)"
        ), problems("""
                platform: p
                components:
                  a:
                    phase: nine
                    startTimeout: soon
                  b:
                    phse: 2
                """));
    }

    @Test
    void laterPhaseDependencyAndBrokenYamlAreRefused() {
        assertEquals(List.of("spec.yaml:4:29: component 'early' (phase 1) depends on 'late', which starts later (phase 3)"), problems("""
                platform: p
                components:
                  late: {phase: 3}
                  early: {phase: 1, after: [late]}
                """));
        List<String> yaml = problems("platform: p\ncomponents:\n  a: {phase: 1\n");
        assertEquals(1, yaml.size());
        assertTrue(yaml.get(0).startsWith("spec.yaml:4:1: not valid YAML"), yaml.get(0));
        assertEquals("spec.yaml:4:12: environment variable NOPE is not set and has no default",
                problems("platform: p\ncomponents:\n  a:\n    phase: ${NOPE}\n").get(0));
        // Found by SpecLoaderFuzzTest: components or phases that are not a mapping failed with a
        // NullPointerException, and a character YAML forbids escaped as a raw parser exception.
        assertEquals(List.of("spec.yaml:2:9: phases must be a mapping", "spec.yaml:3:13: components must be a mapping"),
                problems("platform: p\nphases: [1]\ncomponents: 5\n"));
        assertEquals(List.of("spec.yaml:3:9: not valid YAML: character U+0000 is not allowed"),
                problems("platform: p\ncomponents:\n  a: {ph\u0000ase: 1}\n"));
    }
}
