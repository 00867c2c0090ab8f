package io.hypermesh.streams.api.kv;

import io.hypermesh.events.kv.SessionCreated;
import io.hypermesh.events.kv.SessionDestroyed;
import io.hypermesh.events.kv.SessionRenewed;
import io.hypermesh.http.GoDuration;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.KvSession;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.Callers;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.consul.ConsulRequests;
import io.hypermesh.streams.api.consul.RegistryReader;
import io.hypermesh.streams.kv.KvTopology;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Consul's {@code /v1/session} endpoints (agent/session_endpoint.go, agent/consul/session_endpoint.go):
 * create (tied to the node's {@code serfHealth} unless told otherwise, lock-delay 15 s, release),
 * destroy, renew, info, node and list, the reads blocking on the sessions' index.
 */
final class SessionEndpoints {
    static final Duration TTL_MIN = Duration.ofSeconds(10);
    static final Duration TTL_MAX = Duration.ofHours(24);
    /** Consul reads a LockDelay below this as seconds: users write 15 meaning 15 s. */
    private static final long LOCK_DELAY_MIN_THRESHOLD = 1000;

    private final KvReads reads;
    private final KvWrites writes;
    private final RegistryReader registry;
    private final String nodeName;

    SessionEndpoints(KvReads reads, KvWrites writes, RegistryReader registry, String nodeName) {
        this.reads = reads;
        this.writes = writes;
        this.registry = registry;
        this.nodeName = nodeName;
    }

    void mount(Routes routes) {
        routes.put("/v1/session/create").handler(this::create);
        routes.put("/v1/session/destroy/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            writes.request(ctx, "session:" + id, new SessionDestroyed(id, Callers.who(ctx)))
                    .onSuccess(outcome -> Responses.json(ctx, 200, "true")).onFailure(ctx::fail);
        });
        routes.put("/v1/session/renew/:id").handler(this::renew);
        routes.get("/v1/session/info/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            reads.serve(ctx, List.of(KvTopology.SESSIONS_SCOPE), () -> reads.session(id), KvReads.SessionView::index, this::render);
        });
        routes.get("/v1/session/node/:node").handler(ctx -> list(ctx, ctx.pathParam("node")));
        routes.get("/v1/session/list").handler(ctx -> list(ctx, null));
    }

    /** The sessions of one node, or all when {@code node} is null. */
    private void list(RoutingContext ctx, String node) {
        reads.serve(ctx, List.of(KvTopology.SESSIONS_SCOPE), () -> reads.sessions(all -> all.stream()
                .filter(s -> node == null || s.getNode().equals(node)).toList()),
                KvReads.SessionView::index, this::render);
    }

    private KvReads.Answer render(KvReads.SessionView view) {
        return new KvReads.Answer(200, Buffer.buffer(KvJson.sessions(view.sessions()).encode()), "application/json", view.index());
    }

    /**
     * Renews a session, as Consul answers: the session, or 404. A renewal moves only the TTL's
     * deadline, so one within a quarter of the TTL of the last is answered without a write: the
     * session then lives at least its TTL after any renewal, and a client renewing in a loop
     * writes four records a TTL, not thousands.
     */
    private void renew(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        reads.session(id).compose(view -> {
            if (view.sessions().isEmpty()) {
                return Future.failedFuture(ApiException.notFound("Session id '" + id + "' not found"));
            }
            KvSession s = view.sessions().get(0);
            if (s.getTtlMs() == 0 || System.currentTimeMillis() - s.getRenewedAt() < s.getTtlMs() / 4) {
                return Future.succeededFuture(view);
            }
            return writes.request(ctx, "session:" + id, new SessionRenewed(id, Callers.who(ctx))).compose(outcome -> outcome.getOk()
                    ? reads.session(id) : Future.failedFuture(ApiException.notFound("Session id '" + id + "' not found")));
        }).onSuccess(view -> {
            if (view.sessions().isEmpty()) {
                ctx.fail(ApiException.notFound("Session id '" + id + "' not found"));
                return;
            }
            Responses.json(ctx, 200, KvJson.sessions(view.sessions()));
        }).onFailure(ctx::fail);
    }

    private void create(RoutingContext ctx) {
        JsonObject body = ConsulRequests.jsonBody(ctx);
        ConsulRequests.Fields f = new ConsulRequests.Fields(body, "");
        String node = f.string("Node", nodeName);
        if (node.isEmpty()) {
            node = nodeName;
        }
        String behavior = f.string("Behavior", "release");
        if (behavior.isEmpty()) {
            behavior = "release";
        }
        if (!behavior.equals("release") && !behavior.equals("delete")) {
            throw ApiException.badRequest("Invalid Behavior setting '" + behavior + "'");
        }
        String ttl = f.string("TTL", "");
        long ttlMs = ttl(ttl);
        long lockDelayMs = lockDelay(body);
        List<String> nodeChecks = new ArrayList<>();
        boolean anyChecksField = false;
        for (String field : List.of("Checks", "NodeChecks")) {
            if (f.hasValue(field) || body.fieldNames().stream().anyMatch(n -> n.equalsIgnoreCase(field))) {
                anyChecksField = true;
                for (String c : f.strings(field)) {
                    if (!nodeChecks.contains(c)) {
                        nodeChecks.add(c);
                    }
                }
            }
        }
        List<String> serviceChecks = new ArrayList<>();
        JsonArray services = f.array("ServiceChecks");
        if (services != null) {
            anyChecksField = true;
            for (int i = 0; i < services.size(); i++) {
                if (!(services.getValue(i) instanceof JsonObject o)) {
                    throw ConsulRequests.decode("ServiceChecks[" + i + "] must be an object");
                }
                serviceChecks.add(new ConsulRequests.Fields(o, "ServiceChecks[" + i + "].").required("ID",
                        "Request decode failed: ServiceChecks[" + i + "].ID is required"));
            }
        }
        if (!anyChecksField) {
            nodeChecks.add(KvJson.SERF_HEALTH);
        }
        // Our nodes hold no check but serfHealth: any other id named as a node check is a service's
        // check, as Consul before 1.7 took the ids of Checks (vertx-consul-client still sends them so).
        for (String c : List.copyOf(nodeChecks)) {
            if (!c.equals(KvJson.SERF_HEALTH)) {
                nodeChecks.remove(c);
                if (!serviceChecks.contains(c)) {
                    serviceChecks.add(c);
                }
            }
        }
        String id = UUID.randomUUID().toString();
        SessionCreated created = SessionCreated.newBuilder().setId(id).setName(f.string("Name", "")).setNode(node)
                .setNodeChecks(nodeChecks).setServiceChecks(serviceChecks).setLockDelayMs(lockDelayMs).setBehavior(behavior)
                .setTtl(ttl).setTtlMs(ttlMs).setBy(Callers.who(ctx)).build();
        validate(node, serviceChecks).compose(ok -> writes.request(ctx, "session:" + id, created)).onSuccess(outcome -> {
            if (!outcome.getOk()) {
                ctx.fail(new ApiException(503, outcome.getErrors().get(0).getWhat()));
                return;
            }
            Responses.json(ctx, 200, new JsonObject().put("ID", id));
        }).onFailure(ctx::fail);
    }

    /** The node must be known and every service check must exist and not be critical, as Consul's state store checks. */
    private Future<Void> validate(String node, List<String> serviceChecks) {
        Future<Void> known = node.equals(nodeName) ? Future.succeededFuture() : registry.all().compose(all ->
                all.stream().anyMatch(i -> i.getNode().equals(node)) ? Future.succeededFuture()
                        : Future.failedFuture(ApiException.badRequest("Missing node registration")));
        for (String checkId : serviceChecks) {
            known = known.compose(ok -> registry.holderOfCheck(checkId).compose(holder -> {
                CheckState check = holder.flatMap(i -> i.getChecks().stream().filter(c -> c.getDefinition().getCheckId().equals(checkId))
                        .findFirst()).orElse(null);
                if (check == null) {
                    return Future.failedFuture(ApiException.badRequest("Missing check '" + checkId + "' registration"));
                }
                if (check.getStatus().equals("critical")) {
                    return Future.failedFuture(ApiException.badRequest("Check '" + checkId + "' is in critical state"));
                }
                return Future.<Void>succeededFuture();
            }));
        }
        return known;
    }

    /** A TTL between 10 s and 24 h, or none; Consul's words otherwise. */
    static long ttl(String ttl) {
        if (ttl.isEmpty()) {
            return 0;
        }
        long nanos;
        try {
            nanos = GoDuration.parseNanos(ttl);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Session TTL '" + ttl + "' invalid: " + e.getMessage());
        }
        if (nanos != 0 && (nanos < TTL_MIN.toNanos() || nanos > TTL_MAX.toNanos())) {
            throw ApiException.badRequest("Invalid Session TTL '" + nanos + "', must be between [" + GoDuration.format(TTL_MIN.toNanos())
                    + "=" + GoDuration.format(TTL_MAX.toNanos()) + "]");
        }
        return nanos / 1_000_000;
    }

    /** LockDelay as Consul reads it: a Go duration or nanoseconds, a value under 1000 taken as seconds; 15 s when absent. */
    static long lockDelay(JsonObject body) {
        for (String name : body.fieldNames()) {
            if (!name.toLowerCase(Locale.ROOT).equals("lockdelay")) {
                continue;
            }
            Object v = body.getValue(name);
            long nanos;
            if (v instanceof String s) {
                try {
                    nanos = GoDuration.parseNanos(s);
                } catch (IllegalArgumentException e) {
                    throw ConsulRequests.decode(e.getMessage());
                }
            } else if (v instanceof Number n) {
                nanos = n.longValue();
            } else {
                throw ConsulRequests.decode("LockDelay must be a duration or a number of nanoseconds");
            }
            if (nanos < 0) {
                throw ConsulRequests.decode("LockDelay must not be negative");
            }
            if (nanos < LOCK_DELAY_MIN_THRESHOLD) {
                nanos *= 1_000_000_000L;
            }
            return Math.min(nanos / 1_000_000, Duration.ofMinutes(1).toMillis());
        }
        return 15_000;
    }
}
