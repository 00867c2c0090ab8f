package io.hypermesh.streams.api;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many blocking queries and event streams are open, up to a limit: past it a new one is
 * answered 429 with Retry-After, as Consul answers a client over its connection limit, rather than
 * letting watchers take the instance down.
 */
final class Watchers {
    /** What a watcher is; the limit counts both kinds together. */
    enum Kind {
        BLOCKING_QUERY, EVENT_STREAM
    }

    private final int limit;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger[] openByKind = {new AtomicInteger(), new AtomicInteger()};

    Watchers(int limit) {
        this.limit = limit;
    }

    /** Takes a place for one watcher; the returned handle gives it back (once, however often run). */
    Runnable acquire(Kind kind) {
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            throw new ApiException(429, "too many open watches: the limit is " + limit + " blocking queries and event streams");
        }
        AtomicInteger ofKind = openByKind[kind.ordinal()];
        ofKind.incrementAndGet();
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                ofKind.decrementAndGet();
                open.decrementAndGet();
            }
        };
    }

    int open() {
        return open.get();
    }

    int open(Kind kind) {
        return openByKind[kind.ordinal()].get();
    }
}
