package io.hypermesh.streams.api.peer;

import io.hypermesh.streams.api.stores.PeerClient;
import io.hypermesh.streams.api.stores.StoreAccess;
import io.hypermesh.streams.ChangeSignal;
import io.vertx.core.Vertx;
import org.apache.kafka.streams.state.HostInfo;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Follows the changes every other instance of the folds applies (long-polling its
 * {@link PeerClient#CHANGES}) and rings them here, so a blocking query on this instance wakes when
 * the owner of a change applies it, instead of on its next look at the index. The peers are the
 * instances Kafka Streams knows, looked at again each second. Runs on the API's event loop.
 */
public final class PeerChanges {
    /** How long a peer holds a request open when nothing changes there. */
    static final long WAIT_MS = 20_000;
    private static final long RETRY_MS = 1_000;

    private final Vertx vertx;
    private final StoreAccess stores;
    private final ChangeSignal changes;
    private final Map<HostInfo, Following> following = new HashMap<>();
    private long timer = -1;

    public PeerChanges(Vertx vertx, StoreAccess stores, ChangeSignal changes) {
        this.vertx = vertx;
        this.stores = stores;
        this.changes = changes;
    }

    public void start() {
        timer = vertx.setPeriodic(RETRY_MS, id -> reconcile());
        reconcile();
    }

    public void stop() {
        vertx.cancelTimer(timer);
        following.values().forEach(Following::stop);
        following.clear();
    }

    private void reconcile() {
        Set<HostInfo> peers = new HashSet<>();
        for (HostInfo instance : stores.instances()) {
            if (!instance.equals(stores.self())) {
                peers.add(instance);
            }
        }
        following.entrySet().removeIf(e -> {
            if (peers.contains(e.getKey())) {
                return false;
            }
            e.getValue().stop();
            return true;
        });
        for (HostInfo peer : peers) {
            following.computeIfAbsent(peer, p -> {
                Following f = new Following(p);
                f.next();
                return f;
            });
        }
    }

    private final class Following {
        private final HostInfo peer;
        private long after = -1;
        private boolean stopped;

        Following(HostInfo peer) {
            this.peer = peer;
        }

        void next() {
            if (stopped) {
                return;
            }
            stores.peers().changes(peer, after, WAIT_MS).onComplete(answer -> {
                if (stopped) {
                    return;
                }
                if (answer.failed()) {
                    vertx.setTimer(RETRY_MS, id -> next());
                    return;
                }
                ChangeSignal.Since since = answer.result();
                if (after < 0 || since.all() || since.end() < after) {
                    // Following from here on; what the peer applied before is not known here: everything
                    // may have moved (also when this follower fell behind its log or the peer started again).
                    changes.ringFromPeer(null);
                } else if (!since.scopes().isEmpty()) {
                    changes.ringFromPeer(since.scopes());
                }
                after = since.end();
                next();
            });
        }

    public void stop() {
            stopped = true;
        }
    }
}
