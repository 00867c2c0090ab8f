package io.hypermesh.streams.api;

import io.hypermesh.streams.api.checks.CheckRunner;
import io.hypermesh.streams.api.consul.AgentWrites;
import io.hypermesh.streams.api.consul.ConsulQueries;
import io.hypermesh.streams.api.consul.ConsulReads;
import io.hypermesh.streams.api.consul.RegistryReader;
import io.hypermesh.streams.api.dashboard.Dashboard;
import io.hypermesh.streams.api.peer.PeerChanges;
import io.hypermesh.streams.api.peer.PeerProtocol;
import io.hypermesh.streams.api.peer.TransactionHolders;
import io.hypermesh.streams.api.peer.WriteVisibility;
import io.hypermesh.streams.api.stores.StoreAccess;
import io.hypermesh.streams.api.baselines.Baselines;
import io.hypermesh.streams.api.connect.ConnectRoom;
import io.hypermesh.streams.connect.ConnectParts;
import io.hypermesh.streams.api.views.HypermeshViews;
import io.hypermesh.streams.metrics.BusGauges;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.http.SlowClients;
import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.http.auth.WriteAccess;
import io.hypermesh.http.HttpTls;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.api.kv.KvRoom;
import io.hypermesh.streams.kv.KvLimits;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.ConsulIndexes;
import io.hypermesh.streams.StreamsSettings;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the folds. It holds no endpoint of its own beyond {@code /metrics} and the
 * dashboard page: it mounts the rooms ({@link ConsulReads}, {@link AgentWrites},
 * {@link HypermeshViews}, {@link PeerProtocol}), asks for a credential on writes, times requests and
 * turns failures into answers: plain text on Consul's paths, as Consul answers, JSON on ours.
 * {@link #start()} completes once the server listens.
 */
public final class QueryApiVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(QueryApiVerticle.class);
    /** The longest request line read; the connection limit bounds what all of them may hold. */
    static final int MAX_REQUEST_LINE = 64 * 1024;

    private final KafkaStreams streams;
    private final StoreAccess stores;
    private final BusPublisher writer;
    private final PrometheusMeterRegistry metrics;
    private final BusGauges gauges;
    private final ChangeSignal changes;
    private final AppliedOffsets applied;
    private final AppliedOffsets kvApplied;
    private final ConsulIndexes indexes;
    private final ConnectParts connect;
    private final StreamsSettings settings;
    private final Dashboard dashboard;
    private final WriteAccess writes;
    private final HttpTls tls;
    private HttpServer server;
    private CheckRunner checks;
    private AnswerBudget answers;
    private TransactionHolders holders;
    private PeerChanges peerChanges;
    private KvRoom kv;
    private long dashboardTimer = -1;

    /**
     * @param tokens what the write APIs accept ({@link ApiTokens#open()} for none)
     * @param tls    the instance's HTTPS identity: with one, the API is served over TLS, a client
     *               certificate of the bus CA may write, and only such a client (a peer) may use
     *               the internal endpoints
     */
    public QueryApiVerticle(KafkaStreams streams, StoreAccess stores, BusPublisher writer, BusGauges gauges,
                            ChangeSignal changes, AppliedOffsets applied, AppliedOffsets kvApplied, ConsulIndexes indexes,
                            ConnectParts connect,
                            StreamsSettings settings,
                                    Dashboard dashboard,
                            ApiTokens tokens, HttpTls tls) {
        this.writes = WriteAccess.of(tokens, tls);
        this.tls = tls;
        this.dashboard = dashboard;
        this.changes = changes;
        this.applied = applied;
        this.kvApplied = kvApplied;
        this.indexes = indexes;
        this.connect = connect;
        this.streams = streams;
        this.stores = stores;
        this.writer = writer;
        this.gauges = gauges;
        this.metrics = gauges.registry();
        this.settings = settings;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().handler(this::timed);
        // Consul reads every body as JSON whatever its content type (curl sends a form type by
        // default): the body handler must not decode a form, which refused a long "field", any
        // bad %-escape, and a GET, each with a 500.
        router.route().handler(ctx -> {
            String type = ctx.request().getHeader("Content-Type");
            if (type != null && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/"))) {
                ctx.request().headers().set("Content-Type", "application/octet-stream");
            }
            ctx.next();
        });
        router.route().handler(BodyHandler.create().setBodyLimit(settings.maxRequestBytes()));
        // Every write needs a credential where tokens or TLS are configured; reads stay open.
        router.put("/v1/agent/*").handler(this::authorizeWrite);
        router.put("/v1/catalog/*").handler(this::authorizeWrite);
        router.put(Responses.HYPERMESH_PREFIX + "/agent/*").handler(this::authorizeWrite);
        router.put(Responses.HYPERMESH_PREFIX + "/workloads/*").handler(this::authorizeWrite);
        // Connect: intentions and the CA's configuration change policy; a leaf is an identity.
        router.put("/v1/connect/*").handler(this::authorizeWrite);
        router.post("/v1/connect/*").handler(this::authorizeWrite);
        router.delete("/v1/connect/*").handler(this::authorizeWrite);
        router.get("/v1/agent/connect/ca/leaf/*").handler(this::authorizeWrite);
        // KV, sessions and transactions: configuration and locks.
        router.put("/v1/kv/*").handler(this::authorizeWrite);
        router.delete("/v1/kv/*").handler(this::authorizeWrite);
        router.put("/v1/txn").handler(this::authorizeWrite);
        router.put("/v1/session/*").handler(this::authorizeWrite);

        RegistryReader registry = new RegistryReader(stores, indexes);
        holders = new TransactionHolders(settings.kafka().clientConfig());
        WriteVisibility visibility = new WriteVisibility(stores, applied, holders);
        answers = new AnswerBudget(vertx, settings.apiLimits());
        PeerProtocol peers = new PeerProtocol(vertx, stores, changes, visibility, tls, settings.nodeName(), answers);
        Watchers watchers = new Watchers(settings.maxWatchers(), settings.apiLimits().watchersPerClient(),
                settings.apiLimits().streamsPerClient());
        gauges.watch(watchers);
        ConsulQueries queries = new ConsulQueries(vertx, changes, registry, stores, settings.datacenter(), watchers, answers);
        Routes routes = new Routes(router);
        // Connect first: authorize is asked on every new connection of every service, and a router
        // tries its routes in order.
        new ConnectRoom(vertx, connect, writer, changes, watchers, metrics, settings.nodeName()).mount(routes);
        new ConsulReads(queries, registry, stores, peers, settings).mount(routes);
        new AgentWrites(writer, registry, visibility, settings).mount(routes);
        new HypermeshViews(vertx, stores, changes, dashboard, streams, settings.applicationId(), watchers, answers).mount(routes);
        new Baselines(stores, writer, settings.nodeName()).mount(routes);
        kv = new KvRoom(vertx, stores, writer, kvApplied, registry, changes, watchers, answers, KvLimits.defaults(), settings.nodeName());
        kv.mount(routes);
        peers.mount(routes);
        checks = new CheckRunner(vertx, stores, writer, settings.nodeName());
        checks.start();
        peerChanges = new PeerChanges(vertx, stores, changes);
        peerChanges.start();

        // Vert.x matches "/ui" and "/ui/" alike: one route serves both (a redirect between them would loop).
        routes.get("/ui").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-cache").end(dashboard.page()));
        dashboardTimer = vertx.setPeriodic(1000, id -> dashboard.sample());
        routes.get("/metrics").handler(ctx -> gauges.scrape().onSuccess(text -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text)).onFailure(ctx::fail));

        routes.refuseOtherMethods();
        router.errorHandler(404, ctx -> Responses.error(ctx, ApiException.notFound("no endpoint " + ctx.request().method() + " "
                + ctx.request().path())));
        router.errorHandler(405, ctx -> Responses.error(ctx, new ApiException(405, "method " + ctx.request().method() + " not allowed")));
        // Whatever a handler throws becomes an answer: a refused request keeps its 4xx and reason.
        router.route().failureHandler(ctx -> Responses.error(ctx, ctx.failure() != null ? ctx.failure()
                : ctx.statusCode() == 413 ? new ApiException(413, "Request body too large: the limit is " + settings.maxRequestBytes()
                        + " bytes")
                : new ApiException(ctx.statusCode(), "HTTP " + ctx.statusCode() + " for " + ctx.request().method() + " "
                        + ctx.request().path())));

        SlowClients slow = new SlowClients(vertx, settings.apiLimits().connections(), settings.apiLimits().connectionsPerClient());
        return vertx.createHttpServer(tls.server(new HttpServerOptions())
                        // No h2c upgrade: the JDK client asks for it on every plain request, and an upgraded
                        // exchange with a large body was misread ("Frame type(104) ... exceeds MAX_FRAME_SIZE").
                        .setHttp2ClearTextEnabled(false)
                        // Go's server takes request lines far past Netty's 4 KB: a long ?filter or an ID Consul
                        // accepts must reach its handler (and its 400), not a 414.
                        .setMaxInitialLineLength(MAX_REQUEST_LINE))
                .connectionHandler(slow.connections()).requestHandler(slow.requests(router)).listen(settings.httpPort(),
                        settings.advertisedHost()).onSuccess(s -> {
            server = s;
            LOG.info("query API listening on {}://{}:{}", tls.scheme(), settings.advertisedHost(), s.actualPort());
        });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(dashboardTimer);
        if (checks != null) {
            checks.stop();
        }
        if (peerChanges != null) {
            peerChanges.stop();
        }
        if (kv != null) {
            kv.stop();
        }
        if (answers != null) {
            answers.close();
        }
        if (holders != null) {
            holders.close();
        }
        return server == null ? Future.succeededFuture() : server.close();
    }

    public int port() {
        return server.actualPort();
    }

    private void authorizeWrite(RoutingContext ctx) {
        String refusal = writes.refusal(ctx.request());
        if (refusal == null) {
            ctx.next();
            return;
        }
        if (writes.refusalStatus() == 401) {
            ctx.response().putHeader("WWW-Authenticate", WriteAccess.CHALLENGE);
        }
        Responses.error(ctx, new ApiException(writes.refusalStatus(), refusal));
    }

    private void timed(RoutingContext ctx) {
        Timer.Sample sample = Timer.start(metrics);
        ctx.addEndHandler(ignored -> sample.stop(Timer.builder("http.server.requests")
                .tag("method", ctx.request().method().name())
                .tag("route", ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "other" : ctx.currentRoute().getPath())
                .tag("status", Integer.toString(ctx.response().getStatusCode()))
                .register(metrics)));
        ctx.next();
    }
}
