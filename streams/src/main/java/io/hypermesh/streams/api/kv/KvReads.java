package io.hypermesh.streams.api.kv;

import io.hypermesh.state.KvEntry;
import io.hypermesh.state.KvSession;
import io.hypermesh.state.KvVersion;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.api.AnswerBudget;
import io.hypermesh.streams.api.BlockingQuery;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Watchers;
import io.hypermesh.streams.api.stores.FoldStores;
import io.hypermesh.streams.kv.KvTopology;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads of the KV fold's stores, each with its Consul index, by the discovery rules: a view's index
 * is the index of the last change to what it shows, deletions included (tombstones), so it never
 * goes down and moves exactly when the view changed; a reaped tombstone leaves the reaped index
 * behind. A blocking read waits for a change of its key (or of any key, for a prefix) under the
 * watcher limits; every answer is admitted and written through the answer budget.
 */
final class KvReads {
    /** One key's entry (empty when absent) and its index. */
    record KeyView(Optional<KvEntry> entry, long index) implements AnswerBudget.Wrapping {
        @Override
        public Object view() {
            return entry;
        }
    }

    /** The entries under a prefix, in key order, and their index. */
    record TreeView(List<KvEntry> entries, long index) implements AnswerBudget.Wrapping {
        @Override
        public Object view() {
            return entries;
        }
    }

    /** The sessions a read shows, and the sessions' index. */
    record SessionView(List<KvSession> sessions, long index) implements AnswerBudget.Wrapping {
        @Override
        public Object view() {
            return sessions;
        }
    }

    /** A key's kept versions, oldest first, and the key's index. */
    record HistoryView(List<KvVersion> versions, long index) implements AnswerBudget.Wrapping {
        @Override
        public Object view() {
            return versions;
        }
    }

    /** A rendered answer: its status, body and index. */
    record Answer(int status, Buffer body, String contentType, long index) {
    }

    private final Vertx vertx;
    private final FoldStores stores;
    private final ChangeSignal changes;
    private final Watchers watchers;
    private final AnswerBudget answers;

    KvReads(Vertx vertx, FoldStores stores, ChangeSignal changes, Watchers watchers, AnswerBudget answers) {
        this.vertx = vertx;
        this.stores = stores;
        this.changes = changes;
        this.watchers = watchers;
        this.answers = answers;
    }

    Future<KeyView> key(String key) {
        Future<Optional<KvEntry>> entry = stores.get(KvTopology.ENTRIES, key);
        Future<Optional<Long>> tomb = stores.get(KvTopology.TOMBSTONES, key);
        return Future.all(entry, tomb).compose(both -> {
            long index = Math.max(entry.result().map(KvEntry::getModifyIndex).orElse(0L), tomb.result().orElse(0L));
            if (index > 0) {
                return Future.succeededFuture(new KeyView(entry.result(), index));
            }
            return meta(KvTopology.REAPED_INDEX).map(reaped -> new KeyView(Optional.empty(), Math.max(1, reaped)));
        });
    }

    Future<HistoryView> history(String key) {
        Future<List<KvVersion>> versions = stores.scan(KvTopology.HISTORY, KvTopology.historyPrefix(key));
        Future<KeyView> now = key(key);
        return Future.all(versions, now).map(both -> new HistoryView(versions.result(), now.result().index()));
    }

    Future<TreeView> tree(String prefix) {
        String scan = prefix.isEmpty() ? null : prefix;
        Future<List<KvEntry>> entries = stores.scan(KvTopology.ENTRIES, scan);
        if (prefix.isEmpty()) {
            return Future.all(entries, meta(KvTopology.KV_INDEX)).map(both -> new TreeView(entries.result(), Math.max(1,
                    both.<Long>resultAt(1))));
        }
        Future<List<Long>> tombs = stores.scan(KvTopology.TOMBSTONES, scan);
        return Future.all(entries, tombs, meta(KvTopology.REAPED_INDEX)).map(all -> {
            long index = Math.max(1, all.<Long>resultAt(2));
            for (KvEntry e : entries.result()) {
                index = Math.max(index, e.getModifyIndex());
            }
            for (Long t : tombs.result()) {
                index = Math.max(index, t);
            }
            return new TreeView(entries.result(), index);
        });
    }

    /** One session, read where the fold runs (no scan). */
    Future<SessionView> session(String id) {
        Future<Optional<KvSession>> one = stores.get(KvTopology.SESSIONS, id);
        return Future.all(one, meta(KvTopology.SESSIONS_INDEX)).map(both -> new SessionView(one.result().stream().toList(),
                Math.max(1, both.<Long>resultAt(1))));
    }

    Future<SessionView> sessions(Function<List<KvSession>, List<KvSession>> which) {
        Future<List<KvSession>> all = stores.scan(KvTopology.SESSIONS, null);
        return Future.all(all, meta(KvTopology.SESSIONS_INDEX)).map(both -> new SessionView(which.apply(all.result()),
                Math.max(1, both.<Long>resultAt(1))));
    }

    private Future<Long> meta(String name) {
        return stores.<Long>get(KvTopology.META, name).map(found -> found.orElse(0L));
    }

    /**
     * Answers with what {@code render} makes of the view: at once without {@code ?index}, else once
     * the view's index moved past it (or the wait ran out). Consul's headers on every answer.
     */
    <V> void serve(RoutingContext ctx, List<String> scopes, Supplier<Future<V>> read, Function<V, Long> index,
                   Function<V, Answer> render) {
        AnswerBudget.Admission admission = answers.admit(ctx);
        BlockingQuery.Wait wait = BlockingQuery.of(ctx.request());
        Future<V> view;
        if (!wait.blocking()) {
            view = read.get();
        } else {
            Runnable release = watchers.acquire(Watchers.Kind.BLOCKING_QUERY, ctx);
            ctx.addEndHandler(v -> release.run());
            view = BlockingQuery.await(vertx, changes, read, v -> Long.compareUnsigned(index.apply(v), wait.index()) > 0, v -> scopes,
                    scopes, wait.deadlineNanos(), stores::othersHoldParts).onComplete(done -> release.run());
        }
        view.compose(v -> answers.render(v, render)).onSuccess(answer -> {
            admission.charge(answer.body().length());
            ctx.response().setStatusCode(answer.status()).putHeader(Responses.INDEX_HEADER, Long.toString(answer.index()))
                    .putHeader("X-Consul-KnownLeader", "true").putHeader("X-Consul-LastContact", "0");
            if (answer.contentType() != null) {
                ctx.response().putHeader("Content-Type", answer.contentType());
            }
            answers.write(ctx.response(), answer.body());
        }).onFailure(ctx::fail);
    }
}
