package io.hypermesh.platform.registry.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hypermesh.http.StrictUtf8;
import io.hypermesh.platform.registry.CompatibilityLevel;
import io.hypermesh.platform.registry.SchemaDefinition;
import io.hypermesh.platform.registry.SchemaReference;
import io.hypermesh.schemas.registry.RegistryException;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/** What a registry request asks, read from its path, query and body, each refused with Confluent's error when it is malformed. */
final class RegistryRequests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARSED_BODY = "hypermesh.registry.parsedBody";

    private RegistryRequests() {
    }

    static String subject(RoutingContext ctx) {
        return ctx.pathParam("subject");
    }

    static int id(RoutingContext ctx) {
        String text = ctx.pathParam("id");
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryException.schemaNotFound("'" + text + "' is not a schema id (ids are integers)");
        }
    }

    static boolean flag(RoutingContext ctx, String name) {
        String value = ctx.request().getParam(name);
        return value != null && (value.isEmpty() || Boolean.parseBoolean(value));
    }

    static JsonNode body(RoutingContext ctx) {
        JsonNode parsed = ctx.get(PARSED_BODY);
        if (parsed != null) {
            return parsed;
        }
        String text;
        try {
            text = ctx.body() == null || ctx.body().buffer() == null ? null : StrictUtf8.decode(ctx.body().buffer().getBytes());
        } catch (IllegalArgumentException e) {
            throw RegistryException.badRequest(e.getMessage());
        }
        if (text == null || text.isBlank()) {
            throw RegistryException.badRequest("request body is empty; expected a JSON object");
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (!node.isObject()) {
                throw RegistryException.badRequest("request body must be a JSON object, got " + node.getNodeType());
            }
            StrictUtf8.refuseLoneSurrogates(node);
            ctx.put(PARSED_BODY, node); // read once: a handler asks for the body and the definition in it
            return node;
        } catch (IllegalArgumentException e) {
            throw RegistryException.badRequest(e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw RegistryException.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static SchemaDefinition definition(RoutingContext ctx) {
        JsonNode body = body(ctx);
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw RegistryException.invalidSchema("the request needs a 'schema' field holding the schema as a string");
        }
        List<SchemaReference> references = new ArrayList<>();
        for (JsonNode ref : body.path("references")) {
            if (!ref.path("name").isTextual() || !ref.path("subject").isTextual() || !ref.path("version").isInt()) {
                throw RegistryException.invalidSchema("each reference needs 'name', 'subject' and an integer 'version': " + ref);
            }
            references.add(new SchemaReference(ref.get("name").asText(), ref.get("subject").asText(), ref.get("version").asInt()));
        }
        return new SchemaDefinition(body.path("schemaType").asText(null), schema.asText(), references);
    }

    static String requestedLevel(RoutingContext ctx) {
        JsonNode level = body(ctx).get("compatibility");
        if (level == null || !level.isTextual()) {
            throw CompatibilityLevel.invalid(String.valueOf(level));
        }
        return level.asText();
    }

    static String requestedMode(RoutingContext ctx) {
        JsonNode mode = body(ctx).get("mode");
        if (mode == null || !mode.isTextual()) {
            throw RegistryException.invalidMode();
        }
        return mode.asText();
    }

    /** An optional integer field of a request body; a value of another type is refused, not ignored. */
    static int integer(JsonNode body, String field, int absent) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (value.isIntegralNumber() && !value.canConvertToInt() && "id".equals(field)) {
            throw RegistryException.invalidId(value.asLong());
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw RegistryException.badRequest("'" + field + "' must be an integer, was " + value);
        }
        return value.asInt();
    }
}
