package io.hypermesh.coordinator.spec;

import io.hypermesh.http.GoDuration;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the values of a spec's YAML nodes: ${VAR} and ${VAR:-default} replaced from the
 * environment, each problem noted with its file, line and column, and a fallback returned so the
 * reading goes on and every problem is reported at once.
 */
final class YamlNodes {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final String source;
    private final Map<String, String> env;
    private final List<String> problems;

    YamlNodes(String source, Map<String, String> env, List<String> problems) {
        this.source = source;
        this.env = env;
        this.problems = problems;
    }

    Map<String, NodeTuple> fields(MappingNode map, Set<String> allowed, String what) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        if (map == null) {
            return out;
        }
        for (NodeTuple t : map.getValue()) {
            String key = text(t.getKeyNode());
            if (!allowed.contains(key)) {
                problems.add(at(t.getKeyNode()) + "unknown field '" + key + "' in " + what + "; expected one of " + new TreeMap<>(
                        allowed.stream().collect(java.util.stream.Collectors.toMap(k -> k, k -> ""))).keySet());
            } else if (out.put(key, t) != null) {
                problems.add(at(t.getKeyNode()) + "field '" + key + "' appears twice in " + what);
            }
        }
        return out;
    }

    /** The entries of a mapping; none (with the problem noted) when the node is something else. */
    List<NodeTuple> entries(Node node, String what) {
        MappingNode map = mapping(node, what);
        return map == null ? List.of() : map.getValue();
    }

    MappingNode mapping(Node node, String what) {
        if (node instanceof MappingNode m) {
            return m;
        }
        problems.add(at(node) + what + " must be a mapping");
        return null;
    }

    String text(Node node) {
        if (!(node instanceof ScalarNode scalar)) {
            problems.add(at(node) + "expected a single value here");
            return "";
        }
        Matcher m = VARIABLE.matcher(scalar.getValue());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                value = m.group(3);
            }
            if (value == null) {
                problems.add(at(node) + "environment variable " + m.group(1) + " is not set and has no default");
                value = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    int integer(Node node, String what, int min, int max, int fallback) {
        String t = text(node);
        try {
            int v = Integer.parseInt(t.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(at(node) + what + " must be an integer " + min + ".." + max + "; got '" + t + "'");
        return fallback;
    }

    Duration duration(Node node, String what, Duration fallback) {
        String t = text(node).trim();
        try {
            Duration d = GoDuration.parse(t);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (IllegalArgumentException e) {
            // reported below, with where it is
        }
        problems.add(at(node) + what + " must be a positive duration like 500ms, 30s, 2m or 1h30m; got '" + t + "'");
        return fallback;
    }

    String at(Node node) {
        return node == null ? source + ": " : at(node.getStartMark());
    }

    /** file:line:column of a character offset into the text. */
    String at(String text, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < Math.min(offset, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return source + ":" + line + ":" + (offset - lineStart + 1) + ": ";
    }

    String at(Mark mark) {
        return mark == null ? source + ": " : source + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1) + ": ";
    }
}
