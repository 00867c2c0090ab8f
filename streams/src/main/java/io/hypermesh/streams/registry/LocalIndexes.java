package io.hypermesh.streams.registry;

import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The fold's in-memory indexes of {@link RegistryTopology#STORE}: instances by service, custom
 * check ids to their instance, the instances with checks the bus runs, and the deadlines the
 * judge waits for. Derived, so never logged: rebuilt from the store whenever the task starts.
 */
final class LocalIndexes {
    private final KeyValueStore<String, ServiceInstance> byService;
    private final KeyValueStore<String, String> byCheck;
    private final KeyValueStore<String, ServiceInstance> runnable;
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

    /** Keeps the in-memory indexes in step with one instance going from {@code previous} to {@code next} (either may be null). */
    void update(ServiceInstance previous, ServiceInstance next) {
        deadlines.move(previous, next);
        if (previous != null) {
            if (next == null || !previous.getServiceName().equals(next.getServiceName())) {
                byService.delete(RegistryTopology.serviceKey(previous.getServiceName(), previous.getInstanceId()));
            }
            for (CheckState c : previous.getChecks()) {
                if (customCheck(c, previous)) {
                    byCheck.delete(RegistryTopology.checkPrefix(c.getDefinition().getCheckId()) + previous.getInstanceId());
                }
            }
        }
        if (previous != null && next == null) {
            runnable.delete(previous.getInstanceId());
        }
        if (next != null) {
            if (next.getChecks().stream().anyMatch(c -> RegistryTopology.runnable(c.getDefinition().getType()))) {
                runnable.put(next.getInstanceId(), next);
            } else if (previous != null) {
                runnable.delete(previous.getInstanceId());
            }
            byService.put(RegistryTopology.serviceKey(next.getServiceName(), next.getInstanceId()), next);
            for (CheckState c : next.getChecks()) {
                if (customCheck(c, next)) {
                    byCheck.put(RegistryTopology.checkPrefix(c.getDefinition().getCheckId()) + next.getInstanceId(), next.getInstanceId());
                }
            }
        }
    }

    /** A check id other than the two Consul derives from the service id: only those need looking up. */
    private static boolean customCheck(CheckState c, ServiceInstance instance) {
        String id = c.getDefinition().getCheckId();
        return !id.equals(RegistryTopology.SERVICE_CHECK_PREFIX + instance.getInstanceId()) && !id.equals(RegistryTopology.MAINTENANCE_CHECK_PREFIX + instance.getInstanceId());
    }
}
