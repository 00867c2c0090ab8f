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
 * A JFR recording of method samples in this JVM while a benchmark runs, summarised for the report:
 * where the named threads spent their samples (the top frames, and the bus's own methods with what
 * they call), the evidence a missed target needs.
 */
final class JfrTop implements AutoCloseable {
    private final Recording recording = new Recording();

    JfrTop() {
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        recording.start();
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
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            List<String> parts = new java.util.ArrayList<>();
            for (String thread : threads) {
                parts.add(top(events, thread, n));
            }
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
