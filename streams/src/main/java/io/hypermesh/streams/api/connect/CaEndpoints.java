package io.hypermesh.streams.api.connect;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.connect.CaConfigured;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.BlockingQuery;
import io.hypermesh.streams.api.Callers;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.Watchers;
import io.hypermesh.streams.api.consul.ConsulRequests;
import io.hypermesh.streams.connect.CaConfig;
import io.hypermesh.streams.connect.ConnectCa;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Consul's Connect CA endpoints: the roots (agent and catalog paths, {@code ?pem}), the leaf of a
 * service (a blocking query on its index returns when the leaf is due for rotation, or the root or
 * the leaf TTL changed), and the CA configuration, whose change of key type or size rotates the root. Key
 * generation runs on two threads of its own (a bounded queue, then 503), never on the event loop.
 */
final class CaEndpoints {
    static final String ROOTS_SCOPE = "connect-ca-roots";
    /** Threads that make keys: a burst of issuance or an RSA root takes these, not the API's shared workers. */
    static final int CA_THREADS = 2;
    /** Requests that may wait for them; past it a 503, so a flood queues nothing without bound. */
    static final int MAX_PENDING = 32;

    private final Vertx vertx;
    private final ConnectCa ca;
    private final BusPublisher writer;
    private final ConnectReads reads;
    private final Watchers watchers;
    private final EventSource source;
    private final WorkerExecutor workers;
    private final AtomicInteger pending = new AtomicInteger();

    CaEndpoints(Vertx vertx, ConnectCa ca, BusPublisher writer, ConnectReads reads, Watchers watchers, ChangeSignal changes,
                String nodeName) {
        this.vertx = vertx;
        this.ca = ca;
        this.writer = writer;
        this.reads = reads;
        this.watchers = watchers;
        this.source = new EventSource(nodeName, ComponentKind.STREAMS);
        this.workers = vertx.createSharedWorkerExecutor("connect-ca", CA_THREADS);
        ca.onChange(() -> changes.ring(ROOTS_SCOPE));
    }

    void mount(Routes routes) {
        routes.get("/v1/agent/connect/ca/roots").handler(this::roots);
        routes.get("/v1/connect/ca/roots").handler(this::roots);
        routes.get("/v1/connect/ca/configuration").handler(ctx -> reads.serve(ctx, ROOTS_SCOPE, () -> ca.configIndexes()[1],
                this::configuration));
        routes.put("/v1/connect/ca/configuration").handler(this::configure);
        routes.get("/v1/agent/connect/ca/leaf/:service").handler(this::leaf);
    }

    private void roots(RoutingContext ctx) {
        if ("true".equals(ctx.request().getParam("pem"))) {
            StringBuilder chain = new StringBuilder();
            for (ConnectCa.Root r : ca.roots()) {
                chain.append(r.certPem());
                r.intermediates().forEach(chain::append);
            }
            ctx.response().putHeader(Responses.INDEX_HEADER, Long.toString(ca.rootsIndex()))
                    .putHeader("Content-Type", "application/pem-certificate-chain").end(chain.toString());
            return;
        }
        reads.serve(ctx, ROOTS_SCOPE, ca::rootsIndex, () -> {
            JsonArray roots = new JsonArray();
            for (ConnectCa.Root r : ca.roots()) {
                roots.add(new JsonObject().put("ID", r.id()).put("Name", r.name())
                        .put("SerialNumber", r.cert().getSerialNumber().longValue())
                        .put("SigningKeyID", r.signingKeyId()).put("ExternalTrustDomain", ca.clusterId())
                        .put("NotBefore", r.cert().getNotBefore().toInstant().toString())
                        .put("NotAfter", r.cert().getNotAfter().toInstant().toString()).put("RootCert", r.certPem())
                        .put("IntermediateCerts", r.intermediates().isEmpty() ? null : new JsonArray(r.intermediates()))
                        .put("Active", r.active()).put("PrivateKeyType", r.keyType()).put("PrivateKeyBits", r.keyBits())
                        .put("CreateIndex", r.createIndex()).put("ModifyIndex", r.modifyIndex()));
            }
            return new JsonObject().put("ActiveRootID", ca.active().id()).put("TrustDomain", ca.trustDomain()).put("Roots", roots);
        });
    }

    private JsonObject configuration() {
        long[] indexes = ca.configIndexes();
        return new JsonObject().put("Provider", CaConfig.PROVIDER).put("Config", new JsonObject(new TreeMap<>(ca.config().raw())))
                .putNull("State").put("ForceWithoutCrossSigning", false).put("CreateIndex", indexes[0]).put("ModifyIndex", indexes[1]);
    }

    private void configure(RoutingContext ctx) {
        JsonObject body = ConsulRequests.jsonBody(ctx);
        String provider = new ConsulRequests.Fields(body, "").string("Provider", "");
        if (!provider.equals(CaConfig.PROVIDER)) {
            throw ApiException.badRequest("Provider \"" + provider + "\" is not supported: the bus runs Consul's built-in CA, "
                    + "Provider \"consul\"");
        }
        Object raw = body.getValue("Config");
        Map<String, Object> given = raw instanceof JsonObject o ? o.getMap() : Map.of();
        CaConfig next;
        try {
            next = CaConfig.of(given);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        String by = Callers.who(ctx);
        onCaThreads(() -> ca.configure(next)).compose(rotated -> {
            Map<String, String> shown = new TreeMap<>();
            next.raw().forEach((k, v) -> shown.put(k, String.valueOf(v)));
            CaConfigured changed = new CaConfigured(CaConfig.PROVIDER, shown, ca.active().id(), rotated, by);
            return Future.fromCompletionStage(writer.publish(Topics.INTENTIONS, "ca-configuration",
                    Envelopes.wrap(Topics.INTENTIONS, source, changed))).compose(m -> reads.applied(m.partition(), m.offset()));
        }).onSuccess(v -> ctx.response().setStatusCode(200).end()).onFailure(ctx::fail);
    }

    private void leaf(RoutingContext ctx) {
        String service = IntentionJson.name(ctx.pathParam("service"), "service");
        BlockingQuery.Wait wait = BlockingQuery.of(ctx.request());
        issue(service).compose(leaf -> {
            if (!wait.blocking() || leaf.modifyIndex() != wait.index()) {
                return Future.succeededFuture(leaf);
            }
            Runnable release = watchers.acquire(Watchers.Kind.BLOCKING_QUERY, ctx);
            ctx.addEndHandler(v -> release.run());
            return dueOrRotated(leaf, wait.deadlineNanos()).compose(v -> issue(service));
        }).onSuccess(leaf -> {
            ctx.response().putHeader(Responses.INDEX_HEADER, Long.toString(leaf.modifyIndex()));
            Responses.json(ctx, 200, new JsonObject().put("SerialNumber", leaf.serial()).put("CertPEM", leaf.certPem())
                    .put("PrivateKeyPEM", leaf.keyPem()).put("Service", leaf.service()).put("ServiceURI", leaf.uri())
                    .put("ValidAfter", leaf.validAfter().truncatedTo(ChronoUnit.SECONDS).toString())
                    .put("ValidBefore", leaf.validBefore().truncatedTo(ChronoUnit.SECONDS).toString())
                    .put("CreateIndex", leaf.createIndex()).put("ModifyIndex", leaf.modifyIndex()));
        }).onFailure(ctx::fail);
    }

    private Future<ConnectCa.Leaf> issue(String service) {
        return onCaThreads(() -> ca.leaf(service)).recover(e -> Future.failedFuture(
                e instanceof ConnectCa.RateLimitedException ? new ApiException(429, e.getMessage()) : e));
    }

    private <T> Future<T> onCaThreads(Callable<T> work) {
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            return Future.failedFuture(new ApiException(503, "the Connect CA has " + MAX_PENDING + " requests in hand; try again shortly"));
        }
        return workers.executeBlocking(work, false).onComplete(done -> pending.decrementAndGet());
    }

    /** Completes when the leaf is due for rotation, the CA's configuration changes (a new root, a new TTL), or the wait ends. */
    private Future<Void> dueOrRotated(ConnectCa.Leaf leaf, long deadlineNanos) {
        Promise<Void> done = Promise.promise();
        var context = vertx.getOrCreateContext();
        long untilDue = Math.max(1, leaf.rotateAt().toEpochMilli() - Instant.now().toEpochMilli());
        long untilDeadline = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
        long timer = vertx.setTimer(Math.min(untilDue, untilDeadline), id -> done.tryComplete());
        Runnable stop = ca.onChange(() -> context.runOnContext(v -> done.tryComplete()));
        return done.future().onComplete(ar -> {
            vertx.cancelTimer(timer);
            stop.run();
        });
    }
}
