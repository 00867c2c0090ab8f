package io.hypermesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time of each thread of this process (or another), JIT compilers and GC workers included, read from
 * /proc/<pid>/task: two snapshots taken around a measurement say where its cores went. Threads of
 * the same pool (names differing only in digits) are summed.
 */
final class ThreadCpu {
    /** Clock ticks per second of /proc's utime and stime; 100 on every Linux the JDK runs on. */
    private static final double TICKS = 100.0;

    private final Map<String, Long> ticks;
    private final long nanos;

    private ThreadCpu(Map<String, Long> ticks, long nanos) {
        this.ticks = ticks;
        this.nanos = nanos;
    }

    static ThreadCpu now() {
        return of("self");
    }

    /** The threads of another process on this machine. */
    static ThreadCpu of(long pid) {
        return of(Long.toString(pid));
    }

    private static ThreadCpu of(String process) {
        Map<String, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", process, "task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // pid (comm) state ... field 14 utime, 15 stime; comm may hold spaces and parentheses.
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "#");
                    String[] rest = stat.substring(close + 2).split(" ");
                    ticks.merge(name, Long.parseLong(rest[11]) + Long.parseLong(rest[12]), Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            });
        } catch (IOException e) {
            return new ThreadCpu(Map.of(), System.nanoTime());
        }
        return new ThreadCpu(ticks, System.nanoTime());
    }

    /**
     * Cores each thread pool used from {@code before} to this snapshot, the busiest first, as
     * {@code name 0.53, name 0.40, ...}; pools under 0.02 of a core are left out.
     */
    String since(ThreadCpu before, int top) {
        return since(before, top, 0.02, "%s %.2f");
    }

    /** As {@link #since(ThreadCpu, int)}, in thousandths of a core, leaving out pools under 0.001: an idle process's split. */
    String idleSince(ThreadCpu before, int top) {
        return since(before, top, 0.001, "%s %.3f");
    }

    private String since(ThreadCpu before, int top, double least, String format) {
        double seconds = (nanos - before.nanos) / 1e9;
        if (ticks.isEmpty() || seconds <= 0) {
            return "(no /proc/<pid>/task here)";
        }
        Map<String, Double> cores = coresSince(before);
        return cores.entrySet().stream().filter(e -> e.getValue() >= least)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(top)
                .map(e -> String.format(java.util.Locale.ROOT, format, e.getKey(), e.getValue())).collect(Collectors.joining(", "))
                + String.format(java.util.Locale.ROOT, " (all threads %.3f cores, over %.1f s)", sum(cores), seconds);
    }

    /** Cores the whole process used from {@code before} to this snapshot. */
    double totalCoresSince(ThreadCpu before) {
        return sum(coresSince(before));
    }

    private static double sum(Map<String, Double> cores) {
        return cores.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private Map<String, Double> coresSince(ThreadCpu before) {
        double seconds = (nanos - before.nanos) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        if (seconds > 0) {
            ticks.forEach((name, t) -> cores.put(name, (t - before.ticks.getOrDefault(name, 0L)) / TICKS / seconds));
        }
        return cores;
    }
}
