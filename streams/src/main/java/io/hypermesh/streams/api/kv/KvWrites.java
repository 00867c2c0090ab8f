package io.hypermesh.streams.api.kv;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.kv.KvEvent;
import io.hypermesh.http.ClientShares;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.KvOutcome;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.peer.WriteVisibility;
import io.hypermesh.streams.api.stores.StoreAccess;
import io.hypermesh.streams.kv.KvTopology;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A KV or session request: one event on {@code hypermesh.kv}, answered with what the KV fold (the
 * single writer) decided for it, once it is applied, as Consul answers a write once its Raft entry
 * is applied. Where this instance runs the fold it waits for the offset; elsewhere it asks the
 * instance that does, a few times a second, for at most {@link #APPLY_TIMEOUT_MS}.
 */
final class KvWrites {
    static final long APPLY_TIMEOUT_MS = 10_000;
    private static final long POLL_MS = 25;

    private final BusPublisher writer;
    private final StoreAccess stores;
    private final AppliedOffsets applied;
    private final String nodeName;
    private final KvWriteRate rate = new KvWriteRate();

    KvWrites(BusPublisher writer, StoreAccess stores, AppliedOffsets applied, String nodeName) {
        this.writer = writer;
        this.stores = stores;
        this.applied = applied;
        this.nodeName = nodeName;
    }

    /** Writes the request (for {@code ctx}, or the bus itself when null) and completes with its decision. */
    Future<KvOutcome> request(RoutingContext ctx, String key, SpecificRecord payload) {
        if (ctx != null && !rate.take(ClientShares.clientOf(ctx.request()), System.nanoTime())) {
            return Future.failedFuture(new ApiException(429, "Rate limit reached, try again later: a client may ask for "
                    + (int) KvWriteRate.PER_SECOND + " KV and session changes a second"));
        }
        KvEvent event = Envelopes.wrap(Topics.KV, UUID.randomUUID().toString(), new EventSource(nodeName, ComponentKind.STREAMS),
                Instant.now(), ctx == null ? null : ctx.request().getHeader("traceparent"), payload);
        return Future.fromCompletionStage(writer.publish(Topics.KV, key, event)).compose(this::decision);
    }

    private Future<KvOutcome> decision(RecordMetadata written) {
        String key = KvTopology.outcomeKey(written.offset());
        long deadline = System.nanoTime() + APPLY_TIMEOUT_MS * 1_000_000;
        Future<Optional<KvOutcome>> found;
        if (foldRunsHere()) {
            found = WriteVisibility.appliedHere(stores.vertx(), applied, written.partition(), written.offset(), APPLY_TIMEOUT_MS)
                    .compose(v -> stores.<KvOutcome>get(KvTopology.OUTCOMES, key));
        } else {
            found = poll(key, deadline);
        }
        return found.recover(e -> Future.failedFuture(unapplied(written, e.getMessage()))).compose(outcome -> outcome.isPresent()
                ? Future.succeededFuture(outcome.get())
                : Future.failedFuture(new ApiException(503, "the request at offset " + written.offset() + " of " + Topics.KV.name()
                        + " was applied but its decision is not known here: the KV fold refused it (see hypermesh.deadletters)"
                        + " or moved; read the key to see where it stands")));
    }

    /** Whether this instance runs the KV fold (the single writer of hypermesh.kv's one partition). */
    boolean foldRunsHere() {
        return stores.owner(new TopicPartition(Topics.KV.name(), 0)).filter(stores.self()::equals).isPresent();
    }

    private Future<Optional<KvOutcome>> poll(String key, long deadline) {
        return stores.<KvOutcome>get(KvTopology.OUTCOMES, key).compose(found -> {
            if (found.isPresent() || System.nanoTime() >= deadline) {
                return Future.succeededFuture(found);
            }
            return stores.vertx().timer(POLL_MS).compose(v -> poll(key, deadline));
        });
    }

    private static ApiException unapplied(RecordMetadata written, String why) {
        return new ApiException(503, "the request is in the log at offset " + written.offset() + " of " + Topics.KV.name()
                + " but was not applied within " + APPLY_TIMEOUT_MS / 1000 + " s (" + why + "); read the key before retrying");
    }
}
