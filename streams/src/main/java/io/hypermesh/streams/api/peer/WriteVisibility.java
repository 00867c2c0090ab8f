package io.hypermesh.streams.api.peer;

import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.stores.StoreAccess;
import io.hypermesh.streams.api.stores.StoreNotReadyException;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.AppliedOffsets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.state.HostInfo;

import java.time.Duration;
import java.util.Optional;

/**
 * Read-your-write for agent writes: a write is answered once the registry fold of the instance
 * that owns its partition has applied it, so any read after the answer, on any instance (reads go
 * to the owner), sees it. Bounded by {@link #BOUND}; past it the write fails with the reason.
 */
public final class WriteVisibility {
    static final Duration BOUND = Duration.ofSeconds(10);

    private final StoreAccess stores;
    private final AppliedOffsets applied;
    private final TransactionHolders holders;

    public WriteVisibility(StoreAccess stores, AppliedOffsets applied, TransactionHolders holders) {
        this.stores = stores;
        this.applied = applied;
        this.holders = holders;
    }

    /**
     * Completes once the registry record at {@code written} is visible; after {@link #BOUND} fails
     * with a 503 and Retry-After, naming why: most often another client's open transaction on the
     * partition, which holds every read_committed reader (the folds) until the broker ends it. The
     * write itself is durable either way, and shows once the hold ends.
     */
    public Future<Void> visible(RecordMetadata written) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        String where = written.topic() + "-" + written.partition() + "@" + written.offset();
        return attempt(written, deadline).recover(e -> holders.describe(new TopicPartition(written.topic(), written.partition()))
                .recover(unknown -> Future.succeededFuture(null))
                .compose(holder -> Future.failedFuture(new ApiException(503, "the write at " + where
                        + " is durable but was not applied within " + BOUND.toSeconds() + "s: "
                        + (holder != null ? holder : e.getMessage()) + "; retry later"))));
    }

    private Future<Void> attempt(RecordMetadata written, long deadline) {
        long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
        Optional<HostInfo> owner = owner(written.partition());
        Future<Void> tried;
        if (owner.isEmpty()) {
            tried = Future.failedFuture(new StoreNotReadyException("no instance owns partition " + written.partition()
                    + " of " + Topics.REGISTRY.name() + " yet (" + stores.streams().state() + ")"));
        } else if (owner.get().equals(stores.self())) {
            tried = local(written.partition(), written.offset(), left);
        } else {
            tried = stores.peers().applied(owner.get(), written.partition(), written.offset(), Math.min(left, 2_000));
        }
        return tried.recover(e -> System.nanoTime() >= deadline ? Future.failedFuture(e)
                : stores.vertx().timer(50).compose(ignored -> attempt(written, deadline)));
    }

    /** Waits here for this instance's fold to reach the offset, at most {@code waitMs}. */
    Future<Void> local(int partition, long offset, long waitMs) {
        return appliedHere(stores.vertx(), applied, partition, offset, waitMs);
    }

    /**
     * Completes on the caller's event loop once {@code applied} reached the offset; after {@code waitMs}
     * fails with a {@link StoreNotReadyException} (a 503) naming it.
     */
    public static Future<Void> appliedHere(io.vertx.core.Vertx vertx, AppliedOffsets applied, int partition, long offset,
                                           long waitMs) {
        Promise<Void> done = Promise.promise();
        // The fold calls back on its stream thread: answer on the caller's event loop instead.
        io.vertx.core.Context caller = vertx.getOrCreateContext();
        Runnable cancel = applied.onReached(partition, offset, () -> caller.runOnContext(v -> done.tryComplete()));
        if (!done.future().isComplete()) {
            long timer = vertx.setTimer(Math.max(1, waitMs), id -> done.tryFail(new StoreNotReadyException(
                    "offset " + offset + " of partition " + partition + " not applied here after " + waitMs + " ms")));
            done.future().onComplete(ignored -> {
                vertx.cancelTimer(timer);
                cancel.run();
            });
        }
        return done.future();
    }

    private Optional<HostInfo> owner(int partition) {
        return stores.owner(new TopicPartition(Topics.REGISTRY.name(), partition));
    }
}
