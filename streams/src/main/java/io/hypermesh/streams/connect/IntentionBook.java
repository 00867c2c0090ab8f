package io.hypermesh.streams.connect;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every intention of the bus, in memory on every instance, so an authorization is answered from
 * local state in microseconds. The fold writes (one thread); readers take an immutable snapshot,
 * rebuilt once after each change rather than on every write, so replaying the topic stays linear.
 */
public final class IntentionBook {
    /** How many intentions the bus holds; a new one past it is refused. */
    public static final int MAX_INTENTIONS = 10_000;

    /** What the default policy is when no intention matches, with Consul's reason. */
    public enum DefaultPolicy {
        /** An open bus, as Consul with ACLs disabled. */
        ALLOW(true, "ACLs disabled, access is allowed by default"),
        /** A secured bus, as Consul with ACLs and a default deny policy. */
        DENY(false, "Default behavior configured by ACLs");

        private final boolean allowed;
        private final String reason;

        DefaultPolicy(boolean allowed, String reason) {
            this.allowed = allowed;
            this.reason = reason;
        }

        public boolean allowed() {
            return allowed;
        }

        /** Deny on a secured bus (a certificate, SASL users or write tokens), allow on an open one. */
        public static DefaultPolicy of(boolean secured) {
            return secured ? DENY : ALLOW;
        }
    }

    /** An answer: whether it is allowed, why, and the intention that decided (null for the default). */
    public record Decision(boolean allowed, String reason, Intention intention) {
    }

    private record Snapshot(long version, List<Intention> ordered, Map<String, Intention> byId,
                            Map<String, List<Intention>> byDestination) {
    }

    private final ConcurrentHashMap<String, Intention> byKey = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();
    private final DefaultPolicy defaultPolicy;
    private volatile Snapshot snapshot = new Snapshot(0, List.of(), Map.of(), Map.of());

    public IntentionBook(DefaultPolicy defaultPolicy) {
        this.defaultPolicy = defaultPolicy;
    }

    /** The fold: an intention written (replacing the one of its pair). */
    public void put(Intention intention) {
        byKey.put(intention.key(), intention);
        version.incrementAndGet();
    }

    /** The fold: the intention of this pair deleted. */
    public void remove(String key) {
        if (byKey.remove(key) != null) {
            version.incrementAndGet();
        }
    }

    public int size() {
        return byKey.size();
    }

    public Optional<Intention> exact(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public Optional<Intention> byId(String id) {
        return Optional.ofNullable(current().byId().get(id));
    }

    /** All, in evaluation order. */
    public List<Intention> all() {
        return current().ordered();
    }

    /** Those whose destination (or source) matches the name, in evaluation order: Consul's match. */
    public List<Intention> match(boolean byDestination, String namespace, String name) {
        if (byDestination) {
            return forDestination(current(), namespace, name);
        }
        List<Intention> out = new ArrayList<>();
        for (Intention i : current().ordered()) {
            if (i.matchesSource(namespace, name)) {
                out.add(i);
            }
        }
        return out;
    }

    /** Consul's L4 rule (authorize, check): the first intention matching both wins; one with permissions denies. */
    public Decision decideL4(String sourceNs, String source, String destinationNs, String destination) {
        Intention hit = first(sourceNs, source, destinationNs, destination);
        if (hit == null) {
            return byDefault("");
        }
        if (hit.l7()) {
            return new Decision(false, "Matched L7 intention: " + hit, hit);
        }
        return byAction(hit);
    }

    /**
     * What Envoy would enforce for an HTTP request: an L4 intention as above; an L7 one by its first
     * permission matching method, path and headers (names lower-cased), else by the default policy.
     */
    public Decision decideL7(String sourceNs, String source, String destinationNs, String destination, String method, String path,
                             Map<String, String> headers) {
        Intention hit = first(sourceNs, source, destinationNs, destination);
        if (hit == null) {
            return byDefault("");
        }
        if (!hit.l7()) {
            return byAction(hit);
        }
        List<Permission> permissions = hit.permissions();
        for (int p = 0; p < permissions.size(); p++) {
            if (permissions.get(p).matches(method, path, headers)) {
                return new Decision("allow".equals(permissions.get(p).action()),
                        "Matched L7 intention: " + hit + ", Permissions[" + p + "] (" + permissions.get(p).action() + ")", hit);
            }
        }
        Decision fallback = byDefault("Matched L7 intention: " + hit + " but none of its permissions; ");
        return new Decision(fallback.allowed(), fallback.reason(), hit);
    }

    private static Decision byAction(Intention l4) {
        return new Decision("allow".equals(l4.action()), "Matched L4 intention: " + l4, l4);
    }

    private Decision byDefault(String prefix) {
        return new Decision(defaultPolicy.allowed, prefix + defaultPolicy.reason, null);
    }

    private Intention first(String sourceNs, String source, String destinationNs, String destination) {
        for (Intention i : forDestination(current(), destinationNs, destination)) {
            if (i.matchesSource(sourceNs, source)) {
                return i;
            }
        }
        return null;
    }

    private static List<Intention> forDestination(Snapshot s, String namespace, String name) {
        // An exact destination outranks a wildcard one (precedence 7..9 over 1..6): the exact list goes first.
        List<Intention> exact = s.byDestination().getOrDefault(namespace + "/" + name, List.of());
        List<Intention> anyName = s.byDestination().getOrDefault(namespace + "/" + Intention.WILDCARD, List.of());
        List<Intention> any = s.byDestination().getOrDefault(Intention.WILDCARD + "/" + Intention.WILDCARD, List.of());
        if (anyName.isEmpty() && any.isEmpty()) {
            return exact;
        }
        List<Intention> out = new ArrayList<>(exact.size() + anyName.size() + any.size());
        out.addAll(exact);
        out.addAll(anyName);
        out.addAll(any);
        return out;
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        long v = version.get();
        if (s.version() == v) {
            return s;
        }
        synchronized (this) {
            if (snapshot.version() == version.get()) {
                return snapshot;
            }
            long at = version.get();
            snapshot = build(at, byKey.values());
            return snapshot;
        }
    }

    private static Snapshot build(long version, Collection<Intention> intentions) {
        List<Intention> ordered = new ArrayList<>(intentions);
        ordered.sort(Intention.EVALUATION_ORDER);
        Map<String, Intention> byId = new HashMap<>();
        Map<String, List<Intention>> byDestination = new HashMap<>();
        for (Intention i : ordered) {
            if (!i.id().isEmpty()) {
                byId.put(i.id(), i);
            }
            byDestination.computeIfAbsent(i.destinationNs() + "/" + i.destinationName(), k -> new ArrayList<>()).add(i);
        }
        byDestination.replaceAll((k, v) -> List.copyOf(v));
        return new Snapshot(version, List.copyOf(ordered), Map.copyOf(byId), Map.copyOf(byDestination));
    }
}
