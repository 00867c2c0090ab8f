package io.hypermesh.streams.api.consul;

import io.hypermesh.http.GoDuration;
import io.hypermesh.events.CheckDefinition;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.schemas.events.Registrations;
import io.hypermesh.streams.api.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Consul request bodies into the bus's events. Like Consul, field names match whatever their case;
 * unlike a lenient decoder, a value of the wrong type is refused (400, "Request decode failed")
 * rather than coerced, and a duration is Go's syntax with no cap.
 */
public final class ConsulRequests {
    private ConsulRequests() {
    }

    /** A body of PUT /v1/agent/service/register, for the given node. */
    public static ServiceRegistered agentService(JsonObject body, boolean replaceExistingChecks, String node, String nodeAddress) {
        Fields f = new Fields(body, "");
        String name = f.string("Name", "");
        if (name.isEmpty()) {
            throw ApiException.badRequest("Missing service name");
        }
        String id = f.string("ID", name);
        String address = f.string("Address", "");
        if (address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]")) {
            throw ApiException.badRequest("Invalid service address");
        }
        List<CheckDefinition> checks = new ArrayList<>();
        JsonObject single = f.object("Check");
        JsonArray many = f.array("Checks");
        if (single != null) {
            CheckDefinition c = check(single, "Check", "service:" + id, "Service '" + name + "' check");
            if (c != null) {
                checks.add(c);
            }
        }
        if (many != null) {
            for (int k = 0; k < many.size(); k++) {
                if (!(many.getValue(k) instanceof JsonObject o)) {
                    throw decode("Checks[" + k + "] must be an object");
                }
                CheckDefinition c = check(o, "Checks[" + k + "]", "service:" + id + (many.size() > 1 || single != null ? ":" + (k + 1)
                        : ""),
                        "Service '" + name + "' check");
                if (c != null) {
                    checks.add(c);
                }
            }
        }
        ServiceRegistered r = ServiceRegistered.newBuilder().setInstanceId(id).setServiceName(name)
                .setEndpoint(new Endpoint(address, f.integer("Port", 0), "tcp"))
                .setTags(f.strings("Tags")).setWeights(weights(f.object("Weights")))
                .setMetadata(f.stringMap("Meta")).setTtlMs(0).setNode(node).setNodeAddress(nodeAddress)
                .setEnableTagOverride(f.bool("EnableTagOverride", false)).setChecks(checks)
                .setReplaceExistingChecks(replaceExistingChecks).build();
        refuse(Registrations.problem(r));
        return r;
    }

    /** A check body; null for an empty one (Consul ignores those). */
    public static CheckDefinition check(JsonObject body, String where, String defaultId, String defaultName) {
        if (body.isEmpty()) {
            return null;
        }
        Fields f = new Fields(body, where.isEmpty() ? "" : where + ".");
        for (String unsupported : List.of("ScriptArgs", "Args", "DockerContainerID", "GRPC", "H2PING", "AliasService", "AliasNode",
                "OSService")) {
            if (f.hasValue(unsupported)) {
                throw ApiException.badRequest("the bus runs TTL, HTTP and TCP checks; " + unsupported + " checks are not supported");
            }
        }
        long ttl = f.durationMillis("TTL");
        long interval = f.durationMillis("Interval");
        String http = f.string("HTTP", null);
        String tcp = f.string("TCP", null);
        String type = http != null ? "http" : tcp != null ? "tcp" : ttl > 0 ? "ttl" : null;
        if (type == null) {
            throw ApiException.badRequest("Must provide TTL or Script/DockerContainerID/HTTP/TCP and Interval");
        }
        String name = f.string("Name", defaultName == null ? "" : defaultName);
        String id = f.string("CheckID", f.string("ID", defaultId != null ? defaultId : name));
        Map<String, List<String>> header = new HashMap<>();
        JsonObject headers = f.object("Header");
        if (headers != null) {
            headers.forEach(e -> {
                if (!(e.getValue() instanceof JsonArray values) || !values.stream().allMatch(v -> v instanceof String)) {
                    throw decode(where + ".Header." + e.getKey() + " must be an array of strings");
                }
                List<String> list = new ArrayList<>();
                values.forEach(v -> list.add((String) v));
                header.put(e.getKey(), list);
            });
        }
        CheckDefinition c = CheckDefinition.newBuilder().setCheckId(id).setName(name).setNotes(f.string("Notes", ""))
                .setStatus(f.string("Status", null) == null || f.string("Status", "").isEmpty() ? null : f.string("Status", null))
                .setType(type).setTtlMs(type.equals("ttl") ? ttl : 0).setHttp(http).setMethod(f.string("Method", null)).setHeader(header)
                .setTlsSkipVerify(f.bool("TLSSkipVerify", false)).setTcp(tcp).setIntervalMs(interval)
                .setTimeoutMs(f.durationMillis("Timeout")).setDeregisterCriticalAfterMs(f.durationMillis("DeregisterCriticalServiceAfter"))
                .build();
        refuse(Registrations.problem(c));
        return c;
    }

    /** A check of /v1/catalog/register: its status is written, never judged (Consul runs nothing for it). */
    public static CheckDefinition catalogCheck(JsonObject body, String where, String defaultId) {
        Fields f = new Fields(body, where + ".");
        String name = f.string("Name", "");
        CheckDefinition c = CheckDefinition.newBuilder().setCheckId(f.string("CheckID", defaultId != null ? defaultId : name)).setName(name)
                .setNotes(f.string("Notes", "")).setStatus(f.string("Status", "critical")).setType("").build();
        refuse(Registrations.problem(c));
        return c;
    }

    private static Weights weights(JsonObject body) {
        if (body == null) {
            return new Weights(1, 1);
        }
        Fields f = new Fields(body, "Weights.");
        return new Weights(f.integer("Passing", 0), f.integer("Warning", 0));
    }

    private static void refuse(String problem) {
        if (problem != null) {
            throw ApiException.badRequest(problem);
        }
    }

    /** A request's body as Consul reads one: JSON whatever the content type, empty for none, a 400 for anything but an object. */
    public static JsonObject jsonBody(io.vertx.ext.web.RoutingContext ctx) {
        io.vertx.core.buffer.Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
        if (raw == null || raw.length() == 0) {
            return new JsonObject();
        }
        try {
            Object parsed = io.vertx.core.json.Json.decodeValue(raw);
            if (!(parsed instanceof JsonObject o)) {
                throw ApiException.badRequest("Request decode failed: the body must be a JSON object");
            }
            return o;
        } catch (io.vertx.core.json.DecodeException e) {
            throw ApiException.badRequest("Request decode failed: " + e.getMessage());
        }
    }

    public static ApiException decode(String reason) {
        return ApiException.badRequest("Request decode failed: " + reason);
    }

    /** Fields of a JSON object looked up as Consul does, whatever their case, each of one type or refused. */
    public static final class Fields {
        private final Map<String, Object> byLowerName = new HashMap<>();
        private final String where;

        public Fields(JsonObject body, String where) {
            this.where = where;
            body.forEach(e -> byLowerName.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        }

        /** Whether the field is there with something in it (clients send empty lists and nulls for what they leave out). */
        public boolean hasValue(String field) {
            Object v = get(field);
            return v != null && !(v instanceof JsonArray a && a.isEmpty()) && !(v instanceof String s && s.isEmpty())
                    && !(v instanceof JsonObject o && o.isEmpty()) && !Boolean.FALSE.equals(v);
        }

        private Object get(String field) {
            return byLowerName.get(field.toLowerCase(Locale.ROOT));
        }

        /** A string that must be there and not empty, else 400 with Consul's {@code message}. */
        public String required(String field, String message) {
            String value = string(field, "");
            if (value.isEmpty()) {
                throw ApiException.badRequest(message);
            }
            return value;
        }

        public String string(String field, String fallback) {
            Object v = get(field);
            if (v == null) {
                return fallback;
            }
            if (!(v instanceof String s)) {
                throw decode(where + field + " must be a string, was " + describe(v));
            }
            return s;
        }

        public int integer(String field, int fallback) {
            Object v = get(field);
            if (v == null) {
                return fallback;
            }
            if (!(v instanceof Integer i)) {
                throw decode(where + field + " must be an integer in " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + ", was "
                        + describe(v));
            }
            return i;
        }

        public boolean bool(String field, boolean fallback) {
            Object v = get(field);
            if (v == null) {
                return fallback;
            }
            if (!(v instanceof Boolean b)) {
                throw decode(where + field + " must be true or false, was " + describe(v));
            }
            return b;
        }

        public JsonObject object(String field) {
            Object v = get(field);
            if (v != null && !(v instanceof JsonObject)) {
                throw decode(where + field + " must be an object, was " + describe(v));
            }
            return (JsonObject) v;
        }

        public JsonArray array(String field) {
            Object v = get(field);
            if (v != null && !(v instanceof JsonArray)) {
                throw decode(where + field + " must be an array, was " + describe(v));
            }
            return (JsonArray) v;
        }

        public List<String> strings(String field) {
            JsonArray array = array(field);
            List<String> out = new ArrayList<>();
            if (array != null) {
                for (Object v : array) {
                    if (!(v instanceof String s)) {
                        throw decode(where + field + " must be an array of strings, holds " + describe(v));
                    }
                    out.add(s);
                }
            }
            return out;
        }

        public Map<String, String> stringMap(String field) {
            JsonObject object = object(field);
            Map<String, String> out = new HashMap<>();
            if (object != null) {
                object.forEach(e -> {
                    if (!(e.getValue() instanceof String s)) {
                        throw decode(where + field + "." + e.getKey() + " must be a string, was " + describe(e.getValue()));
                    }
                    out.put(e.getKey(), s);
                });
            }
            return out;
        }

        /** A duration as Go's syntax ("1h30m") or a number of nanoseconds; 0 when absent. */
        public long durationMillis(String field) {
            Object v = get(field);
            if (v == null || (v instanceof String s && s.isEmpty())) {
                return 0;
            }
            if (v instanceof Number n) {
                if (!(n instanceof Integer || n instanceof Long)) {
                    throw decode(where + field + " must be a duration such as \"10s\", was " + describe(v));
                }
                return n.longValue() / 1_000_000;
            }
            if (!(v instanceof String s)) {
                throw decode(where + field + " must be a duration such as \"10s\", was " + describe(v));
            }
            try {
                return GoDuration.parseMillis(s);
            } catch (IllegalArgumentException e) {
                throw decode(where + field + ": " + e.getMessage());
            }
        }

        private static String describe(Object v) {
            String text = v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
            return text.length() > 60 ? text.substring(0, 60) + "..." : text;
        }
    }
}
