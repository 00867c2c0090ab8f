package io.hypermesh.streams.api.kv;

import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.api.AnswerBudget;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.Watchers;
import io.hypermesh.streams.api.consul.RegistryReader;
import io.hypermesh.streams.api.stores.StoreAccess;
import io.hypermesh.streams.kv.KvLimits;
import io.vertx.core.Vertx;

/**
 * Consul KV, sessions and transactions, spoken exactly ({@link KvEndpoints}, {@link SessionEndpoints},
 * {@link TxnEndpoint}), decided by the KV fold; plus a key's history under {@code /v1/hypermesh/kv}.
 */
public final class KvRoom {
    private final KvEndpoints kv;
    private final SessionEndpoints sessions;
    private final TxnEndpoint txn;
    private final KvHistory history;
    private final SessionChecks checks;

    /** @param applied how far this instance's KV fold got, when it runs here */
    public KvRoom(Vertx vertx, StoreAccess stores, BusPublisher writer, AppliedOffsets applied, RegistryReader registry,
                  ChangeSignal changes, Watchers watchers, AnswerBudget answers, KvLimits limits, String nodeName) {
        KvReads reads = new KvReads(vertx, stores, changes, watchers, answers);
        KvWrites writes = new KvWrites(writer, stores, applied, nodeName);
        this.kv = new KvEndpoints(reads, writes);
        this.sessions = new SessionEndpoints(reads, writes, registry, nodeName);
        this.txn = new TxnEndpoint(writes);
        this.history = new KvHistory(reads, limits.historyPerKey());
        this.checks = new SessionChecks(vertx, stores, registry, writes);
    }

    public void mount(Routes routes) {
        kv.mount(routes);
        sessions.mount(routes);
        txn.mount(routes);
        history.mount(routes);
        checks.start();
    }

    public void stop() {
        checks.stop();
    }
}
