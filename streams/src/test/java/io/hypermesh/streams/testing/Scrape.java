package io.hypermesh.streams.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/** Prometheus' text format as a test reads it: samples by name and labels, and the families' HELP. */
public final class Scrape {
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> help = new LinkedHashMap<>();
    private final String text;

    public Scrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                help.put(parts[0], parts.length > 1 ? parts[1] : "");
            } else if (!line.isBlank() && !line.startsWith("#")) {
                samples.add(parse(line));
            }
        }
    }

    private static Sample parse(String line) {
        int brace = line.indexOf('{');
        int space = line.lastIndexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        if (brace >= 0 && brace < space) {
            name = line.substring(0, brace);
            String body = line.substring(brace + 1, line.lastIndexOf('}'));
            int i = 0;
            while (i < body.length()) {
                int eq = body.indexOf('=', i);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                while (body.charAt(j) != '"') {
                    if (body.charAt(j) == '\\') {
                        j++;
                    }
                    value.append(body.charAt(j++));
                }
                labels.put(body.substring(i, eq), value.toString());
                i = j + 1;
                if (i < body.length() && body.charAt(i) == ',') {
                    i++;
                }
            }
        } else {
            name = line.substring(0, space);
        }
        return new Sample(name, labels, Double.parseDouble(line.substring(space + 1)));
    }

    /** The value of the one sample of {@code name} whose labels include {@code labels} (k1, v1, k2, v2...); empty for none. */
    public OptionalDouble value(String name, String... labels) {
        List<Sample> found = all(name, labels);
        if (found.size() > 1) {
            throw new AssertionError(found.size() + " samples of " + name + " match " + List.of(labels) + ": " + found);
        }
        return found.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(found.get(0).value());
    }

    public List<Sample> all(String name, String... labels) {
        List<Sample> found = new ArrayList<>();
        for (Sample s : samples) {
            boolean match = s.name().equals(name);
            for (int i = 0; match && i < labels.length; i += 2) {
                match = labels[i + 1].equals(s.labels().get(labels[i]));
            }
            if (match) {
                found.add(s);
            }
        }
        return found;
    }

    /** The families (as HELP names them) starting with {@code prefix}. */
    public Set<String> families(String prefix) {
        Set<String> out = new TreeSet<>();
        help.keySet().stream().filter(n -> n.startsWith(prefix)).forEach(out::add);
        return out;
    }

    public String help(String family) {
        return help.get(family);
    }

    public String text() {
        return text;
    }
}
