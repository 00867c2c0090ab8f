package io.hypermesh.streams.api.connect;

import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.BlockingQuery;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Watchers;
import io.hypermesh.streams.api.peer.WriteVisibility;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the Connect endpoints share: blocking reads on an index of their own (the intentions
 * topic's applied offset, the CA's roots), bounded by the watcher limits as every blocking query,
 * and writes that answer once this instance's fold has applied them.
 */
final class ConnectReads {
    /** How long a write waits to see itself applied before it answers 503. */
    static final long APPLY_TIMEOUT_MS = 10_000;

    private final Vertx vertx;
    private final ChangeSignal changes;
    private final Watchers watchers;
    private final AppliedOffsets applied;

    ConnectReads(Vertx vertx, ChangeSignal changes, Watchers watchers, AppliedOffsets applied) {
        this.vertx = vertx;
        this.changes = changes;
        this.watchers = watchers;
        this.applied = applied;
    }

    /** The intentions' index: one past the last offset of their topic this instance applied (1 before any). */
    long intentionsIndex() {
        return Math.max(1, applied.at(0) + 1);
    }

    /**
     * Answers with {@code body} once {@code index} moved past {@code ?index} (at once without one), the
     * index in {@code X-Consul-Index}.
     */
    void serve(RoutingContext ctx, String scope, LongSupplier index, Supplier<Object> body) {
        BlockingQuery.Wait wait = BlockingQuery.of(ctx.request());
        Future<Long> reached;
        if (!wait.blocking()) {
            reached = Future.succeededFuture(index.getAsLong());
        } else {
            Runnable release = watchers.acquire(Watchers.Kind.BLOCKING_QUERY, ctx);
            ctx.addEndHandler(v -> release.run());
            List<String> scopes = List.of(scope);
            reached = BlockingQuery.await(vertx, changes, () -> Future.succeededFuture(index.getAsLong()),
                    idx -> Long.compareUnsigned(idx, wait.index()) > 0, idx -> scopes, scopes, wait.deadlineNanos(), () -> false)
                    .onComplete(done -> release.run());
        }
        reached.onSuccess(idx -> {
            ctx.response().putHeader(Responses.INDEX_HEADER, Long.toString(idx)).putHeader("X-Consul-KnownLeader", "true")
                    .putHeader("X-Consul-LastContact", "0");
            Responses.json(ctx, 200, body.get());
        }).onFailure(ctx::fail);
    }

    /** Completes once this instance applied the record at {@code offset} of partition {@code partition}; a 503 after 10 s. */
    Future<Void> applied(int partition, long offset) {
        return WriteVisibility.appliedHere(vertx, applied, partition, offset, APPLY_TIMEOUT_MS).recover(e -> Future.failedFuture(
                new ApiException(503, "the change is in the log but this instance has not applied it after " + APPLY_TIMEOUT_MS / 1000
                        + " s; read again shortly")));
    }
}
