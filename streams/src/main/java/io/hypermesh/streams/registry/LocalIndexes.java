package io.hypermesh.streams.registry;

import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The fold's in-memory indexes of {@link RegistryTopology#STORE}: instances by service, custom
 * check ids to their instance, the instances with checks the bus runs, and the deadlines the
 * judge waits for. Derived, so never logged: rebuilt from the store whenever the task starts.
 */
final class LocalIndexes {
    /** "service NUL instance" to the instance id. */
    private final KeyValueStore<String, String> byService;
    private final KeyValueStore<String, String> byCheck;
    /** Ids of the instances with checks the bus runs. */
    private final KeyValueStore<String, String> runnable;
    private final Deadlines deadlines = new Deadlines();

    LocalIndexes(ProcessorContext<?, ?> context) {
        this.byService = context.getStateStore(RegistryTopology.BY_SERVICE_STORE);
        this.byCheck = context.getStateStore(RegistryTopology.BY_CHECK_STORE);
        this.runnable = context.getStateStore(RegistryTopology.RUNNABLE_CHECKS_STORE);
    }

    Deadlines deadlines() {
        return deadlines;
    }

    /**
     * Init runs after restoration, on every (re)start of the task: the in-memory indexes are
     * whatever the restored store says, never what an aborted transaction left in memory.
     */
    void rebuild(KeyValueStore<String, ServiceInstance> store) {
        clear(byService);
        clear(byCheck);
        clear(runnable);
        deadlines.clear();
        try (KeyValueIterator<String, ServiceInstance> all = store.all()) {
            all.forEachRemaining(kv -> update(null, kv.value));
        }
    }

    private static <V> void clear(KeyValueStore<String, V> s) {
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, V> all = s.all()) {
            all.forEachRemaining(kv -> stale.add(kv.key));
        }
        stale.forEach(s::delete);
    }

    /**
     * Keeps the in-memory indexes in step with one instance going from {@code previous} to
     * {@code next} (either may be null). They hold keys, not instances: an entry is written only
     * when it appears or goes, so a heartbeat or a check result writes none, and nothing here is
     * serialised with Avro.
     */
    void update(ServiceInstance previous, ServiceInstance next) {
        deadlines.move(previous, next);
        String before = previous == null ? null : RegistryTopology.serviceKey(previous.getServiceName(), previous.getInstanceId());
        String after = next == null ? null : RegistryTopology.serviceKey(next.getServiceName(), next.getInstanceId());
        if (before != null && !before.equals(after)) {
            byService.delete(before);
        }
        if (after != null && !after.equals(before)) {
            byService.put(after, next.getInstanceId());
        }
        Set<String> checksBefore = customCheckKeys(previous);
        Set<String> checksAfter = customCheckKeys(next);
        for (String key : checksBefore) {
            if (!checksAfter.contains(key)) {
                byCheck.delete(key);
            }
        }
        for (String key : checksAfter) {
            if (!checksBefore.contains(key)) {
                byCheck.put(key, next.getInstanceId());
            }
        }
        boolean ranBefore = runsChecks(previous);
        boolean runsNow = runsChecks(next);
        if (ranBefore && !runsNow) {
            runnable.delete(previous.getInstanceId());
        } else if (runsNow && !ranBefore) {
            runnable.put(next.getInstanceId(), next.getInstanceId());
        }
    }

    /** Whether the bus runs one of its checks (HTTP or TCP). */
    private static boolean runsChecks(ServiceInstance instance) {
        return instance != null && instance.getChecks().stream().anyMatch(c -> RegistryTopology.runnable(c.getDefinition().getType()));
    }

    private static Set<String> customCheckKeys(ServiceInstance instance) {
        Set<String> keys = new HashSet<>();
        if (instance != null) {
            for (CheckState c : instance.getChecks()) {
                if (customCheck(c, instance)) {
                    keys.add(RegistryTopology.checkPrefix(c.getDefinition().getCheckId()) + instance.getInstanceId());
                }
            }
        }
        return keys;
    }

    /** A check id other than the two Consul derives from the service id: only those need looking up. */
    private static boolean customCheck(CheckState c, ServiceInstance instance) {
        String id = c.getDefinition().getCheckId();
        return !id.equals(RegistryTopology.SERVICE_CHECK_PREFIX + instance.getInstanceId())
                && !id.equals(RegistryTopology.MAINTENANCE_CHECK_PREFIX + instance.getInstanceId());
    }
}
