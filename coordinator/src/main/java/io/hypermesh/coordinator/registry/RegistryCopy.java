package io.hypermesh.coordinator.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    /** One subject version as the source has it. */
    public record Entry(String subject, int version, int id, String schemaType, String schema, JsonNode references) {
    }

    /** Everything a copy moves: versions in id order (a reference's target comes before what uses it), and the configs. */
    public record Snapshot(List<Entry> entries, String globalLevel, Map<String, String> subjectLevels) {
    }

    /** What a copy did. */
    public record Result(int copied, int alreadyThere, int configs) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Reads the live subjects, their versions and configs from a registry at {@code url}. */
    public Snapshot read(String url) {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> levels = new TreeMap<>();
        for (JsonNode subjectNode : call(url, "GET", "/subjects", null, false)) {
            String subject = subjectNode.asText();
            for (JsonNode version : call(url, "GET", "/subjects/" + encode(subject) + "/versions", null, false)) {
                JsonNode v = call(url, "GET", "/subjects/" + encode(subject) + "/versions/" + version.asInt(), null, false);
                entries.add(new Entry(subject, v.path("version").asInt(), v.path("id").asInt(), v.path("schemaType").asText("AVRO"),
                        v.path("schema").asText(), v.path("references").isArray() ? v.get("references") : JSON.createArrayNode()));
            }
            JsonNode level = call(url, "GET", "/config/" + encode(subject), null, true);
            if (level != null) {
                levels.put(subject, level.path("compatibilityLevel").asText());
            }
        }
        entries.sort(Comparator.comparingInt(Entry::id).thenComparing(Entry::subject).thenComparingInt(Entry::version));
        String global = call(url, "GET", "/config", null, false).path("compatibilityLevel").asText();
        return new Snapshot(entries, global, levels);
    }

    /** Copies a snapshot into the registry at {@code url}, keeping ids and versions. */
    public Result write(Snapshot snapshot, String url, boolean force) {
        String mode = call(url, "GET", "/mode", null, false).path("mode").asText();
        if (!mode.equals("IMPORT")) {
            // Refused (42205) when the target already holds subjects, unless forced: ids there could clash.
            call(url, "PUT", "/mode" + (force ? "?force=true" : ""), JSON.createObjectNode().put("mode", "IMPORT"), false);
        }
        int copied = 0;
        int there = 0;
        for (Entry e : snapshot.entries()) {
            JsonNode existing = call(url, "GET", "/subjects/" + encode(e.subject()) + "/versions/" + e.version(), null, true);
            if (existing != null) {
                if (existing.path("id").asInt() != e.id()) {
                    throw new IllegalStateException("the target's " + e.subject() + " version " + e.version() + " has id "
                            + existing.path("id").asInt() + ", the source's has " + e.id() + ": not copied over");
                }
                there++;
                continue;
            }
            ObjectNode body = JSON.createObjectNode().put("schema", e.schema()).put("id", e.id()).put("version", e.version());
            if (!"AVRO".equals(e.schemaType())) {
                body.put("schemaType", e.schemaType());
            }
            if (e.references() != null && !e.references().isEmpty()) {
                body.set("references", e.references());
            }
            int id = call(url, "POST", "/subjects/" + encode(e.subject()) + "/versions", body, false).path("id").asInt();
            if (id != e.id()) {
                throw new IllegalStateException("the target gave " + e.subject() + " version " + e.version() + " id " + id + ", not " + e.id());
            }
            copied++;
        }
        int configs = 0;
        if (!snapshot.globalLevel().isEmpty()) {
            call(url, "PUT", "/config", JSON.createObjectNode().put("compatibility", snapshot.globalLevel()), false);
            configs++;
        }
        for (Map.Entry<String, String> level : snapshot.subjectLevels().entrySet()) {
            call(url, "PUT", "/config/" + encode(level.getKey()), JSON.createObjectNode().put("compatibility", level.getValue()), false);
            configs++;
        }
        call(url, "PUT", "/mode", JSON.createObjectNode().put("mode", "READWRITE"), false);
        return new Result(copied, there, configs);
    }

    /** Writes a snapshot to a file, whole or not at all. */
    public static void save(Snapshot snapshot, Path file) {
        ObjectNode root = JSON.createObjectNode().put("format", FORMAT).put("formatVersion", 1).put("globalCompatibility", snapshot.globalLevel());
        ObjectNode levels = root.putObject("subjectCompatibility");
        snapshot.subjectLevels().forEach(levels::put);
        ArrayNode schemas = root.putArray("schemas");
        for (Entry e : snapshot.entries()) {
            schemas.addObject().put("subject", e.subject()).put("version", e.version()).put("id", e.id())
                    .put("schemaType", e.schemaType()).put("schema", e.schema()).set("references", e.references());
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
            entries.add(new Entry(e.path("subject").asText(), e.path("version").asInt(), e.path("id").asInt(),
                    e.path("schemaType").asText("AVRO"), e.path("schema").asText(), e.path("references")));
        }
        Map<String, String> levels = new TreeMap<>();
        root.path("subjectCompatibility").fields().forEachRemaining(f -> levels.put(f.getKey(), f.getValue().asText()));
        return new Snapshot(entries, root.path("globalCompatibility").asText(), levels);
    }

    /** One REST call; with {@code absentIsNull} a 404 answers null. Any other error names the call and the registry's message. */
    private JsonNode call(String base, String method, String path, JsonNode body, boolean absentIsNull) {
        URI uri = URI.create(base.replaceAll("/+$", "") + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Accept", CONTENT_TYPE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404 && absentIsNull) {
                return null;
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException(method + " " + uri + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted calling " + uri, e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
