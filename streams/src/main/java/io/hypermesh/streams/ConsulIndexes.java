package io.hypermesh.streams;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry fold's Consul indexes of the partitions this instance holds, in memory: the fold
 * keeps its index store and this mirror in step, loads a partition's part when its task starts
 * and drops it when the task closes, so a query sums its own partitions without a store scan.
 */
public final class ConsulIndexes {
    private final ConcurrentHashMap<String, ConcurrentHashMap<Integer, Long>> byScope = new ConcurrentHashMap<>();

    public void put(String scope, int partition, long index) {
        byScope.computeIfAbsent(scope, s -> new ConcurrentHashMap<>()).put(partition, index);
    }

    /** Forgets a partition this instance no longer holds. */
    public void drop(int partition) {
        byScope.values().forEach(parts -> parts.remove(partition));
    }

    /** The sum over this instance's partitions of a scope's index (0 when none touched it). */
    public long localSum(String scope) {
        Map<Integer, Long> parts = byScope.get(scope);
        long sum = 0;
        if (parts != null) {
            for (long v : parts.values()) {
                sum += v;
            }
        }
        return sum;
    }
}
