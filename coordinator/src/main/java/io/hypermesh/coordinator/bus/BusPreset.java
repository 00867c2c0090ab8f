package io.hypermesh.coordinator.bus;

import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A preset's bus settings: one of the four bundled ({@code presets/<name>.properties}) or a file of
 * the same keys. Read whole and checked before anything starts: an unknown key, a bad value or a
 * missing one is refused with the file, the line and why.
 *
 * @param replicationFactor replicas every topic must have, the cluster refused when it has fewer
 *                          brokers; 0 when the preset leaves it to the cluster (up to the catalog's 3)
 * @param foldsProducer     settings of the folds' producer the preset changes (batching)
 */
public record BusPreset(String name, String source, String spec, String processingGuarantee, int streamThreads, int standbyReplicas,
                        boolean staticMembership, int replicationFactor, boolean mutualTls, Map<String, Object> foldsProducer) {
    /** The bundled presets, in the order the README gives them. */
    public static final List<String> BUNDLED = List.of("development", "production", "performance", "reliability");
    private static final Set<String> REQUIRED = Set.of("spec", "processing.guarantee", "stream.threads", "num.standby.replicas",
            "static.membership", "security");
    private static final Set<String> OPTIONAL = Set.of("replication.factor", "folds.batch.size", "folds.linger.ms");

    public BusPreset {
        foldsProducer = Map.copyOf(foldsProducer);
    }

    /** A bundled preset by name. */
    public static BusPreset bundled(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        if (!BUNDLED.contains(wanted)) {
            throw new IllegalArgumentException("unknown preset '" + name + "': the presets are " + String.join(", ", BUNDLED)
                    + " (or a settings file's path)");
        }
        String resource = "presets/" + wanted + ".properties";
        try (InputStream in = BusPreset.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return parse(wanted, "classpath:" + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /** A bundled preset's name, or the path of a settings file of the same keys. */
    public static BusPreset of(String nameOrFile) {
        if (BUNDLED.contains(nameOrFile.trim().toLowerCase(Locale.ROOT))) {
            return bundled(nameOrFile);
        }
        Path file = Path.of(nameOrFile);
        if (!Files.isRegularFile(file)) {
            return bundled(nameOrFile); // refused there, naming the presets
        }
        try {
            String base = file.getFileName().toString().replaceFirst("\\.properties$", "");
            return parse(base, file.toString(), Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads {@code text} (key=value lines, # comments), refusing every problem at once with its line. */
    static BusPreset parse(String name, String source, String text) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] all = text.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            String line = all[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String at = source + ":" + (i + 1) + ": ";
            if (eq <= 0) {
                problems.add(at + "expected key=value, got '" + line + "'");
                continue;
            }
            String key = line.substring(0, eq).strip();
            if (!REQUIRED.contains(key) && !OPTIONAL.contains(key)) {
                problems.add(at + "unknown setting '" + key + "'; known: " + String.join(", ", sorted(REQUIRED, OPTIONAL)));
            } else if (values.put(key, line.substring(eq + 1).strip()) != null) {
                problems.add(at + "'" + key + "' is set twice");
            }
            lines.put(key, i + 1);
        }
        for (String key : sorted(REQUIRED, Set.of())) {
            if (!values.containsKey(key)) {
                problems.add(source + ": '" + key + "' is missing");
            }
        }
        Values v = new Values(source, values, lines, problems);
        String guarantee = v.oneOf("processing.guarantee", List.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE));
        int threads = v.integer("stream.threads", 1, 64, 1);
        int standbys = v.integer("num.standby.replicas", 0, 8, 0);
        boolean staticMembership = "true".equals(v.oneOf("static.membership", List.of("true", "false")));
        int replication = v.integer("replication.factor", 1, 16, 0);
        boolean tls = "mutual-tls".equals(v.oneOf("security", List.of("none", "mutual-tls")));
        Map<String, Object> producer = new LinkedHashMap<>();
        if (values.containsKey("folds.batch.size")) {
            producer.put("batch.size", v.integer("folds.batch.size", 1, 16 * 1024 * 1024, 0));
        }
        if (values.containsKey("folds.linger.ms")) {
            producer.put("linger.ms", v.integer("folds.linger.ms", 0, 1_000, 0));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("preset " + name + " refused:\n  " + String.join("\n  ", problems));
        }
        return new BusPreset(name, source, values.get("spec"), guarantee, threads, standbys, staticMembership, replication, tls, producer);
    }

    /**
     * Why this preset cannot run on {@code brokers} brokers, or null when it can. A preset that
     * requires replicas needs a broker for each: Kafka would refuse its topics, or (fewer replicas
     * than min.insync.replicas + 1) accept writes a single broker's loss could take away.
     */
    public String refusalFor(int brokers, boolean embedded) {
        if (replicationFactor <= brokers) {
            return null;
        }
        return "preset " + name + " keeps " + replicationFactor + " replicas of every topic (min.insync.replicas "
                + (replicationFactor - 1) + ") and needs a cluster of at least " + replicationFactor + " brokers; "
                + (embedded ? "the embedded broker is one node: give the cluster's --bootstrap-servers"
                : "this cluster has " + brokers);
    }

    /** The folds' Kafka Streams settings this preset sets (threads are set on their own). */
    public Map<String, Object> streamsConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        if (replicationFactor > 0) {
            config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
            config.put(StreamsConfig.topicPrefix("min.insync.replicas"), Integer.toString(replicationFactor - 1));
        }
        foldsProducer.forEach((key, value) -> config.put(StreamsConfig.producerPrefix(key), value));
        return config;
    }

    private static List<String> sorted(Set<String> a, Set<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.sort(null);
        return all;
    }

    /** Typed reads of the values, each problem noted with its line. */
    private record Values(String source, Map<String, String> values, Map<String, Integer> lines, List<String> problems) {
        String oneOf(String key, List<String> allowed) {
            String value = values.get(key);
            if (value != null && !allowed.contains(value)) {
                problems.add(source + ":" + lines.get(key) + ": " + key + " must be one of " + String.join(", ", allowed) + ", was '"
                        + value + "'");
            }
            return value;
        }

        int integer(String key, int min, int max, int absent) {
            String value = values.get(key);
            if (value == null) {
                return absent;
            }
            try {
                int n = Integer.parseInt(value);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.add(source + ":" + lines.get(key) + ": " + key + " must be a whole number from " + min + " to " + max + ", was '"
                    + value + "'");
            return absent;
        }
    }
}
