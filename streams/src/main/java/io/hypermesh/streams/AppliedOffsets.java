package io.hypermesh.streams;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * How far this instance's registry fold has applied each partition of its input: a write that
 * Kafka acknowledged at (partition, offset) is visible in the fold's stores here once
 * {@link #reached} says so. The API's agent writes wait on it (read-your-write).
 */
public final class AppliedOffsets {
    private final ConcurrentHashMap<Integer, Long> applied = new ConcurrentHashMap<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();

    private record Waiter(int partition, long offset, Runnable action) {
    }

    /** Called by the fold after it applied the record at {@code offset} of {@code partition}. */
    public void applied(int partition, long offset) {
        applied.merge(partition, offset, Math::max);
        if (!waiters.isEmpty()) {
            for (Waiter w : waiters) {
                if (w.partition() == partition && w.offset() <= offset && waiters.remove(w)) {
                    w.action().run();
                }
            }
        }
    }

    /** The last offset applied of {@code partition}; -1 before any. */
    public long at(int partition) {
        return applied.getOrDefault(partition, -1L);
    }

    public boolean reached(int partition, long offset) {
        Long done = applied.get(partition);
        return done != null && done >= offset;
    }

    /** Runs {@code action} once the record at {@code offset} is applied (at once if it is); the handle cancels. */
    public Runnable onReached(int partition, long offset, Runnable action) {
        Waiter w = new Waiter(partition, offset, action);
        waiters.add(w);
        if (reached(partition, offset) && waiters.remove(w)) {
            action.run();
        }
        return () -> waiters.remove(w);
    }
}
