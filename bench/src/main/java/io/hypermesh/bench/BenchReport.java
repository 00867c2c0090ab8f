package io.hypermesh.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures of one `hypermesh bench` run, each beside its baseline from the same run. */
public final class BenchReport {
    /** One line of the report: a figure, its baseline, their ratio and the target. */
    public record Row(String benchmark, String figure, double value, String baseline, double baselineValue,
                      double ratio, String target, boolean met) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final String scale;

    BenchReport(String scale) {
        this.scale = scale;
    }

    void add(String benchmark, String figure, double value, String baseline, double baselineValue, double ratio,
             String target, boolean met) {
        rows.add(new Row(benchmark, figure, value, baseline, baselineValue, ratio, target, met));
    }

    void note(String note) {
        notes.add(note);
    }

    public List<Row> rows() {
        return rows;
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# HyperMesh Bus benchmarks\n\n");
        md.append("Run ").append(Instant.now()).append(" with `hypermesh bench --scale=").append(scale).append("` on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ").append(System.getProperty("java.version"))
                .append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
                .append(". Every baseline ran in the same invocation on the same machine (and the same embedded broker where it is "
                        + "Kafka).\n\n");
        md.append("| benchmark | figure | value | baseline | baseline value | ratio | target | met |\n");
        md.append("| --- | --- | ---: | --- | ---: | ---: | --- | --- |\n");
        for (Row r : rows) {
            md.append("| ").append(r.benchmark()).append(" | ").append(r.figure()).append(" | ").append(num(r.value()))
                    .append(" | ").append(r.baseline()).append(" | ").append(num(r.baselineValue())).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f", r.ratio())).append(" | ").append(r.target()).append(" | ")
                    .append(r.met() ? "yes" : "**no**").append(" |\n");
        }
        if (!notes.isEmpty()) {
            md.append("\n## Notes\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
