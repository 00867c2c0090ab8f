package io.hypermesh.connectors.prometheus;

import io.hypermesh.connectors.BusSamples;
import io.hypermesh.connectors.Sample;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The newest sample of every series, rendered in the Prometheus text exposition format (0.0.4)
 * with each sample's own timestamp: what was true when the event happened, not when it was scraped.
 * An older sample never replaces a newer one (records of a series can arrive out of order across
 * partitions and after a task restart).
 */
public final class Exposition {
    private final String prefix;
    private final ConcurrentSkipListMap<String, Sample> latest = new ConcurrentSkipListMap<>();

    /** @param prefix put before every metric name ("" for none) */
    public Exposition(String prefix) {
        this.prefix = prefix;
    }

    public void update(List<Sample> samples) {
        for (Sample s : samples) {
            latest.merge(s.series(), s, (old, now) -> now.timestampMs() >= old.timestampMs() ? now : old);
        }
    }

    public int series() {
        return latest.size();
    }

    public String render() {
        Map<String, StringBuilder> byMetric = new TreeMap<>();
        for (Sample s : latest.values()) {
            StringBuilder b = byMetric.computeIfAbsent(s.metric(), m -> new StringBuilder());
            b.append(prefix).append(s.metric());
            if (!s.labels().isEmpty()) {
                b.append('{');
                boolean first = true;
                for (Map.Entry<String, String> l : s.labels().entrySet()) {
                    b.append(first ? "" : ",").append(l.getKey()).append("=\"").append(escape(l.getValue())).append('"');
                    first = false;
                }
                b.append('}');
            }
            b.append(' ').append(number(s.value())).append(' ').append(s.timestampMs()).append('\n');
        }
        StringBuilder out = new StringBuilder();
        byMetric.forEach((metric, lines) -> {
            out.append("# HELP ").append(prefix).append(metric).append(' ')
                    .append(BusSamples.HELP.getOrDefault(metric, metric).replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            out.append("# TYPE ").append(prefix).append(metric).append(" gauge\n");
            out.append(lines);
        });
        return out.toString();
    }

    static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
