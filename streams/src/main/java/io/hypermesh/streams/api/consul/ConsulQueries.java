package io.hypermesh.streams.api.consul;

import io.hypermesh.streams.api.stores.FoldStores;

import io.hypermesh.streams.api.AnswerBudget;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.BlockingQuery;
import io.hypermesh.streams.api.BoundedCache;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Watchers;
import io.hypermesh.streams.ChangeSignal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * How every Consul read is answered, as Consul answers it: {@code ?dc} of another datacenter
 * refused, {@code X-Consul-Index} and its companions on every answer, and blocking queries: with
 * {@code ?index=N} the answer waits until the view's index is past N or {@code ?wait} (5 min by
 * default, at most 10, plus up to a 16th of it as jitter) runs out. An N ahead of the view waits
 * the whole time, as in Consul, and the client resets on the lower index it then gets.
 */
public final class ConsulQueries {
    private final Vertx vertx;
    private final ChangeSignal changes;
    private final RegistryReader registry;
    private final String datacenter;
    private final FoldStores stores;
    private final Watchers watchers;
    private final AnswerBudget answers;

    public ConsulQueries(Vertx vertx, ChangeSignal changes, RegistryReader registry, FoldStores stores, String datacenter,
            Watchers watchers,
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
    public void serve(RoutingContext ctx, String scope, Supplier<Future<Object>> body) {
        if (otherDatacenter(ctx)) {
            return;
        }
        BlockingQuery.Wait wait;
        try {
            wait = BlockingQuery.of(ctx.request());
        } catch (ApiException e) {
            Responses.text(ctx.response(), e.status(), e.getMessage());
            return;
        }
        Future<Long> index;
        if (!wait.blocking()) {
            index = registry.index(scope);
        } else {
            Runnable release = watchers.acquire(Watchers.Kind.BLOCKING_QUERY, ctx);
            ctx.addEndHandler(v -> release.run()); // not the response's closeHandler: the router's end handlers hang on it
            List<String> scopes = List.of(scope);
            index = BlockingQuery.await(vertx, changes, () -> registry.index(scope), idx -> Long.compareUnsigned(idx, wait.index()) > 0,
                    idx -> scopes, scopes, wait.deadlineNanos(), stores::othersHoldParts).onComplete(done -> release.run());
        }
        String key = ctx.request().uri();
        boolean pretty = ctx.request().params().contains("pretty");
        index.compose(idx -> {
            AnswerBudget.Admission admission = answers.admit(ctx);
            Rendered cached = rendered.get(key);
            Future<Rendered> answer = cached != null && cached.index() == idx ? Future.succeededFuture(cached)
                    : body.get().compose(view -> answers.render(view, v -> new Rendered(idx, Buffer.buffer(encode(v, pretty)))))
                    .onSuccess(fresh -> rendered.put(key, fresh));
            return answer.map(r -> {
                admission.charge(r.view().length());
                return r;
            });
        }).onSuccess(r -> {
            ctx.response().putHeader(Responses.INDEX_HEADER, Long.toUnsignedString(r.index()));
            respond(ctx, r.view());
        }).onFailure(ctx::fail);
    }

    /** Renders {@code source}'s value with {@code view} on a render thread, so a big view never holds the event loop. */
    public <T> Future<Object> rendered(Future<T> source, java.util.function.Function<T, Object> view) {
        return source.compose(value -> answers.render(value, view));
    }

    /** A view as rendered at an index, as JSON bytes (shared by every answer that writes it). */
    private record Rendered(long index, Buffer view) {
    }

    /**
     * The last rendering of each query: a view changes only with its index (the fold moves the
     * index of every view a change shows in), so while the index stands the rendering stands, and
     * many clients reading a quiet service cost one index read each, not a scan and a rendering.
     */
    private final BoundedCache<String, Rendered> rendered = new BoundedCache<>(64L * 1024 * 1024, r -> r.view().length());

    private boolean otherDatacenter(RoutingContext ctx) {
        String dc = ctx.request().getParam("dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(datacenter)) {
            Responses.text(ctx.response(), 500, "No path to datacenter");
            return true;
        }
        return false;
    }

    /** Answers a view without an index (Consul sets none on agent/self, status and datacenters). */
    public void serveUnindexed(RoutingContext ctx, Supplier<Future<Object>> body) {
        if (otherDatacenter(ctx)) {
            return;
        }
        body.get().onSuccess(view -> respond(ctx, Buffer.buffer(encode(view,
                ctx.request().params().contains("pretty"))))).onFailure(ctx::fail);
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

    /** The request's {@code ?filter}, or null; a bad one is a 400 with its position. */
    public static ConsulFilter filter(RoutingContext ctx, Collection<String> fields) {
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
}
