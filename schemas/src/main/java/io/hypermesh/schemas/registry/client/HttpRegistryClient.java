package io.hypermesh.schemas.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hypermesh.schemas.kafka.TlsIdentity;
import io.hypermesh.schemas.registry.RegistryException;
import org.apache.avro.Schema;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client for the Confluent schema registry REST API (works with Confluent, Apicurio's ccompat,
 * Karapace and our own service). Ids and schemas are cached: an id never changes what it names.
 * Several comma-separated URLs fail over in order on connection errors.
 */
public final class HttpRegistryClient implements RegistryClient {
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> baseUrls;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, SchemaText> textsById = new ConcurrentHashMap<>();
    private final Map<String, Map<SchemaText, Integer>> textIdsBySubject = new ConcurrentHashMap<>();

    public HttpRegistryClient(String urls) {
        this(urls, TlsIdentity.NONE);
    }

    /** @param tls the caller's identity for an HTTPS registry (its certificate shown, the bus CA trusted) */
    public HttpRegistryClient(String urls, TlsIdentity tls) {
        this(urls, Duration.ofSeconds(30), tls);
    }

    public HttpRegistryClient(String urls, Duration timeout, TlsIdentity tls) {
        if (urls == null || urls.isBlank()) {
            throw new IllegalArgumentException("schema registry URL is not set");
        }
        this.baseUrls = Arrays.stream(urls.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(u -> URI.create(u.endsWith("/") ? u : u + "/")).toList();
        this.timeout = timeout;
        this.http = tls.jdkClient(timeout);
    }

    @Override
    public int register(String subject, Schema schema) {
        return idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(schema, s -> {
                    int id = call("POST", "subjects/" + encode(subject) + "/versions", body(s)).path("id").asInt();
                    schemasById.putIfAbsent(id, s);
                    return id;
                });
    }

    @Override
    public int idOf(String subject, Schema schema) {
        return idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(schema, s -> call("POST", "subjects/" + encode(subject), body(s)).path("id").asInt());
    }

    @Override
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id, i -> {
            JsonNode answer = call("GET", "schemas/ids/" + i, null);
            String type = answer.path("schemaType").asText("AVRO");
            if (!"AVRO".equals(type)) {
                throw new RegistryException(422, 42201, "schema id " + i + " is of type " + type + ", not AVRO");
            }
            return new Schema.Parser().parse(answer.path("schema").asText());
        });
    }

    @Override
    public RegisteredSchema latest(String subject) {
        JsonNode answer = call("GET", "subjects/" + encode(subject) + "/versions/latest", null);
        Schema schema = new Schema.Parser().parse(answer.path("schema").asText());
        return new RegisteredSchema(subject, answer.path("version").asInt(), answer.path("id").asInt(), schema);
    }

    @Override
    public List<String> incompatibilities(String subject, Schema candidate) {
        JsonNode answer = call("POST", "compatibility/subjects/" + encode(subject) + "/versions?verbose=true", body(candidate));
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(m -> messages.add(m.asText()));
        if (!answer.path("is_compatible").asBoolean() && messages.isEmpty()) {
            messages.add("incompatible");
        }
        return messages;
    }

    @Override
    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        call("GET", "subjects", null).forEach(s -> out.add(s.asText()));
        return out;
    }

    @Override
    public List<Integer> versions(String subject) {
        List<Integer> out = new ArrayList<>();
        call("GET", "subjects/" + encode(subject) + "/versions", null).forEach(v -> out.add(v.asInt()));
        return out;
    }

    @Override
    public SchemaText schemaText(int id) {
        return textsById.computeIfAbsent(id, i -> textOf(call("GET", "schemas/ids/" + i, null)));
    }

    @Override
    public RegisteredText versionText(String subject, String version) {
        JsonNode answer = call("GET", "subjects/" + encode(subject) + "/versions/" + version, null);
        return new RegisteredText(subject, answer.path("version").asInt(), answer.path("id").asInt(), textOf(answer));
    }

    @Override
    public int register(String subject, SchemaText schema) {
        return textIdsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).computeIfAbsent(schema, s -> {
            int id = call("POST", "subjects/" + encode(subject) + "/versions", bodyOf(s).toString()).path("id").asInt();
            textsById.putIfAbsent(id, s);
            return id;
        });
    }

    /** A register body for {@code schema} as Confluent's clients send it: no schemaType for AVRO, no references when it has none. */
    public static ObjectNode bodyOf(SchemaText schema) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema.schema());
        if (!"AVRO".equals(schema.schemaType())) {
            body.put("schemaType", schema.schemaType());
        }
        if (!schema.references().isEmpty()) {
            body.set("references", referencesJson(schema.references()));
        }
        return body;
    }

    /** References as the REST API lists them. */
    public static ArrayNode referencesJson(List<Reference> references) {
        ArrayNode refs = JSON.createArrayNode();
        references.forEach(r -> refs.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version()));
        return refs;
    }

    /** The schema of a {@code /schemas/ids/..} or {@code /subjects/../versions/..} answer. */
    public static SchemaText textOf(JsonNode answer) {
        List<Reference> references = new ArrayList<>();
        answer.path("references").forEach(r -> references.add(new Reference(r.path("name").asText(),
                r.path("subject").asText(), r.path("version").asInt())));
        return new SchemaText(answer.path("schemaType").asText("AVRO"), answer.path("schema").asText(), references);
    }

    @Override
    public String describe() {
        return baseUrls.toString();
    }

    private static String body(Schema schema) {
        ObjectNode node = JSON.createObjectNode();
        node.put("schema", schema.toString());
        return node.toString();
    }

    /**
     * One call of the registry's REST API as JSON, for tools that move schemas of any type (not only
     * Avro): {@code path} is relative (a subject in it goes through {@link #encode}). An error
     * answer is a {@link RegistryException} with the registry's own status and code.
     */
    public JsonNode rest(String method, String path, JsonNode body) {
        return call(method, path, body == null ? null : body.toString());
    }

    private JsonNode call(String method, String path, String body) {
        IOException lastFailure = null;
        for (URI base : baseUrls) {
            URI uri = base.resolve(path);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Accept", CONTENT_TYPE)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE);
            }
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return parse(method, uri, response);
            } catch (IOException e) {
                lastFailure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw RegistryException.timeout("interrupted calling " + method + " " + uri);
            }
        }
        throw new RegistryException(503, 50003, "schema registry unreachable at " + baseUrls + ": " + lastFailure);
    }

    private static JsonNode parse(String method, URI uri, HttpResponse<String> response) {
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new RegistryException(response.statusCode(), response.statusCode(),
                    method + " " + uri + " answered " + response.statusCode() + " with a body that is not JSON: "
                            + abbreviate(response.body()));
        }
        if (response.statusCode() / 100 != 2) {
            int code = json.path("error_code").asInt(response.statusCode());
            String message = json.path("message").asText(abbreviate(response.body()));
            throw new RegistryException(response.statusCode(), code, message + " (" + method + " " + uri + ")");
        }
        return json;
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /** A subject as a path segment. */
    public static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
