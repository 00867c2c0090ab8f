package io.hypermesh.streams.api.kv;

import io.hypermesh.events.kv.SessionInvalidated;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.KvSession;
import io.hypermesh.streams.api.consul.RegistryReader;
import io.hypermesh.streams.api.stores.StoreAccess;
import io.hypermesh.streams.kv.KvTopology;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Ends the sessions tied to a service check that went critical or went away, as Consul ends them
 * when a check they depend on fails. Once a second, on the instance that runs the KV fold only, it
 * looks at the checks of the sessions that have any and writes a verdict for each failed one; the
 * fold applies it. Our nodes' only node check is serfHealth, passing while the bus runs.
 */
final class SessionChecks {
    private static final Logger LOG = LoggerFactory.getLogger(SessionChecks.class);
    static final long INTERVAL_MS = 1_000;

    private final Vertx vertx;
    private final StoreAccess stores;
    private final RegistryReader registry;
    private final KvWrites writes;
    /** Sessions a verdict was written for: not again until they are gone. */
    private final Set<String> judged = new HashSet<>();
    private long timer = -1;
    private boolean busy;

    SessionChecks(Vertx vertx, StoreAccess stores, RegistryReader registry, KvWrites writes) {
        this.vertx = vertx;
        this.stores = stores;
        this.registry = registry;
        this.writes = writes;
    }

    void start() {
        timer = vertx.setPeriodic(INTERVAL_MS, id -> look());
    }

    void stop() {
        vertx.cancelTimer(timer);
    }

    private void look() {
        if (busy || !writes.foldRunsHere()) {
            return;
        }
        busy = true;
        stores.<KvSession>scan(KvTopology.SESSIONS, null).compose(sessions -> {
            Set<String> live = new HashSet<>();
            Future<Void> all = Future.succeededFuture();
            for (KvSession s : sessions) {
                live.add(s.getId());
                if (s.getServiceChecks().isEmpty() || judged.contains(s.getId())) {
                    continue;
                }
                for (String checkId : s.getServiceChecks()) {
                    all = all.compose(v -> judged.contains(s.getId()) ? Future.succeededFuture() : failure(checkId).compose(why ->
                            why.isEmpty() ? Future.succeededFuture() : invalidate(s, why.get())));
                }
            }
            judged.retainAll(live);
            return all;
        }).onComplete(done -> {
            busy = false;
            if (done.failed()) {
                LOG.debug("session checks not looked at: {}", done.cause().toString());
            }
        });
    }

    private Future<Optional<String>> failure(String checkId) {
        return registry.holderOfCheck(checkId).map(holder -> {
            Optional<CheckState> check = holder.flatMap(i -> i.getChecks().stream()
                    .filter(c -> c.getDefinition().getCheckId().equals(checkId)).findFirst());
            if (check.isEmpty()) {
                return Optional.of("check " + checkId + " deregistered");
            }
            return check.get().getStatus().equals("critical") ? Optional.of("check " + checkId + " critical") : Optional.empty();
        });
    }

    private Future<Void> invalidate(KvSession s, String why) {
        judged.add(s.getId());
        // Not written (Kafka away): judged again on the next look.
        return writes.request(null, "session:" + s.getId(), new SessionInvalidated(s.getId(), why, -1L)).onFailure(e ->
                judged.remove(s.getId())).mapEmpty();
    }

}
