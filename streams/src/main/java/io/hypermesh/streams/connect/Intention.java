package io.hypermesh.streams.connect;

import io.hypermesh.events.connect.IntentionHeader;
import io.hypermesh.events.connect.IntentionHttp;
import io.hypermesh.events.connect.IntentionPermission;
import io.hypermesh.events.connect.IntentionWritten;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * An intention as the fold holds it: which source may reach which destination (Consul's
 * Intention), its L7 permissions compiled, and its place in evaluation order.
 *
 * @param id          the UUID of an intention made through the deprecated ID routes; empty for one
 *                    upserted by name, which Consul gives no ID
 * @param createIndex the offset (+1) of its first write in {@code hypermesh.intentions}
 * @param modifyIndex the offset (+1) of its latest write
 */
public record Intention(String id, String sourceNs, String sourceName, String destinationNs, String destinationName,
                        String sourceType, String action, List<Permission> permissions, String description,
                        Map<String, String> meta, Instant createdAt, Instant updatedAt, long createIndex, long modifyIndex) {
    public static final String WILDCARD = "*";

    /**
     * Evaluation order: higher precedence first, deny before allow at equal precedence, then by
     * names so the order is the same everywhere.
     */
    public static final Comparator<Intention> EVALUATION_ORDER = Comparator.comparingInt(Intention::precedence).reversed()
            .thenComparing(i -> !"deny".equals(i.action()))
            .thenComparing(Intention::sourceName).thenComparing(Intention::destinationName);

    /** The key of a source and destination pair, in the topic and in the fold. */
    public static String key(String sourceNs, String sourceName, String destinationNs, String destinationName) {
        return sourceNs + "/" + sourceName + " => " + destinationNs + "/" + destinationName;
    }

    public String key() {
        return key(sourceNs, sourceName, destinationNs, destinationName);
    }

    /**
     * Consul's precedence: 9 for an exact source to an exact destination, then 8 (any source), 7
     * (any namespace), 6 to 4 for any destination name, 3 to 1 for any destination namespace. All
     * intentions here are in the default namespace, so 9, 8, 6 and 5 occur.
     */
    public int precedence() {
        int destination = WILDCARD.equals(destinationNs) ? 0 : WILDCARD.equals(destinationName) ? 3 : 6;
        int source = WILDCARD.equals(sourceNs) ? 1 : WILDCARD.equals(sourceName) ? 2 : 3;
        return destination + source;
    }

    /** L7 when it has permissions (and no action of its own). */
    public boolean l7() {
        return !permissions.isEmpty();
    }

    public boolean matchesSource(String namespace, String name) {
        return (WILDCARD.equals(sourceNs) || sourceNs.equals(namespace)) && (WILDCARD.equals(sourceName) || sourceName.equals(name));
    }

    /** How a decision names it: its ID, or for one Consul gives no ID, its pair. */
    public String reference() {
        return id.isEmpty() ? key() : id;
    }

    /** As Consul prints one: {@code web => db (allow)}, the default namespace left out. */
    @Override
    public String toString() {
        return part(sourceNs, sourceName) + " => " + part(destinationNs, destinationName) + " (" + (l7() ? "" : action) + ")";
    }

    private static String part(String ns, String name) {
        return ns.isEmpty() || SpiffeId.DEFAULT.equals(ns) ? name : ns + "/" + name;
    }

    /** The fold's view of a write at {@code offset}: the first write's index is kept by the writer. */
    public static Intention of(IntentionWritten w, Instant updatedAt, long offset) {
        List<Permission> permissions = new ArrayList<>();
        for (int i = 0; i < w.getPermissions().size(); i++) {
            permissions.add(compile(i, w.getPermissions().get(i)));
        }
        long modify = offset + 1;
        long create = w.getCreateIndex() > 0 ? w.getCreateIndex() : modify;
        return new Intention(w.getId(), w.getSourceNs(), w.getSourceName(), w.getDestinationNs(), w.getDestinationName(),
                w.getSourceType(), w.getAction(), List.copyOf(permissions), w.getDescription(), Map.copyOf(w.getMeta()),
                w.getCreatedAt(), updatedAt, create, modify);
    }

    /** A permission as written, checked and compiled, named {@code Permissions[index]} in what it refuses. */
    public static Permission compile(int index, IntentionPermission p) {
        IntentionHttp http = p.getHttp();
        if (http == null) {
            throw new IllegalArgumentException("Permissions[" + index + "].HTTP is required");
        }
        List<Permission.Header> headers = new ArrayList<>();
        for (int h = 0; h < http.getHeaders().size(); h++) {
            IntentionHeader x = http.getHeaders().get(h);
            headers.add(Permission.header(index, h, x.getName(), x.getPresent(), x.getExact(), x.getPrefix(), x.getSuffix(),
                    x.getRegex(), x.getInvert()));
        }
        return Permission.of(index, p.getAction(), http.getPathExact(), http.getPathPrefix(), http.getPathRegex(), http.getMethods(),
                headers);
    }
}
