package io.hypermesh.streams.api;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many blocking queries and event streams are open, up to a limit: past it a new one is
 * answered 429 with Retry-After, as Consul answers a client over its connection limit, rather than
 * letting watchers take the instance down.
 */
final class Watchers {
    private final int limit;
    private final AtomicInteger open = new AtomicInteger();

    Watchers(int limit) {
        this.limit = limit;
    }

    /** Takes a place for one watcher; the returned handle gives it back (once, however often run). */
    Runnable acquire() {
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            throw new ApiException(429, "too many open watches: the limit is " + limit + " blocking queries and event streams");
        }
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                open.decrementAndGet();
            }
        };
    }

    int open() {
        return open.get();
    }
}
