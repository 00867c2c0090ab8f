package io.hypermesh.streams.registry;

import io.hypermesh.events.CheckDefinition;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * When each instance next needs judging (its lease, a TTL check or a critical check's
 * deregistration falling due), so a judgement looks at the instances due, not at them all: with
 * 20,000 instances a full scan every 250 ms decoded 80,000 records a second. Kept in memory beside
 * the fold's other indexes and rebuilt with them.
 */
final class Deadlines {
    private final java.util.TreeMap<Long, Set<String>> dueAt = new java.util.TreeMap<>();
    private final java.util.Map<String, Long> deadlineOf = new java.util.HashMap<>();
    /** Instances holding a lease (TTL > 0): the base of self-preservation. */
    private int leased;

    void clear() {
        dueAt.clear();
        deadlineOf.clear();
        leased = 0;
    }

    /** Follows one instance going from {@code previous} to {@code next} (either may be null). */
    void move(ServiceInstance previous, ServiceInstance next) {
        if (previous != null) {
            leased -= previous.getTtlMs() > 0 ? 1 : 0;
            Long was = deadlineOf.remove(previous.getInstanceId());
            if (was != null) {
                Set<String> ids = dueAt.get(was);
                ids.remove(previous.getInstanceId());
                if (ids.isEmpty()) {
                    dueAt.remove(was);
                }
            }
        }
        if (next != null) {
            leased += next.getTtlMs() > 0 ? 1 : 0;
            long deadline = nextDeadline(next);
            if (deadline != Long.MAX_VALUE) {
                deadlineOf.put(next.getInstanceId(), deadline);
                dueAt.computeIfAbsent(deadline, d -> new HashSet<>()).add(next.getInstanceId());
            }
        }
    }

    /** The instances whose deadline is before {@code now}; each stays due until a change to it moves its deadline. */
    List<String> due(long now) {
        List<String> due = new ArrayList<>();
        dueAt.headMap(now, false).values().forEach(due::addAll);
        return due;
    }

    int leased() {
        return leased;
    }

    /** The earliest moment past which the judge may have something to say about this instance. */
    static long nextDeadline(ServiceInstance instance) {
        long deadline = Long.MAX_VALUE;
        if (instance.getTtlMs() > 0) {
            deadline = instance.getLastHeartbeatAt().toEpochMilli() + instance.getTtlMs();
        }
        for (CheckState check : instance.getChecks()) {
            CheckDefinition d = check.getDefinition();
            if (d.getType().equals("ttl") && !check.getStatus().equals("critical")) {
                deadline = Math.min(deadline, check.getUpdatedAt().toEpochMilli() + d.getTtlMs());
            }
            if (d.getDeregisterCriticalAfterMs() > 0 && check.getCriticalSince() != null) {
                deadline = Math.min(deadline, check.getCriticalSince().toEpochMilli() + d.getDeregisterCriticalAfterMs());
            }
        }
        return deadline;
    }
}
