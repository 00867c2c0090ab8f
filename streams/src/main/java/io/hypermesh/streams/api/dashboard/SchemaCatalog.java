package io.hypermesh.streams.api.dashboard;

import io.hypermesh.schemas.registry.client.RegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The schema registry's live subjects and their versions, as /metrics and the dashboard show them:
 * asked for at most every {@link #EVERY_MS}, however often they are looked at. Blocking: call it
 * from a worker.
 */
public final class SchemaCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaCatalog.class);
    static final long EVERY_MS = 5_000;
    private final RegistryClient registry;
    private final AtomicLong readAt = new AtomicLong(-EVERY_MS);
    private volatile Map<String, List<Integer>> versions;

    public SchemaCatalog(RegistryClient registry) {
        this.registry = registry;
    }

    /**
     * Versions by subject, in subject order; null while the registry does not answer. One caller at
     * a time asks the registry; the others get what was read last rather than wait for it.
     */
    public Map<String, List<Integer>> versionsBySubject() {
        long last = readAt.get();
        long now = System.currentTimeMillis();
        if (now - last >= EVERY_MS && readAt.compareAndSet(last, now)) {
            try {
                Map<String, List<Integer>> read = new TreeMap<>();
                for (String subject : registry.subjects()) {
                    read.put(subject, List.copyOf(registry.versions(subject)));
                }
                versions = read;
            } catch (RuntimeException e) {
                // Shown as unknown rather than as an old list: the registry did not answer.
                versions = null;
                LOG.warn("the schema registry's subjects could not be read: {}", e.getMessage());
            }
        }
        return versions;
    }
}
