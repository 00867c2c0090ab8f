package io.hypermesh.schemas.events;

import io.hypermesh.events.CheckDefinition;
import io.hypermesh.events.registry.ServiceRegistered;

import java.util.HashSet;
import java.util.Set;

/**
 * What makes a registration valid, in one place: the query API answers 400 with this reason, the
 * container adapter refuses to publish it, and the registry fold dead-letters it. Every rule holds
 * for any producer, so a registration the API accepts is never one the fold refuses.
 */
public final class Registrations {
    /** Longest heartbeat lease of a native registration (a Consul registration has none: 0). */
    public static final long MAX_LEASE_MS = 24L * 3600 * 1000;
    /** Consul's limits on service metadata. */
    public static final int MAX_META_PAIRS = 64;
    /** The longest id or name: percent-encoded three times over, it still fits the API's 64 KB request line. */
    public static final int MAX_ID_BYTES = 4_096;
    public static final int MAX_META_KEY_LENGTH = 128;
    public static final int MAX_META_VALUE_LENGTH = 512;
    private static final java.util.regex.Pattern META_KEY = java.util.regex.Pattern.compile("[a-zA-Z0-9_-]+");
    /** Consul's check statuses. */
    public static final Set<String> STATUSES = Set.of("passing", "warning", "critical");

    private Registrations() {
    }

    /** The first problem of a registration, or null when it is valid. */
    public static String problem(ServiceRegistered r) {
        String id = idProblem("ID", r.getInstanceId());
        if (id != null) {
            return id;
        }
        if (r.getServiceName().isEmpty()) {
            return "Missing service name";
        }
        String name = idProblem("Name", r.getServiceName());
        if (name != null) {
            return name;
        }
        for (String tag : r.getTags()) {
            String problem = controlProblem("Tags", tag);
            if (problem != null) {
                return problem;
            }
        }
        String meta = metaProblem(r.getMetadata());
        if (meta != null) {
            return meta;
        }
        for (String text : texts(r)) {
            String unicode = unicodeProblem(text);
            if (unicode != null) {
                return unicode;
            }
        }
        int port = r.getEndpoint().getPort();
        if (port < 0 || port > 65535) {
            return "Port must be 0..65535, was " + port;
        }
        if (r.getWeights().getPassing() < 1) {
            return "Invalid Weights: Passing must be greater than 0";
        }
        if (r.getWeights().getWarning() < 0) {
            return "Invalid Weights: Warning must be greater or equal than 0";
        }
        if (r.getTtlMs() < 0 || r.getTtlMs() > MAX_LEASE_MS) {
            return "ttlMs (the heartbeat lease) must be 0 (none) or 1.." + MAX_LEASE_MS + ", was " + r.getTtlMs();
        }
        if (r.getNode() != null) {
            String node = idProblem("Node", r.getNode());
            if (node != null) {
                return node;
            }
        }
        Set<String> checkIds = new HashSet<>();
        for (CheckDefinition check : r.getChecks()) {
            String problem = problem(check);
            if (problem != null) {
                return problem;
            }
            if (!checkIds.add(check.getCheckId())) {
                return "duplicate check ID '" + check.getCheckId() + "'";
            }
        }
        return null;
    }

    /** The first problem of a check definition, or null; the wording is Consul's where Consul has one. */
    public static String problem(CheckDefinition c) {
        String id = idProblem("CheckID", c.getCheckId());
        if (id != null) {
            return id;
        }
        if (c.getName().isEmpty()) {
            return "Missing check name";
        }
        if (c.getStatus() != null && !STATUSES.contains(c.getStatus())) {
            return "Status for checks must 'passing', 'warning', 'critical'";
        }
        switch (c.getType()) {
            case "ttl" -> {
                if (c.getTtlMs() <= 0) {
                    return "TTL must be > 0 for TTL checks";
                }
                if (c.getIntervalMs() > 0) {
                    return "Interval and TTL cannot both be specified";
                }
            }
            case "http", "tcp" -> {
                if (c.getIntervalMs() <= 0) {
                    return "Interval must be > 0 for Script, HTTP, or TCP checks";
                }
                if (c.getTtlMs() > 0) {
                    return "Interval and TTL cannot both be specified";
                }
                if (c.getType().equals("http") && (c.getHttp() == null || c.getHttp().isBlank())) {
                    return "HTTP check needs an HTTP URL";
                }
                if (c.getType().equals("tcp") && (c.getTcp() == null || !c.getTcp().matches(".+:\\d{1,5}"))) {
                    return "TCP check needs host:port, was '" + c.getTcp() + "'";
                }
            }
            case "", "maintenance" -> {
                // Set only by writes: a catalog check, or the check that puts a service in maintenance.
                if (c.getTtlMs() > 0 || c.getIntervalMs() > 0) {
                    return "a check without a type takes neither TTL nor Interval";
                }
            }
            default -> {
                return "check type must be ttl, http, tcp, maintenance or empty, was '" + c.getType() + "'";
            }
        }
        if (c.getTimeoutMs() < 0 || c.getDeregisterCriticalAfterMs() < 0) {
            return "Timeout and DeregisterCriticalServiceAfter must not be negative";
        }
        return null;
    }

    /** Consul's rules for service metadata, in its words (Go counts bytes: so do we). */
    public static String metaProblem(java.util.Map<String, String> meta) {
        if (meta.size() > MAX_META_PAIRS) {
            return "Invalid Service Meta: Service metadata cannot contain more than " + MAX_META_PAIRS + " key/value pairs";
        }
        for (var e : new java.util.TreeMap<>(meta).entrySet()) {
            String key = e.getKey();
            String why = key.isEmpty() ? "Key cannot be blank"
                    : !META_KEY.matcher(key).matches() ? "Key contains invalid characters"
                    : utf8Length(key) > MAX_META_KEY_LENGTH ? "Key is too long (limit: " + MAX_META_KEY_LENGTH + " characters)"
                    : key.startsWith("consul-") ? "Key prefix 'consul-' is reserved for internal use"
                    : utf8Length(e.getValue()) > MAX_META_VALUE_LENGTH ? "Value is too long (limit: " + MAX_META_VALUE_LENGTH
                            + " characters)"
                    : null;
            if (why != null) {
                return "Invalid Service Meta: Couldn't load metadata pair('" + abbreviate(key) + "', '" + abbreviate(e.getValue())
                        + "'): " + why;
            }
        }
        return null;
    }

    /**
     * A string that is not valid Unicode (a lone surrogate, as a JSON escape can make) would be
     * written as '?': refused instead of changed.
     */
    public static String unicodeProblem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "'" + abbreviate(text) + "' is not valid Unicode: a lone surrogate U+" + String.format("%04X", (int) c) + " at " + i;
            }
        }
        return null;
    }

    private static java.util.List<String> texts(ServiceRegistered r) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(r.getInstanceId(), r.getServiceName(),
                r.getEndpoint().getHost()));
        all.addAll(r.getTags());
        all.addAll(r.getMetadata().keySet());
        all.addAll(r.getMetadata().values());
        if (r.getNode() != null) {
            all.add(r.getNode());
        }
        if (r.getNodeAddress() != null) {
            all.add(r.getNodeAddress());
        }
        for (CheckDefinition c : r.getChecks()) {
            all.add(c.getCheckId());
            all.add(c.getName());
            all.add(c.getNotes());
        }
        return all;
    }

    private static int utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /**
     * Ids and names: not empty, and no control characters. NUL separates keys of the folds' indexes,
     * so a name holding one could show one service's instances as another's.
     */
    public static String idProblem(String field, String value) {
        if (value == null || value.isEmpty()) {
            return field + " must not be empty";
        }
        int bytes = utf8Length(value);
        if (bytes > MAX_ID_BYTES) {
            return field + " is " + bytes + " bytes; the limit is " + MAX_ID_BYTES + ", so that it fits the paths that address it";
        }
        return controlProblem(field, value);
    }

    /** No control characters: a log, a terminal or a key index would show them as something else. */
    private static String controlProblem(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return field + " must not contain control characters (found U+"
                        + String.format("%04X", (int) value.charAt(i)) + " at " + i + ")";
            }
        }
        return null;
    }
}
