package io.hypermesh.streams.api.peer;

import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.consul.Members;
import io.hypermesh.streams.api.stores.PeerClient;
import io.hypermesh.streams.api.Routes;

import io.hypermesh.streams.api.AnswerBudget;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.NextChange;
import io.hypermesh.streams.api.stores.StoreAccess;
import io.hypermesh.http.HttpTls;
import io.hypermesh.streams.ChangeSignal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.streams.state.HostInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The peer room: what instances of the folds ask each other, under {@code /internal/v1/}. Reads of
 * the parts of stores an instance owns ({@link StoreAccess} is the asking side), how far its
 * registry fold got ({@link WriteVisibility} asks), and its Consul node (for agent/members). With
 * TLS, only a peer with a certificate of the bus CA is answered.
 */
public final class PeerProtocol implements Members {
    private final StoreAccess stores;
    private final WriteVisibility visibility;
    private final HttpTls tls;
    private final String nodeName;
    private final io.vertx.core.Vertx vertx;
    private final ChangeSignal changes;
    private final AnswerBudget answers;

    public PeerProtocol(io.vertx.core.Vertx vertx, StoreAccess stores, ChangeSignal changes, WriteVisibility visibility, HttpTls tls,
            String nodeName,
                 AnswerBudget answers) {
        this.answers = answers;
        this.vertx = vertx;
        this.changes = changes;
        this.stores = stores;
        this.visibility = visibility;
        this.tls = tls;
        this.nodeName = nodeName;
    }

    public void mount(Routes routes) {
        routes.router().route("/internal/v1/*").handler(this::authorizePeer);
        routes.get(PeerClient.STORES + ":store/keys/:key").handler(this::get);
        routes.get(PeerClient.STORES + ":store/scan").handler(this::scan);
        routes.post(PeerClient.STORES + ":store/keys").handler(this::getAll);
        routes.get(PeerClient.APPLIED + ":partition/:offset").handler(ctx -> {
            int partition = Integer.parseInt(ctx.pathParam("partition"));
            long offset = Long.parseLong(ctx.pathParam("offset"));
            long waitMs = Math.min(5_000, Long.parseLong(ctx.request().getParam("waitMs", "1000")));
            visibility.local(partition, offset, waitMs).onSuccess(v -> Responses.json(ctx, 200, new JsonObject().put("applied", true)))
                    .onFailure(e -> Responses.json(ctx, 504, new JsonObject().put("error", e.getMessage())));
        });
        routes.get(PeerClient.SELF).handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("Node", nodeName)));
        routes.get(PeerClient.CHANGES).handler(ctx -> {
            long after;
            long waitMs;
            try {
                after = Long.parseLong(ctx.request().getParam("after", "-1"));
                waitMs = Math.max(0, Math.min(MAX_CHANGES_WAIT_MS, Long.parseLong(ctx.request().getParam("waitMs", "20000"))));
            } catch (NumberFormatException e) {
                Responses.json(ctx, 400, new JsonObject().put("error", "after and waitMs are numbers"));
                return;
            }
            io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
            ctx.addEndHandler(v -> closed.tryComplete());
            changesAfter(ctx, after, System.nanoTime() + waitMs * 1_000_000, closed.future());
        });
    }

    private static final long MAX_CHANGES_WAIT_MS = 60_000;

    /** Answers with the local changes after {@code after} once there are any, or empty at the deadline; never spins. */
    private void changesAfter(RoutingContext ctx, long after, long deadline, Future<Void> closed) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ChangeSignal.Since since = changes.since(after);
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (!since.empty() || after < 0 || since.end() < after || left <= 0) {
            Responses.json(ctx, 200, new JsonObject().put("end", since.end()).put("all", since.all()).put("scopes",
                    new JsonArray(since.scopes())));
            return;
        }
        // Woken by any change, a peer's included (those are not in the log): look again each time.
        NextChange.await(vertx, changes, null, () -> !changes.since(after).empty(), left, closed)
                .onComplete(v -> changesAfter(ctx, after, deadline, closed));
    }

    /** A Consul agent member entry for one instance. */
    @Override
    public JsonObject member(String name, String host, int port) {
        return new JsonObject().put("Name", name).put("Addr", host).put("Port", port)
                .put("Tags", new JsonObject().put("role", "consul").put("build", Responses.CONSUL_VERSION).put("port",
                        Integer.toString(port)))
                .put("Status", 1).put("ProtocolMin", 1).put("ProtocolMax", 5).put("ProtocolCur", 2)
                .put("DelegateMin", 2).put("DelegateMax", 5).put("DelegateCur", 4);
    }

    /** Every instance of the folds as a Consul member, named by its node, in address order. */
    @Override
    public Future<JsonArray> members() {
        List<Future<JsonObject>> all = new ArrayList<>();
        for (HostInfo m : stores.instances()) {
            if (m.equals(stores.self())) {
                all.add(Future.succeededFuture(member(nodeName, m.host(), m.port())));
            } else {
                all.add(stores.peers().node(m).map(node -> member(node, m.host(), m.port()))
                        .otherwise(e -> member(m.host() + ":" + m.port(), m.host(), m.port()).put("Status", 4)));
            }
        }
        if (all.isEmpty()) {
            all.add(Future.succeededFuture(member(nodeName, stores.self().host(), stores.self().port())));
        }
        return Future.all(all).map(done -> {
            TreeMap<String, JsonObject> byAddress = new TreeMap<>();
            for (int i = 0; i < all.size(); i++) {
                JsonObject m = done.resultAt(i);
                byAddress.put(m.getString("Addr") + ":" + m.getInteger("Port"), m);
            }
            return new JsonArray(new ArrayList<>(byAddress.values()));
        });
    }

    private void authorizePeer(RoutingContext ctx) {
        if (!tls.enabled() || HttpTls.verifiedClient(ctx.request())) {
            ctx.next();
            return;
        }
        Responses.json(ctx, 403, new JsonObject().put("error",
                "the internal endpoints answer only peers with a certificate of the bus CA"));
    }

    private void get(RoutingContext ctx) {
        String store = served(ctx);
        int partition = partition(ctx.request().getParam("partition"));
        stores.vertx().executeBlocking(() -> stores.localGet(store, ctx.pathParam("key"), partition), false)
                .onSuccess(value -> Responses.json(ctx, 200, new JsonObject().put("value", stores.encode(store, value))))
                .onFailure(ctx::fail);
    }

    private void getAll(RoutingContext ctx) {
        String store = served(ctx);
        Map<String, Integer> partitions = new HashMap<>();
        try {
            ctx.body().asJsonObject().forEach(e -> partitions.put(e.getKey(), partition(e.getValue())));
        } catch (RuntimeException e) {
            throw ApiException.badRequest("body must map each key to its partition number");
        }
        // Read and encoded on a worker, written as fast as the peer reads: a whole store is megabytes.
        stores.vertx().executeBlocking(() -> {
            JsonObject body = new JsonObject();
            stores.localGetAll(store, partitions).forEach((k, v) -> body.put(k, stores.encode(store, v)));
            return body.toBuffer();
        }, false).onSuccess(body -> write(ctx, body)).onFailure(ctx::fail);
    }

    private void scan(RoutingContext ctx) {
        String store = served(ctx);
        String prefix = ctx.request().getParam("prefix");
        stores.vertx().executeBlocking(() -> {
            JsonArray rows = new JsonArray();
            stores.localScan(store, prefix).forEach((k, v) -> rows.add(new JsonObject().put("key", k).put("value", stores.encode(store,
                    v))));
            return rows.toBuffer();
        }, false).onSuccess(body -> write(ctx, body)).onFailure(ctx::fail);
    }

    /** The request's store: a name this instance does not serve is a 404, not a store lookup that fails. */
    private String served(RoutingContext ctx) {
        String store = ctx.pathParam("store");
        if (!stores.serves(store)) {
            throw ApiException.notFound("no store '" + store + "' here");
        }
        return store;
    }

    /** A partition number: a whole number from 0, else a 400. */
    private static int partition(Object value) {
        long n;
        try {
            n = value instanceof Number number && number.doubleValue() == number.longValue() ? number.longValue()
                    : Long.parseLong(String.valueOf(value));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("partition must be a whole number, was '" + value + "'");
        }
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw ApiException.badRequest("partition must be from 0, was " + value);
        }
        return (int) n;
    }

    private void write(RoutingContext ctx, io.vertx.core.buffer.Buffer body) {
        answers.write(ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json"), body);
    }
}
