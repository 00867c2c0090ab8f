package io.hypermesh.adapters.security;

import io.hypermesh.adapters.InvalidInputException;
import io.hypermesh.adapters.JsonInput;
import io.hypermesh.events.security.SecurityAlert;
import io.hypermesh.events.security.SecurityEngine;
import io.hypermesh.events.security.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Falco alerts (its JSON output, as http_output posts it) and Tetragon export lines (its JSON
 * export file) mapped to security alerts with a severity. Pure functions: bad input throws an
 * {@link InvalidInputException} that says what is wrong.
 */
public final class SecurityInput {
    private SecurityInput() {
    }

    /** An alert, when it happened, and the key it is published under (host, else container). */
    public record Alert(SecurityAlert alert, Instant at, String key) {
    }

    private static final List<String> TETRAGON_POLICY_EVENTS = List.of("process_kprobe", "process_tracepoint", "process_uprobe",
            "process_lsm");
    private static final List<String> TETRAGON_PROCESS_EVENTS = List.of("process_exec", "process_exit");
    private static final List<String> TETRAGON_OTHER_EVENTS = List.of("process_loader", "process_throttle", "rate_limit_info");

    public static Alert falco(String json) {
        JsonObject o = JsonInput.object(json);
        String rule = JsonInput.text(o, "rule");
        Severity severity = falcoPriority(JsonInput.text(o, "priority"));
        String output = JsonInput.text(o, "output");
        Instant at = JsonInput.time(o, "time");
        String host = JsonInput.optionalText(o, "hostname");
        Object fieldsValue = o.getValue("output_fields");
        if (fieldsValue != null && !(fieldsValue instanceof JsonObject)) {
            throw new InvalidInputException("'output_fields' must be an object");
        }
        Map<String, String> fields = JsonInput.flat((JsonObject) fieldsValue);
        String container = fields.get("container.id");
        if ("host".equals(container)) {
            container = null; // Falco's name for "not in a container"
        }
        String process = fields.getOrDefault("proc.cmdline", fields.get("proc.name"));
        String source = JsonInput.optionalText(o, "source");
        if (source != null) {
            fields.put("falco.source", source);
        }
        if (o.getValue("tags") instanceof JsonArray tags) {
            fields.put("falco.tags", String.join(",", tags.stream().map(String::valueOf).toList()));
        }
        SecurityAlert alert = new SecurityAlert(SecurityEngine.FALCO, rule, severity, output, host, container, process, fields);
        return new Alert(alert, at, host != null ? host : container != null ? container : "unknown-host");
    }

    static Severity falcoPriority(String priority) {
        return switch (priority.toLowerCase(Locale.ROOT)) {
            case "emergency" -> Severity.EMERGENCY;
            case "alert" -> Severity.ALERT;
            case "critical" -> Severity.CRITICAL;
            case "error" -> Severity.ERROR;
            case "warning" -> Severity.WARNING;
            case "notice" -> Severity.NOTICE;
            case "informational", "info" -> Severity.INFORMATIONAL;
            case "debug" -> Severity.DEBUG;
            default -> throw new InvalidInputException("'priority' " + priority + " is not a Falco priority (Emergency..Debug)");
        };
    }

    /**
     * One Tetragon export line: exactly one event member (process_exec, process_kprobe, ...) beside
     * node_name and time. Policy events are WARNING, or CRITICAL when the policy enforced (killed,
     * overrode a return value, notified the enforcer); process starts and exits are INFORMATIONAL.
     */
    public static Alert tetragon(String line) {
        JsonObject o = JsonInput.object(line);
        List<String> kinds = o.fieldNames().stream().filter(k -> k.startsWith("process_") || TETRAGON_OTHER_EVENTS.contains(k)).toList();
        if (kinds.size() != 1) {
            throw new InvalidInputException(kinds.isEmpty() ? "no Tetragon event in the line (process_exec, process_kprobe, ...)"
                    : "more than one Tetragon event in one line: " + kinds);
        }
        String kind = kinds.get(0);
        if (!(o.getValue(kind) instanceof JsonObject event)) {
            throw new InvalidInputException("'" + kind + "' must be an object");
        }
        Instant at = JsonInput.time(o, "time");
        String node = JsonInput.optionalText(o, "node_name");
        JsonObject process = event.getValue("process") instanceof JsonObject p ? p : new JsonObject();
        String binary = string(process, "binary");
        String arguments = string(process, "arguments");
        String commandLine = binary == null ? null : arguments == null || arguments.isEmpty() ? binary : binary + " " + arguments;
        String container = string(process, "docker");
        Map<String, String> fields = new TreeMap<>();
        fields.put("tetragon.event", kind);
        put(fields, "process.pid", process.getValue("pid"));
        put(fields, "process.uid", process.getValue("uid"));
        put(fields, "process.exec_id", process.getValue("exec_id"));
        put(fields, "process.binary", binary);
        if (event.getValue("parent") instanceof JsonObject parent) {
            put(fields, "parent.binary", parent.getValue("binary"));
        }
        if (process.getValue("pod") instanceof JsonObject pod) {
            put(fields, "pod.namespace", pod.getValue("namespace"));
            put(fields, "pod.name", pod.getValue("name"));
            if (pod.getValue("container") instanceof JsonObject c && c.getValue("image") instanceof JsonObject image) {
                put(fields, "image", image.getValue("name"));
            }
        }
        // What a kprobe's arguments say, for the workload baselines: where it connects, which file it touches.
        if (event.getValue("args") instanceof io.vertx.core.json.JsonArray args) {
            for (Object arg : args) {
                if (arg instanceof JsonObject a && a.getValue("sock_arg") instanceof JsonObject sock) {
                    put(fields, "sock.daddr", sock.getValue("daddr"));
                    put(fields, "sock.dport", sock.getValue("dport"));
                } else if (arg instanceof JsonObject a && a.getValue("file_arg") instanceof JsonObject file) {
                    put(fields, "file.path", file.getValue("path"));
                } else if (arg instanceof JsonObject a && a.getValue("int_arg") != null && fields.containsKey("file.path")) {
                    put(fields, "file.mask", a.getValue("int_arg"));
                }
            }
        }
        String rule;
        Severity severity;
        if (TETRAGON_POLICY_EVENTS.contains(kind)) {
            String policy = string(event, "policy_name");
            String function = string(event, "function_name");
            if (function == null) {
                function = string(event, "event");
            }
            if (function == null) {
                function = kind;
            }
            rule = policy != null ? policy : function;
            put(fields, "function", function);
            String action = string(event, "action");
            action = action == null ? "" : action;
            put(fields, "action", action.isEmpty() ? null : action);
            severity = action.endsWith("SIGKILL") || action.endsWith("OVERRIDE") || action.endsWith("NOTIFY_ENFORCER")
                    ? Severity.CRITICAL : Severity.WARNING;
        } else if (TETRAGON_PROCESS_EVENTS.contains(kind)) {
            rule = kind;
            severity = Severity.INFORMATIONAL;
            put(fields, "exit.status", event.getValue("status"));
            put(fields, "exit.signal", event.getValue("signal"));
        } else {
            rule = kind;
            severity = Severity.NOTICE;
        }
        String output = kind + (commandLine == null ? "" : " " + commandLine) + (node == null ? "" : " on " + node);
        SecurityAlert alert = new SecurityAlert(SecurityEngine.TETRAGON, rule, severity, output, node, container, commandLine, fields);
        return new Alert(alert, at, node != null ? node : container != null ? container : "unknown-host");
    }

    /** A text field: null when absent or null, refused when it is something else. */
    private static String string(JsonObject o, String field) {
        Object value = o.getValue(field);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new InvalidInputException("'" + field + "' must be text, was " + value.getClass().getSimpleName());
    }

    private static void put(Map<String, String> fields, String key, Object value) {
        if (value != null) {
            fields.put(key, String.valueOf(value));
        }
    }
}
