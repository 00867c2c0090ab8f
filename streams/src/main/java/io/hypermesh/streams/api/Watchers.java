package io.hypermesh.streams.api;

import io.hypermesh.http.ClientShares;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many blocking queries and event streams are open, up to a limit for all clients and one for
 * each client (its remote address), with a smaller one for event streams: past any of them a new
 * one is answered 429 with Retry-After, as Consul answers a client over its connection limit, so
 * one client cannot take every place.
 */
public final class Watchers {
    /** What a watcher is; the limits count both kinds together. */
    public enum Kind {
        BLOCKING_QUERY, EVENT_STREAM
    }

    private final int limit;
    private final int perClient;
    private final int streamsPerClient;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger[] openByKind = {new AtomicInteger(), new AtomicInteger()};
    private final ClientShares watches = new ClientShares();
    private final ClientShares streams = new ClientShares();

    /**
     * @param streamsPerClient event streams one client may hold: each renders its view on every
     *                         change, so they cost far more than a blocking query waiting
     */
    public Watchers(int limit, int perClient, int streamsPerClient) {
        this.limit = limit;
        this.perClient = perClient;
        this.streamsPerClient = streamsPerClient;
    }

    /** Takes a place for one watcher of the request's client; the returned handle gives it back (once, however often run). */
    public Runnable acquire(Kind kind, RoutingContext ctx) {
        String client = ClientShares.clientOf(ctx.request());
        boolean stream = kind == Kind.EVENT_STREAM;
        if (stream && !streams.take(client, streamsPerClient)) {
            throw new ApiException(429, "too many event streams for " + client + ": the limit is " + streamsPerClient + " per client");
        }
        if (!watches.take(client, perClient)) {
            giveBack(stream, client);
            throw new ApiException(429, "too many open watches for " + client + ": the limit is " + perClient
                    + " blocking queries and event streams per client");
        }
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            watches.give(client);
            giveBack(stream, client);
            throw new ApiException(429, "too many open watches: the limit is " + limit + " blocking queries and event streams");
        }
        AtomicInteger ofKind = openByKind[kind.ordinal()];
        ofKind.incrementAndGet();
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                ofKind.decrementAndGet();
                open.decrementAndGet();
                watches.give(client);
                giveBack(stream, client);
            }
        };
    }

    private void giveBack(boolean stream, String client) {
        if (stream) {
            streams.give(client);
        }
    }

    public int open() {
        return open.get();
    }

    public int open(Kind kind) {
        return openByKind[kind.ordinal()].get();
    }
}
