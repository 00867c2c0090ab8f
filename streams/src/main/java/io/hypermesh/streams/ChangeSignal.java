package io.hypermesh.streams;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rings when a queryable table of this instance changed, so blocking queries re-render at once
 * instead of on their next poll. Changes owned by other instances are still found by polling.
 */
public final class ChangeSignal {
    private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();

    /** How many changes rang so far: a rendered view is still current while this has not moved. */
    public long version() {
        return version.get();
    }

    public void ring() {
        version.incrementAndGet();
        for (Runnable listener : listeners) {
            if (listeners.remove(listener)) {
                listener.run();
            }
        }
    }

    /** Runs {@code listener} once, on the next change; the returned handle cancels it. */
    public Runnable onNextChange(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
