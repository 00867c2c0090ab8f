package io.hypermesh.bench;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A JFR recording of method samples, garbage collections and allocation samples in this JVM while
 * a benchmark runs, summarised for the report: where the named threads spent their samples (the top
 * frames, and the bus's own methods with what they call), how long the collector stopped every
 * thread and what allocated the most, the evidence a missed target needs.
 */
final class JfrTop implements AutoCloseable {
    private static final String SAMPLE = "jdk.ExecutionSample";
    private static final String COLLECTION = "jdk.GarbageCollection";
    private static final String ALLOCATION = "jdk.ObjectAllocationSample";
    private final Recording recording = new Recording();
    private final long started = System.nanoTime();

    JfrTop() {
        enable(recording);
        recording.start();
    }

    private static void enable(Recording recording) {
        recording.enable(SAMPLE).withPeriod(Duration.ofMillis(10));
        recording.enable(COLLECTION);
        recording.enable(ALLOCATION).with("throttle", "150/s");
    }

    /**
     * Starts and stops one recording before anything is warmed: the first recording in a JVM
     * instruments JDK classes, which throws compiled code away everywhere (14,000 methods made not
     * entrant in one run), and the JIT then took half a core through the measured runs.
     */
    static void initialize() {
        try (Recording first = new Recording()) {
            enable(first);
            first.start();
            first.stop();
        }
    }

    /**
     * Stops the recording; for each name, the top {@code n} frames of the threads whose name
     * contains it, by own samples and, for {@code io.hypermesh} methods, with what they call.
     */
    String top(int n, String... threads) throws IOException {
        recording.stop();
        Path file = Files.createTempFile("bench-", ".jfr");
        try {
            recording.dump(file);
            double seconds = (System.nanoTime() - started) / 1e9;
            // The file holds every recording's events (another one may run beside this): keep ours by type.
            Map<String, List<RecordedEvent>> byType = RecordingFile.readAllEvents(file).stream()
                    .collect(Collectors.groupingBy(e -> e.getEventType().getName()));
            List<String> parts = new java.util.ArrayList<>();
            for (String thread : threads) {
                parts.add(top(byType.getOrDefault(SAMPLE, List.of()), thread, n));
            }
            parts.add(pauses(byType.getOrDefault(COLLECTION, List.of()), seconds));
            parts.add(allocations(byType.getOrDefault(ALLOCATION, List.of()), seconds, n));
            return String.join("; ", parts);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String top(List<RecordedEvent> events, String thread, int n) {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : events) {
            RecordedThread t = e.getThread("sampledThread");
            if (t == null || t.getJavaName() == null || !t.getJavaName().contains(thread) || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            self.merge(name(frames.get(0).getMethod()), 1, Integer::sum);
            Set<String> ours = new HashSet<>();
            for (RecordedFrame f : frames) {
                if (f.getMethod().getType().getName().startsWith("io.hypermesh.")) {
                    ours.add(name(f.getMethod()));
                }
            }
            ours.forEach(m -> inclusive.merge(m, 1, Integer::sum));
        }
        if (samples == 0) {
            return "no samples of threads named *" + thread + "*";
        }
        return samples + " samples of *" + thread + "*, top frames: " + percent(self, samples, n)
                + "; bus methods with what they call: " + percent(inclusive, samples, n);
    }

    /** The collector's stop-the-world pauses: how many, how long in all and at most. */
    private static String pauses(List<RecordedEvent> collections, double seconds) {
        long count = 0;
        double totalMs = 0;
        double longestMs = 0;
        for (RecordedEvent c : collections) {
            Duration pause = c.getDuration("sumOfPauses");
            if (pause.isZero()) {
                continue; // a concurrent cycle's record: its pauses are counted as their own collections
            }
            count++;
            totalMs += pause.toNanos() / 1e6;
            longestMs = Math.max(longestMs, c.getDuration("longestPause").toNanos() / 1e6);
        }
        return String.format(Locale.ROOT, "GC stopped every thread %d times, %.0f ms in all (%.1f%% of %.0f s), the longest %.0f ms",
                count, totalMs, totalMs / 10 / seconds, seconds, longestMs);
    }

    /**
     * How fast the JVM allocated (JFR's sampled estimate) and where: by the first frame of the bus,
     * Kafka, Avro or Vert.x in each sample's stack, so a site names whose code allocates.
     */
    private static String allocations(List<RecordedEvent> samples, double seconds, int n) {
        Map<String, Long> bySite = new HashMap<>();
        long total = 0;
        for (RecordedEvent a : samples) {
            long weight = a.getLong("weight");
            total += weight;
            String site = "(JDK only)";
            if (a.getStackTrace() != null) {
                for (RecordedFrame f : a.getStackTrace().getFrames()) {
                    String type = f.getMethod().getType().getName();
                    // The bench's own frames (this recording starting, /proc reads) are not the bus's.
                    boolean bus = type.startsWith("io.hypermesh.") && !type.startsWith("io.hypermesh.bench.");
                    if (bus || type.startsWith("org.apache.kafka.") || type.startsWith("org.apache.avro.")
                            || type.startsWith("io.vertx.")) {
                        site = name(f.getMethod());
                        break;
                    }
                }
            }
            bySite.merge(site, weight, Long::sum);
        }
        if (total == 0) {
            return "no allocation samples";
        }
        long all = total;
        return String.format(Locale.ROOT, "allocated about %.0f MB/s, most by: ", total / 1e6 / seconds)
                + bySite.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100.0 * e.getValue() / all))
                .collect(Collectors.joining(", "));
    }

    private static String name(RecordedMethod m) {
        String type = m.getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + m.getName();
    }

    private static String percent(Map<String, Integer> counts, int samples, int n) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
                .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100.0 * e.getValue() / samples))
                .collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        recording.close();
    }
}
