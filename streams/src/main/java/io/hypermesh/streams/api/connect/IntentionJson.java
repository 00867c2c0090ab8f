package io.hypermesh.streams.api.connect;

import io.hypermesh.events.connect.IntentionHeader;
import io.hypermesh.events.connect.IntentionHttp;
import io.hypermesh.events.connect.IntentionPermission;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.consul.ConsulRequests;
import io.hypermesh.streams.connect.Intention;
import io.hypermesh.streams.connect.Permission;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Intentions in Consul's JSON: what the endpoints answer, and the bodies they take, checked as Consul checks them. */
final class IntentionJson {
    /** What {@code ?filter} may select, as Consul lists them for intentions. */
    static final Set<String> FIELDS = Set.of("Action", "Description", "DestinationNS", "DestinationName", "ID", "Meta", "Precedence",
            "SourceNS", "SourceName", "SourceType");
    static final int MAX_PERMISSIONS = 100;
    static final int MAX_NAME = 256;
    static final int MAX_META = 64;

    /** A body's fields, before they become an event. */
    record Written(String sourceName, String destinationName, String sourceType, String action, List<IntentionPermission> permissions,
                   String description, Map<String, String> meta) {
    }

    private IntentionJson() {
    }

    static JsonObject render(Intention i) {
        JsonObject o = new JsonObject();
        if (!i.id().isEmpty()) {
            o.put("ID", i.id());
        }
        o.put("Description", i.description()).put("SourceNS", i.sourceNs()).put("SourceName", i.sourceName())
                .put("DestinationNS", i.destinationNs()).put("DestinationName", i.destinationName()).put("SourceType", i.sourceType())
                .put("Action", i.action() == null ? "" : i.action());
        if (i.l7()) {
            JsonArray permissions = new JsonArray();
            i.permissions().forEach(p -> permissions.add(permission(p)));
            o.put("Permissions", permissions);
        }
        o.put("Meta", new JsonObject(new TreeMap<>(i.meta()))).put("Precedence", i.precedence());
        if (!i.id().isEmpty()) {
            o.put("CreatedAt", i.createdAt().toString()).put("UpdatedAt", i.updatedAt().toString());
        }
        return o.put("CreateIndex", i.createIndex()).put("ModifyIndex", i.modifyIndex());
    }

    private static JsonObject permission(Permission p) {
        JsonObject http = new JsonObject();
        putIf(http, "PathExact", p.pathExact());
        putIf(http, "PathPrefix", p.pathPrefix());
        putIf(http, "PathRegex", p.pathRegex() == null ? null : p.pathRegex().pattern());
        if (!p.headers().isEmpty()) {
            JsonArray headers = new JsonArray();
            for (Permission.Header h : p.headers()) {
                JsonObject header = new JsonObject().put("Name", h.name());
                if (h.present()) {
                    header.put("Present", true);
                }
                putIf(header, "Exact", h.exact());
                putIf(header, "Prefix", h.prefix());
                putIf(header, "Suffix", h.suffix());
                putIf(header, "Regex", h.regex() == null ? null : h.regex().pattern());
                if (h.invert()) {
                    header.put("Invert", true);
                }
                headers.add(header);
            }
            http.put("Header", headers);
        }
        if (!p.methods().isEmpty()) {
            http.put("Methods", new JsonArray(p.methods()));
        }
        return new JsonObject().put("Action", p.action()).put("HTTP", http);
    }

    private static void putIf(JsonObject o, String name, String value) {
        if (value != null) {
            o.put(name, value);
        }
    }

    /** A service name of a source or destination: a name or {@code *}, never a partial wildcard. */
    static String name(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw ApiException.badRequest(field + " must be set");
        }
        if (value.contains("*") && !value.equals(Intention.WILDCARD)) {
            throw ApiException.badRequest(field + ": wildcard character '*' cannot be used with partial values");
        }
        if (value.length() > MAX_NAME || value.chars().anyMatch(c -> Character.isISOControl(c) || c == '/')) {
            throw ApiException.badRequest(field + " must be at most " + MAX_NAME + " characters, without '/' or control characters");
        }
        return value;
    }

    /** A body of the exact or ID endpoints; names come from the query or the body as the endpoint says. */
    static Written read(JsonObject body, String sourceName, String destinationName, boolean legacy) {
        ConsulRequests.Fields f = new ConsulRequests.Fields(body, "");
        String source = name(sourceName != null ? sourceName : f.string("SourceName", ""), "SourceName");
        String destination = name(destinationName != null ? destinationName : f.string("DestinationName", ""), "DestinationName");
        for (String ns : List.of("SourceNS", "DestinationNS")) {
            String given = f.string(ns, "");
            if (!given.isEmpty() && !given.equals("default")) {
                throw ApiException.badRequest(ns + " \"" + given + "\": namespaces other than default are a Consul Enterprise feature");
            }
        }
        String sourceType = f.string("SourceType", "consul");
        if (!sourceType.equals("consul")) {
            throw ApiException.badRequest("SourceType must be set to 'consul'");
        }
        String action = f.string("Action", "");
        Object rawPermissions = body.getValue("Permissions");
        List<IntentionPermission> permissions = rawPermissions == null ? List.of() : permissions(rawPermissions);
        if (legacy && !permissions.isEmpty()) {
            throw ApiException.badRequest("Permissions are not supported by the deprecated ID endpoints; use /v1/connect/intentions/exact");
        }
        if (!permissions.isEmpty() && !action.isEmpty()) {
            throw ApiException.badRequest("Action must be empty when Permissions are present");
        }
        if (permissions.isEmpty() && !action.equals("allow") && !action.equals("deny")) {
            throw ApiException.badRequest("Action must be set to 'allow' or 'deny'");
        }
        Map<String, String> meta = new TreeMap<>();
        Object rawMeta = body.getValue("Meta");
        if (legacy && rawMeta instanceof JsonObject m) {
            if (m.size() > MAX_META) {
                throw ApiException.badRequest("Meta exceeds maximum element count " + MAX_META);
            }
            m.forEach(e -> meta.put(e.getKey(), String.valueOf(e.getValue())));
        }
        String description = f.string("Description", "");
        if (description.length() > 4096) {
            throw ApiException.badRequest("Description must be at most 4096 characters");
        }
        return new Written(source, destination, sourceType, permissions.isEmpty() ? action : null, permissions, description, meta);
    }

    private static List<IntentionPermission> permissions(Object raw) {
        if (!(raw instanceof JsonArray list)) {
            throw ConsulRequests.decode("Permissions must be a list");
        }
        if (list.size() > MAX_PERMISSIONS) {
            throw ApiException.badRequest("Permissions has " + list.size() + " entries; at most " + MAX_PERMISSIONS);
        }
        List<IntentionPermission> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.getValue(i) instanceof JsonObject p)) {
                throw ConsulRequests.decode("Permissions[" + i + "] must be an object");
            }
            ConsulRequests.Fields f = new ConsulRequests.Fields(p, "Permissions[" + i + "].");
            if (!(p.getValue("HTTP") instanceof JsonObject h)) {
                throw ApiException.badRequest("Permissions[" + i + "].HTTP is required");
            }
            ConsulRequests.Fields hf = new ConsulRequests.Fields(h, "Permissions[" + i + "].HTTP.");
            List<String> methods = new ArrayList<>();
            if (h.getValue("Methods") instanceof JsonArray m) {
                m.forEach(x -> methods.add(String.valueOf(x)));
            }
            List<IntentionHeader> headers = new ArrayList<>();
            if (h.getValue("Header") instanceof JsonArray hs) {
                for (Object x : hs) {
                    if (!(x instanceof JsonObject header)) {
                        throw ConsulRequests.decode("Permissions[" + i + "].HTTP.Header entries must be objects");
                    }
                    ConsulRequests.Fields xf = new ConsulRequests.Fields(header, "Permissions[" + i + "].HTTP.Header.");
                    headers.add(new IntentionHeader(xf.string("Name", ""), xf.bool("Present", false), opt(xf, "Exact"), opt(xf, "Prefix"),
                            opt(xf, "Suffix"), opt(xf, "Regex"), xf.bool("Invert", false)));
                }
            }
            IntentionPermission permission = new IntentionPermission(f.string("Action", ""), new IntentionHttp(opt(hf, "PathExact"),
                    opt(hf, "PathPrefix"), opt(hf, "PathRegex"), methods, headers));
            check(i, permission);
            out.add(permission);
        }
        return out;
    }

    /** Compiles it as the fold will, so a bad permission is a 400 here rather than a dead letter there. */
    private static void check(int index, IntentionPermission p) {
        try {
            Intention.compile(index, p);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static String opt(ConsulRequests.Fields f, String name) {
        String v = f.string(name, "");
        return v.isEmpty() ? null : v;
    }
}
