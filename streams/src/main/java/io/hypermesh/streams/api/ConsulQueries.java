package io.hypermesh.streams.api;

import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.api.consul.ConsulFilter;
import io.hypermesh.streams.api.consul.GoDuration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * How every Consul read is answered, as Consul answers it: {@code ?dc} of another datacenter
 * refused, {@code X-Consul-Index} and its companions on every answer, and blocking queries: with
 * {@code ?index=N} the answer waits until the view's index is past N or {@code ?wait} (5 min by
 * default, at most 10, plus up to a 16th of it as jitter) runs out. An N ahead of the view waits
 * the whole time, as in Consul, and the client resets on the lower index it then gets.
 */
final class ConsulQueries {
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final Vertx vertx;
    private final ChangeSignal changes;
    private final RegistryReader registry;
    private final String datacenter;
    private final StoreAccess stores;
    private final Watchers watchers;
    private final AnswerBudget answers;

    ConsulQueries(Vertx vertx, ChangeSignal changes, RegistryReader registry, StoreAccess stores, String datacenter, Watchers watchers,
                  AnswerBudget answers) {
        this.watchers = watchers;
        this.answers = answers;
        this.vertx = vertx;
        this.changes = changes;
        this.registry = registry;
        this.stores = stores;
        this.datacenter = datacenter;
    }

    String datacenter() {
        return datacenter;
    }

    /** Answers a blocking-capable view of index scope {@code scope}; {@code body} renders it (after the index is read). */
    void serve(RoutingContext ctx, String scope, Supplier<Future<Object>> body) {
        String dc = ctx.request().getParam("dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(datacenter)) {
            text(ctx.response(), 500, "No path to datacenter");
            return;
        }
        long min;
        long waitNanos;
        try {
            min = parseIndex(ctx.request().getParam("index"));
            waitNanos = parseWait(ctx.request().getParam("wait"));
        } catch (ApiException e) {
            text(ctx.response(), e.status(), e.getMessage());
            return;
        }
        long deadline = System.nanoTime() + waitNanos + ThreadLocalRandom.current().nextLong(waitNanos / 16 + 1);
        Future<Long> index;
        if (min == 0) {
            index = registry.index(scope);
        } else {
            Runnable release = watchers.acquire(Watchers.Kind.BLOCKING_QUERY, ctx);
            ctx.addEndHandler(v -> release.run()); // not the response's closeHandler: the router's end handlers hang on it
            index = awaitPast(scope, min, deadline).onComplete(done -> release.run());
        }
        String key = ctx.request().uri();
        boolean pretty = ctx.request().params().contains("pretty");
        index.compose(idx -> {
            AnswerBudget.Admission admission = answers.admit(ctx);
            Rendered cached = rendered.get(key);
            Future<Rendered> answer = cached != null && cached.index() == idx ? Future.succeededFuture(cached)
                    : body.get().compose(view -> answers.render(view, v -> new Rendered(key, idx, Buffer.buffer(encode(v, pretty))))).onSuccess(this::remember);
            return answer.map(r -> {
                admission.charge(r.view().length());
                return r;
            });
        }).onSuccess(r -> {
            ctx.response().putHeader("X-Consul-Index", Long.toUnsignedString(r.index()));
            respond(ctx, r.view());
        }).onFailure(ctx::fail);
    }

    /** Renders {@code source}'s value with {@code view} on a render thread, so a big view never holds the event loop. */
    <T> Future<Object> rendered(Future<T> source, java.util.function.Function<T, Object> view) {
        return source.compose(value -> answers.render(value, view));
    }

    private void remember(Rendered fresh) {
        synchronized (rendered) {
            if (fresh.view().length() > CACHED_BYTES / 4) {
                return; // one view must not push out all the others
            }
            if (cachedBytes + fresh.view().length() > CACHED_BYTES || rendered.size() >= CACHED_VIEWS) {
                rendered.clear(); // many distinct queries: start over rather than track recency
                cachedBytes = 0;
            }
            Rendered previous = rendered.put(fresh.key(), fresh);
            cachedBytes += fresh.view().length() - (previous == null ? 0 : previous.view().length());
        }
    }

    private static final int CACHED_VIEWS = 1_000;
    private static final long CACHED_BYTES = 64L * 1024 * 1024;
    private long cachedBytes;

    /** A view as rendered at an index, as JSON bytes (shared by every answer that writes it). */
    private record Rendered(String key, long index, Buffer view) {
    }

    /**
     * The last rendering of each query: a view changes only with its index (the fold moves the
     * index of every view a change shows in), so while the index stands the rendering stands, and
     * many clients reading a quiet service cost one index read each, not a scan and a rendering.
     */
    private final java.util.Map<String, Rendered> rendered = new java.util.concurrent.ConcurrentHashMap<>();

    /** Answers a view without an index (Consul sets none on agent/self, status and datacenters). */
    void serveUnindexed(RoutingContext ctx, Supplier<Future<Object>> body) {
        String dc = ctx.request().getParam("dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(datacenter)) {
            text(ctx.response(), 500, "No path to datacenter");
            return;
        }
        body.get().onSuccess(view -> respond(ctx, Buffer.buffer(encode(view, ctx.request().params().contains("pretty"))))).onFailure(ctx::fail);
    }

    private static String encode(Object view, boolean pretty) {
        return view instanceof JsonObject o ? (pretty ? o.encodePrettily() : o.encode())
                : view instanceof JsonArray a ? (pretty ? a.encodePrettily() : a.encode())
                : view == null ? "null" : io.vertx.core.json.Json.encode(view);
    }

    private void respond(RoutingContext ctx, Buffer json) {
        HttpServerResponse response = ctx.response();
        if (response.ended()) {
            return;
        }
        response.putHeader("X-Consul-KnownLeader", "true").putHeader("X-Consul-LastContact", "0")
                .putHeader("X-Consul-Effective-Consistency", ctx.request().params().contains("stale") ? "stale" : "leader")
                .putHeader("Content-Type", "application/json").setStatusCode(200);
        answers.write(response, json);
    }

    /** Reads the scope's index until it is past {@code min} or the deadline passes; never spins. */
    private Future<Long> awaitPast(String scope, long min, long deadline) {
        List<String> scopes = List.of(scope);
        long stamp = changes.stamp(scopes);
        return registry.index(scope).compose(idx -> {
            if (Long.compareUnsigned(idx, min) > 0 || System.nanoTime() >= deadline) {
                return Future.succeededFuture(idx);
            }
            // A local change wakes at once, and so does one another instance applied (it is pushed
            // here, see PeerChanges). The timer is the fallback: a look each second at the latest.
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            long poll = stores.othersHoldParts() ? Watch.peerPollMs() : 1_000;
            return NextChange.await(vertx, changes, scopes, () -> changes.stamp(scopes) != stamp, Math.min(poll, left), null)
                    .compose(changed -> awaitPast(scope, min, deadline));
        });
    }

    static long parseIndex(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Invalid index");
        }
    }

    static long parseWait(String text) {
        if (text == null || text.isEmpty()) {
            return DEFAULT_WAIT.toNanos();
        }
        long nanos;
        try {
            nanos = GoDuration.parseNanos(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Invalid wait time");
        }
        return nanos <= 0 ? DEFAULT_WAIT.toNanos() : Math.min(nanos, MAX_WAIT.toNanos());
    }

    /** The request's {@code ?filter}, or null; a bad one is a 400 with its position. */
    static ConsulFilter filter(RoutingContext ctx, Collection<String> fields) {
        String expression = ctx.request().getParam("filter");
        if (expression == null || expression.isBlank()) {
            return null;
        }
        try {
            return ConsulFilter.parse(expression, fields);
        } catch (ConsulFilter.InvalidFilterException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** Consul's error bodies are plain text. */
    static void text(HttpServerResponse response, int status, String message) {
        if (!response.ended()) {
            response.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(message);
        }
    }
}
