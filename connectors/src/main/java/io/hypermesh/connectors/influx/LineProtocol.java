package io.hypermesh.connectors.influx;

import io.hypermesh.connectors.Sample;

import java.util.List;
import java.util.Map;

/** Samples as InfluxDB line protocol: measurement = metric, tags = labels, one field {@code value}, millisecond timestamps. */
public final class LineProtocol {
    private LineProtocol() {
    }

    /** One line per sample; InfluxDB stores no NaN or infinity, so such samples are left out. */
    public static String lines(List<Sample> samples, String measurementPrefix) {
        StringBuilder b = new StringBuilder();
        for (Sample s : samples) {
            if (Double.isFinite(s.value())) {
                b.append(line(s, measurementPrefix)).append('\n');
            }
        }
        return b.toString();
    }

    public static String line(Sample s, String measurementPrefix) {
        StringBuilder b = new StringBuilder(escape(measurementPrefix + s.metric(), false));
        for (Map.Entry<String, String> tag : s.labels().entrySet()) {
            if (!tag.getValue().isEmpty()) { // InfluxDB refuses empty tag values
                b.append(',').append(escape(tag.getKey(), true)).append('=').append(escape(tag.getValue(), true));
            }
        }
        return b.append(" value=").append(s.value()).append(' ').append(s.timestampMs()).toString();
    }

    /** Commas and spaces always; equals signs in tag keys and values too. */
    static String escape(String s, boolean tag) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == ',' || c == ' ' || (tag && c == '=') || c == '\\') {
                b.append('\\');
            }
            b.append(c == '\n' ? ' ' : c);
        }
        return b.toString();
    }
}
