package io.hypermesh.connectors;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** One value of one series at one time: what both sinks write, as a Prometheus sample or an InfluxDB point. */
public record Sample(String metric, SortedMap<String, String> labels, double value, long timestampMs) {
    public Sample {
        labels = new TreeMap<>(labels);
    }

    public static Sample of(String metric, Map<String, String> labels, double value, long timestampMs) {
        return new Sample(metric, new TreeMap<>(labels), value, timestampMs);
    }

    /** The series this sample belongs to: metric and labels. */
    public String series() {
        return metric + labels;
    }
}
