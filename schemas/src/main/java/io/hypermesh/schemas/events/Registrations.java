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

    /**
     * Ids and names: not empty, and no control characters. NUL separates keys of the folds' indexes,
     * so a name holding one could show one service's instances as another's.
     */
    public static String idProblem(String field, String value) {
        if (value == null || value.isEmpty()) {
            return field + " must not be empty";
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return field + " must not contain control characters (found U+"
                        + String.format("%04X", (int) value.charAt(i)) + " at " + i + ")";
            }
        }
        return null;
    }
}
