package io.hypermesh.coordinator.spec;

import io.hypermesh.events.ComponentKind;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads and validates a platform spec (YAML). Every problem is reported with the file, line and
 * column it comes from: unknown fields, bad values, unknown dependencies, dependencies on a later
 * phase, cycles, port conflicts. Scalars may use ${VAR} or ${VAR:-default} from the environment;
 * HYPERMESH_PRESET overrides the preset.
 */
public final class SpecLoader {
    private static final Set<String> TOP_LEVEL = Set.of("platform", "preset", "defaults", "phases", "components");
    private static final Set<String> DEFAULTS = Set.of("startTimeout", "stopTimeout");
    private static final Set<String> COMPONENT = Set.of("kind", "phase", "after", "requires", "startTimeout", "stopTimeout",
            "optional", "health", "ports");
    private static final Set<String> HEALTH = Set.of("degradedBelow", "unhealthyBelow");

    private final String source;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, String> env;
    private final YamlNodes yaml;

    private SpecLoader(String source, Map<String, String> env) {
        this.source = source;
        this.env = env;
        this.yaml = new YamlNodes(source, env, problems);
    }

    public static PlatformSpec load(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SpecException(List.of(file + ": cannot read: " + e.getMessage()));
        }
        return parse(text, file.toString(), env);
    }

    /** Loads a spec bundled on the classpath (e.g. "specs/development.yaml"). */
    public static PlatformSpec loadResource(String resource, Map<String, String> env) {
        try (var in = SpecLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new SpecException(List.of(resource + ": no such bundled spec"));
            }
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "classpath:" + resource, env);
        } catch (IOException e) {
            throw new SpecException(List.of(resource + ": cannot read: " + e.getMessage()));
        }
    }

    public static PlatformSpec parse(String text, String source, Map<String, String> env) {
        return new SpecLoader(source, env).parse(text);
    }

    private PlatformSpec parse(String text) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            throw new SpecException(List.of(yaml.at(mark) + "not valid YAML: " + e.getProblem()));
        } catch (ReaderException e) {
            // A character YAML does not allow (a NUL, most control characters): point at it.
            throw new SpecException(List.of(yaml.at(text, e.getPosition()) + "not valid YAML: character U+"
                    + String.format(Locale.ROOT, "%04X", e.getCodePoint()) + " is not allowed"));
        } catch (YAMLException e) {
            throw new SpecException(List.of(source + ":1:1: not valid YAML: " + e.getMessage()));
        }
        if (!(root instanceof MappingNode top)) {
            throw new SpecException(List.of(source + ":1:1: the spec must be a mapping with 'platform' and 'components'"));
        }
        Map<String, NodeTuple> fields = yaml.fields(top, TOP_LEVEL, "the spec");
        String platform = fields.containsKey("platform") ? yaml.text(fields.get("platform").getValueNode()) : null;
        if (platform == null || platform.isBlank()) {
            problems.add(source + ":1:1: 'platform' (the platform's name) is required");
        }
        Preset preset = Preset.DEVELOPMENT;
        String presetText = env.get("HYPERMESH_PRESET");
        Node presetNode = fields.containsKey("preset") ? fields.get("preset").getValueNode() : null;
        if (presetText == null && presetNode != null) {
            presetText = yaml.text(presetNode);
        }
        if (presetText != null) {
            try {
                preset = Preset.valueOf(presetText.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add((presetNode == null ? source + ": " : yaml.at(presetNode))
                        + "preset must be one of development, performance, production, reliability; got '" + presetText + "'");
            }
        }
        Duration defaultStart = preset.startTimeout;
        Duration defaultStop = preset.stopTimeout;
        if (fields.containsKey("defaults")) {
            Map<String, NodeTuple> defaults = yaml.fields(yaml.mapping(fields.get("defaults").getValueNode(), "defaults"), DEFAULTS,
                    "defaults");
            if (defaults.containsKey("startTimeout")) {
                defaultStart = yaml.duration(defaults.get("startTimeout").getValueNode(), "startTimeout", defaultStart);
            }
            if (defaults.containsKey("stopTimeout")) {
                defaultStop = yaml.duration(defaults.get("stopTimeout").getValueNode(), "stopTimeout", defaultStop);
            }
        }
        Map<Integer, String> phaseNames = new TreeMap<>();
        if (fields.containsKey("phases")) {
            for (NodeTuple t : yaml.entries(fields.get("phases").getValueNode(), "phases")) {
                int phase = yaml.integer(t.getKeyNode(), "phase number", 1, PlatformSpec.PHASES, 0);
                phaseNames.put(phase, yaml.text(t.getValueNode()));
            }
        }
        Map<String, ComponentSpec> components = new LinkedHashMap<>();
        Map<String, Node> componentNodes = new HashMap<>();
        Map<String, Node> dependencyNodes = new HashMap<>();
        if (!fields.containsKey("components")) {
            problems.add(source + ":1:1: 'components' is required");
        } else {
            for (NodeTuple t : yaml.entries(fields.get("components").getValueNode(), "components")) {
                String id = yaml.text(t.getKeyNode());
                if (components.containsKey(id)) {
                    problems.add(yaml.at(t.getKeyNode()) + "component '" + id + "' is declared twice");
                    continue;
                }
                ComponentSpec c = component(id, t.getValueNode(), defaultStart, defaultStop, preset, dependencyNodes);
                if (c != null) {
                    components.put(id, c);
                    componentNodes.put(id, t.getKeyNode());
                }
            }
        }
        checkDependencies(components, componentNodes, dependencyNodes);
        checkPorts(components, componentNodes);
        if (!problems.isEmpty()) {
            throw new SpecException(problems);
        }
        return new PlatformSpec(platform, preset, source, phaseNames, components);
    }

    private ComponentSpec component(String id, Node node, Duration defaultStart, Duration defaultStop, Preset preset,
                                    Map<String, Node> dependencyNodes) {
        MappingNode map = yaml.mapping(node, "component '" + id + "'");
        if (map == null) {
            return null;
        }
        Map<String, NodeTuple> f = yaml.fields(map, COMPONENT, "component '" + id + "'");
        ComponentKind kind = ComponentKind.OTHER;
        if (f.containsKey("kind")) {
            String k = yaml.text(f.get("kind").getValueNode());
            try {
                kind = ComponentKind.valueOf(k.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(yaml.at(f.get("kind").getValueNode()) + "kind of '" + id + "' must be one of "
                        + Arrays.toString(ComponentKind.values()) + "; got '" + k + "'");
            }
        }
        int phase = 0;
        if (!f.containsKey("phase")) {
            problems.add(yaml.at(node) + "component '" + id + "' needs a phase (1..7)");
        } else {
            phase = yaml.integer(f.get("phase").getValueNode(), "phase of '" + id + "'", 1, PlatformSpec.PHASES, 0);
        }
        List<String> after = names(f.get("after"), id, dependencyNodes);
        List<String> requires = names(f.get("requires"), id, dependencyNodes);
        Duration start = f.containsKey("startTimeout") ? yaml.duration(f.get("startTimeout").getValueNode(), "startTimeout of '" + id
                + "'", defaultStart) : defaultStart;
        Duration stop = f.containsKey("stopTimeout") ? yaml.duration(f.get("stopTimeout").getValueNode(), "stopTimeout of '" + id + "'",
                defaultStop) : defaultStop;
        boolean optional = false;
        if (f.containsKey("optional")) {
            String o = yaml.text(f.get("optional").getValueNode());
            if (!o.equals("true") && !o.equals("false")) {
                problems.add(yaml.at(f.get("optional").getValueNode()) + "optional of '" + id + "' must be true or false; got '" + o + "'");
            }
            optional = o.equals("true") && preset.allowsDegradation;
        }
        int degradedBelow = 75;
        int unhealthyBelow = 35;
        if (f.containsKey("health")) {
            Map<String, NodeTuple> h = yaml.fields(yaml.mapping(f.get("health").getValueNode(), "health of '" + id + "'"), HEALTH,
                    "health of '" + id + "'");
            if (h.containsKey("degradedBelow")) {
                degradedBelow = yaml.integer(h.get("degradedBelow").getValueNode(), "degradedBelow of '" + id + "'", 0, 100, degradedBelow);
            }
            if (h.containsKey("unhealthyBelow")) {
                unhealthyBelow = yaml.integer(h.get("unhealthyBelow").getValueNode(), "unhealthyBelow of '" + id + "'", 0, 100,
                        unhealthyBelow);
            }
            if (unhealthyBelow >= degradedBelow) {
                problems.add(yaml.at(f.get("health").getValueNode()) + "health of '" + id + "': unhealthyBelow (" + unhealthyBelow
                        + ") must be below degradedBelow (" + degradedBelow + ")");
            }
        }
        List<Integer> ports = new ArrayList<>();
        if (f.containsKey("ports")) {
            Node portsNode = f.get("ports").getValueNode();
            if (!(portsNode instanceof SequenceNode seq)) {
                problems.add(yaml.at(portsNode) + "ports of '" + id + "' must be a list");
            } else {
                for (Node p : seq.getValue()) {
                    ports.add(yaml.integer(p, "port of '" + id + "'", 1, 65535, -1));
                }
            }
        }
        return new ComponentSpec(id, kind, phase, after, requires, start, stop, optional, degradedBelow, unhealthyBelow, ports,
                node.getStartMark().getLine() + 1);
    }

    private List<String> names(NodeTuple tuple, String id, Map<String, Node> dependencyNodes) {
        List<String> out = new ArrayList<>();
        if (tuple == null) {
            return out;
        }
        Node node = tuple.getValueNode();
        if (!(node instanceof SequenceNode seq)) {
            problems.add(yaml.at(node) + yaml.text(tuple.getKeyNode()) + " of '" + id + "' must be a list of component names");
            return out;
        }
        for (Node n : seq.getValue()) {
            String name = yaml.text(n);
            out.add(name);
            dependencyNodes.putIfAbsent(id + "->" + name, n);
        }
        return out;
    }

    private void checkDependencies(Map<String, ComponentSpec> components, Map<String, Node> componentNodes, Map<String,
            Node> dependencyNodes) {
        for (ComponentSpec c : components.values()) {
            for (String dep : c.dependencies()) {
                Node where = dependencyNodes.get(c.id() + "->" + dep);
                ComponentSpec target = components.get(dep);
                if (target == null) {
                    problems.add(yaml.at(where) + "component '" + c.id() + "' depends on unknown component '" + dep + "'");
                } else if (dep.equals(c.id())) {
                    problems.add(yaml.at(where) + "component '" + c.id() + "' depends on itself");
                } else if (target.phase() > c.phase()) {
                    problems.add(yaml.at(where) + "component '" + c.id() + "' (phase " + c.phase() + ") depends on '" + dep
                            + "', which starts later (phase " + target.phase() + ")");
                }
            }
        }
        // Cycles, reported once each, at the component where the walk found them.
        Map<String, Integer> mark = new HashMap<>();
        for (String id : components.keySet()) {
            findCycle(id, components, componentNodes, mark, new ArrayList<>());
        }
    }

    private void findCycle(String id, Map<String, ComponentSpec> components, Map<String, Node> nodes, Map<String, Integer> mark,
                           List<String> path) {
        Integer state = mark.get(id);
        if (state != null && state == 2) {
            return;
        }
        if (state != null && state == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(id), path.size()));
            cycle.add(id);
            problems.add(yaml.at(nodes.get(id)) + "dependency cycle: " + String.join(" -> ", cycle));
            return;
        }
        mark.put(id, 1);
        path.add(id);
        ComponentSpec c = components.get(id);
        if (c != null) {
            for (String dep : c.dependencies()) {
                if (components.containsKey(dep) && !dep.equals(id)) {
                    findCycle(dep, components, nodes, mark, path);
                }
            }
        }
        path.remove(path.size() - 1);
        mark.put(id, 2);
    }

    private void checkPorts(Map<String, ComponentSpec> components, Map<String, Node> nodes) {
        Map<Integer, ComponentSpec> owners = new HashMap<>();
        for (ComponentSpec c : components.values()) {
            for (int port : c.ports()) {
                if (port < 0) {
                    continue;
                }
                ComponentSpec owner = owners.putIfAbsent(port, c);
                if (owner != null) {
                    problems.add(yaml.at(nodes.get(c.id())) + "port " + port + " of '" + c.id() + "' is already used by '"
                            + owner.id() + "' (line " + owner.line() + ")");
                }
            }
        }
    }
}
