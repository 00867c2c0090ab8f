package io.hypermesh.schemas.events;

import io.hypermesh.events.metrics.MetricSample;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The key of a numeric series on {@code hypermesh.metrics}: its name, then its labels sorted by
 * name, written as Prometheus writes a series ({@code link_latency_ms{link="a-b",node="a"}}), so
 * one series always lands in one partition and a person can read the key.
 */
public final class SeriesKeys {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** Bounds a key: series keys are store keys and dashboard text. */
    public static final int MAX_KEY_CHARS = 512;

    private SeriesKeys() {
    }

    /** The key of {@code sample}'s series; an {@link IllegalArgumentException} names what is wrong with it. */
    public static String of(MetricSample sample) {
        return of(sample.getSeries(), sample.getLabels());
    }

    public static String of(CharSequence series, Map<? extends CharSequence, ? extends CharSequence> labels) {
        String name = series == null ? "" : series.toString();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("series name '" + name + "' is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
        }
        StringBuilder key = new StringBuilder(name);
        if (labels != null && !labels.isEmpty()) {
            TreeMap<String, String> sorted = new TreeMap<>();
            labels.forEach((k, v) -> sorted.put(k.toString(), v == null ? "" : v.toString()));
            key.append('{');
            boolean first = true;
            for (Map.Entry<String, String> label : sorted.entrySet()) {
                if (!LABEL.matcher(label.getKey()).matches() || label.getKey().startsWith("__")) {
                    throw new IllegalArgumentException("label name '" + label.getKey() + "' of series '" + name
                            + "' is not a Prometheus label name");
                }
                key.append(first ? "" : ",").append(label.getKey()).append("=\"").append(escape(label.getValue())).append('"');
                first = false;
            }
            key.append('}');
        }
        if (key.length() > MAX_KEY_CHARS) {
            throw new IllegalArgumentException("series key of '" + name + "' is " + key.length() + " characters, over " + MAX_KEY_CHARS);
        }
        return key.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
