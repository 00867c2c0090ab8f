package io.hypermesh.bench.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder in NAB's layout: {@code data/<category>/<file>.csv} ({@code timestamp,value}) and, when
 * present, {@code labels/combined_windows.json} (each file's windows as {@code [start, end]}
 * timestamps of that file). A file without labels has no window.
 */
public final class NabCorpus {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]");

    private NabCorpus() {
    }

    /** Every file under {@code dir/data}, by category then name. */
    public static List<NabFile> read(Path dir) {
        Path data = dir.resolve("data");
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException(dir + " is not in NAB's layout: it has no data/ folder");
        }
        Map<String, List<String[]>> labels = labels(dir.resolve("labels").resolve("combined_windows.json"));
        List<NabFile> files = new ArrayList<>();
        try (Stream<Path> found = Files.walk(data, 2)) {
            for (Path csv : found.filter(p -> p.toString().endsWith(".csv") && p.getParent().getParent().equals(data)).sorted().toList()) {
                String name = data.relativize(csv).toString().replace('\\', '/');
                files.add(file(name, csv, labels.getOrDefault(name, List.of())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static NabFile file(String name, Path csv, List<String[]> windowTimes) {
        List<LocalDateTime> timestamps = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(csv);
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) {
                    continue;
                }
                int comma = line.indexOf(',');
                if (comma < 0) {
                    throw new IllegalArgumentException(name + ":" + (i + 1) + ": expected timestamp,value, was '" + line + "'");
                }
                timestamps.add(LocalDateTime.parse(line.substring(0, comma).strip(), TIMESTAMP));
                values.add(Double.parseDouble(line.substring(comma + 1).strip()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<LocalDateTime, Integer> index = new HashMap<>();
        for (int i = 0; i < timestamps.size(); i++) {
            index.put(timestamps.get(i), i);
        }
        List<NabFile.Window> windows = new ArrayList<>();
        for (String[] w : windowTimes) {
            Integer first = index.get(LocalDateTime.parse(w[0], TIMESTAMP));
            Integer last = index.get(LocalDateTime.parse(w[1], TIMESTAMP));
            if (first == null || last == null) {
                throw new IllegalArgumentException(name + ": the window " + w[0] + ".." + w[1]
                        + " does not start and end on its timestamps");
            }
            windows.add(new NabFile.Window(first, last));
        }
        return new NabFile(name, timestamps, values.stream().mapToDouble(Double::doubleValue).toArray(), windows);
    }

    private static Map<String, List<String[]>> labels(Path json) {
        Map<String, List<String[]>> out = new HashMap<>();
        if (!Files.exists(json)) {
            return out;
        }
        try {
            JsonNode root = new ObjectMapper().readTree(json.toFile());
            root.fields().forEachRemaining(e -> {
                List<String[]> windows = new ArrayList<>();
                e.getValue().forEach(w -> windows.add(new String[] {w.get(0).asText(), w.get(1).asText()}));
                out.put(e.getKey(), windows);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
