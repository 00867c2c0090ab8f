package io.hypermesh.coordinator.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.registry.client.RegistryClient.SchemaText;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Copies a Confluent-compatible registry's live schemas (subject, version, id, type, references)
 * and compatibility configs to another registry or an export file, keeping every id: the ids are
 * in every record already written. The target is put in IMPORT mode for the copy and back in
 * READWRITE after it. A copy that stops half way can run again: what the target already holds
 * with the same id is skipped, and a target left in IMPORT mode stays in it until the copy ends.
 */
public final class RegistryCopy {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FORMAT = "hypermesh-registry-export";

    /** One subject version as the source has it. */
    public record Entry(String subject, int version, int id, SchemaText schema) {
    }

    /** Everything a copy moves: versions in id order (a reference's target comes before what uses it), and the configs. */
    public record Snapshot(List<Entry> entries, String globalLevel, Map<String, String> subjectLevels) {
    }

    /** What a copy did. */
    public record Result(int copied, int alreadyThere, int configs) {
    }

    /** Reads the live subjects, their versions and configs from a registry at {@code url}. */
    public Snapshot read(String url) {
        try (HttpRegistryClient registry = new HttpRegistryClient(url)) {
            return read(registry);
        }
    }

    private static Snapshot read(HttpRegistryClient registry) {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> levels = new TreeMap<>();
        for (String subject : registry.subjects()) {
            for (int version : registry.versions(subject)) {
                RegistryClient.RegisteredText v = registry.versionText(subject, Integer.toString(version));
                entries.add(new Entry(subject, v.version(), v.id(), v.schema()));
            }
            JsonNode level = call(registry, "GET", "config/" + HttpRegistryClient.encode(subject), null, true);
            if (level != null) {
                levels.put(subject, level.path("compatibilityLevel").asText());
            }
        }
        entries.sort(Comparator.comparingInt(Entry::id).thenComparing(Entry::subject).thenComparingInt(Entry::version));
        String global = call(registry, "GET", "config", null, false).path("compatibilityLevel").asText();
        return new Snapshot(entries, global, levels);
    }

    /** Copies a snapshot into the registry at {@code url}, keeping ids and versions. */
    public Result write(Snapshot snapshot, String url, boolean force) {
        try (HttpRegistryClient registry = new HttpRegistryClient(url)) {
            return write(snapshot, registry, force);
        }
    }

    private static Result write(Snapshot snapshot, HttpRegistryClient registry, boolean force) {
        String mode = call(registry, "GET", "mode", null, false).path("mode").asText();
        if (!mode.equals("IMPORT")) {
            // Refused (42205) when the target already holds subjects, unless forced: ids there could clash.
            call(registry, "PUT", "mode" + (force ? "?force=true" : ""), JSON.createObjectNode().put("mode", "IMPORT"), false);
        }
        int copied = 0;
        int there = 0;
        for (Entry e : snapshot.entries()) {
            JsonNode existing = call(registry, "GET", "subjects/" + HttpRegistryClient.encode(e.subject()) + "/versions/" + e.version(),
                    null, true);
            if (existing != null) {
                if (existing.path("id").asInt() != e.id()) {
                    throw new IllegalStateException("the target's " + e.subject() + " version " + e.version() + " has id "
                            + existing.path("id").asInt() + ", the source's has " + e.id() + ": not copied over");
                }
                there++;
                continue;
            }
            ObjectNode body = HttpRegistryClient.bodyOf(e.schema()).put("id", e.id()).put("version", e.version());
            int id = call(registry, "POST", "subjects/" + HttpRegistryClient.encode(e.subject()) + "/versions", body,
                    false).path("id").asInt();
            if (id != e.id()) {
                throw new IllegalStateException("the target gave " + e.subject() + " version " + e.version() + " id " + id + ", not "
                        + e.id());
            }
            copied++;
        }
        int configs = 0;
        if (!snapshot.globalLevel().isEmpty()) {
            call(registry, "PUT", "config", JSON.createObjectNode().put("compatibility", snapshot.globalLevel()), false);
            configs++;
        }
        for (Map.Entry<String, String> level : snapshot.subjectLevels().entrySet()) {
            call(registry, "PUT", "config/" + HttpRegistryClient.encode(level.getKey()), JSON.createObjectNode().put("compatibility",
                    level.getValue()), false);
            configs++;
        }
        call(registry, "PUT", "mode", JSON.createObjectNode().put("mode", "READWRITE"), false);
        return new Result(copied, there, configs);
    }

    /** Writes a snapshot to a file, whole or not at all. */
    public static void save(Snapshot snapshot, Path file) {
        ObjectNode root = JSON.createObjectNode().put("format", FORMAT).put("formatVersion", 1).put("globalCompatibility",
                snapshot.globalLevel());
        ObjectNode levels = root.putObject("subjectCompatibility");
        snapshot.subjectLevels().forEach(levels::put);
        ArrayNode schemas = root.putArray("schemas");
        for (Entry e : snapshot.entries()) {
            schemas.addObject().put("subject", e.subject()).put("version", e.version()).put("id", e.id())
                    .put("schemaType", e.schema().schemaType()).put("schema", e.schema().schema())
                    .set("references", HttpRegistryClient.referencesJson(e.schema().references()));
        }
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the export file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads an export file written by {@link #save}; a file of another kind is refused with what it is. */
    public static Snapshot load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a registry export (" + e.getMessage() + ")", e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText()) || root.path("formatVersion").asInt() != 1) {
            throw new IllegalArgumentException(file + ": not a registry export of format " + FORMAT + " version 1");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode e : root.path("schemas")) {
            // An entry carries a schema as a version answer does.
            entries.add(new Entry(e.path("subject").asText(), e.path("version").asInt(), e.path("id").asInt(),
                    HttpRegistryClient.textOf(e)));
        }
        Map<String, String> levels = new TreeMap<>();
        root.path("subjectCompatibility").fields().forEachRemaining(f -> levels.put(f.getKey(), f.getValue().asText()));
        return new Snapshot(entries, root.path("globalCompatibility").asText(), levels);
    }

    /**
     * One REST call ({@code path} relative to the registry); with {@code absentIsNull} a 404 answers null. Any other error is the
     * registry's own, naming the call.
     */
    private static JsonNode call(HttpRegistryClient registry, String method, String path, JsonNode body, boolean absentIsNull) {
        try {
            return registry.rest(method, path, body);
        } catch (RegistryException e) {
            if (absentIsNull && e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }
}
