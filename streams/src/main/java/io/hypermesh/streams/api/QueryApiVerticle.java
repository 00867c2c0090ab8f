package io.hypermesh.streams.api;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.HealthStatus;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceDeregistered;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.ComponentState;
import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.HealthState;
import io.hypermesh.state.PhaseStatus;
import io.hypermesh.schemas.auth.ApiTokens;
import io.hypermesh.schemas.auth.WriteAccess;
import io.hypermesh.schemas.pki.HttpTls;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.discovery.Discovery;
import io.hypermesh.streams.health.HealthTopology;
import io.hypermesh.streams.lifecycle.LifecycleTopology;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The query API over the folds, modelled on Consul's HTTP API: catalog, health, weighted pick,
 * lifecycle; blocking queries ({@code ?index=&wait=}) and server-sent events ({@code ?stream}) on
 * every view; agent-style write endpoints that publish events; {@code /metrics} for Prometheus.
 * {@link #start()} completes once the server listens.
 */
public final class QueryApiVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(QueryApiVerticle.class);
    static final String INDEX_HEADER = "X-Consul-Index";
    private static final long STREAM_KEEPALIVE_MS = 15_000;

    private final KafkaStreams streams;
    private final StoreAccess stores;
    private final ServiceDirectory directory;
    private final EventWriter writer;
    private final PrometheusMeterRegistry metrics;
    private final ChangeSignal changes;
    private final String host;
    private final int port;
    private final String applicationId;
    private final Dashboard dashboard;
    private final WriteAccess writes;
    private final HttpTls tls;
    private HttpServer server;
    private long dashboardTimer = -1;

    /**
     * @param tokens what the write APIs accept ({@link ApiTokens#open()} for none)
     * @param tls    the instance's HTTPS identity: with one, the API is served over TLS, a client
     *               certificate of the bus CA may write, and only such a client (a peer) may read
     *               the internal store endpoints
     */
    public QueryApiVerticle(KafkaStreams streams, StoreAccess stores, EventWriter writer, PrometheusMeterRegistry metrics,
                            ChangeSignal changes, String host, int port, String applicationId, Dashboard dashboard, ApiTokens tokens,
                            HttpTls tls) {
        this.writes = WriteAccess.of(tokens, tls);
        this.tls = tls;
        this.dashboard = dashboard;
        this.changes = changes;
        this.streams = streams;
        this.stores = stores;
        this.directory = new ServiceDirectory(stores);
        this.writer = writer;
        this.metrics = metrics;
        this.host = host;
        this.port = port;
        this.applicationId = applicationId;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.route().handler(this::timed);
        router.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));

        view(router.get("/v1/catalog/services"), ctx -> () -> directory.all().map(Views::catalog));
        view(router.get("/v1/catalog/service/:service"), ctx -> () -> service(ctx).map(entries ->
                scoped(ctx, entries, Views.instances(Discovery.filter(entries, false, tags(ctx))))));
        view(router.get("/v1/health/service/:service"), ctx -> () -> service(ctx).map(entries ->
                scoped(ctx, entries, Views.instances(Discovery.filter(entries, flag(ctx, "passing"), tags(ctx))))));
        router.get("/v1/discovery/pick/:service").handler(ctx -> answer(ctx, service(ctx).map(entries -> {
            List<DiscoveredInstance> candidates = Discovery.filter(entries, false, tags(ctx));
            return Views.instance(Discovery.pick(candidates, ThreadLocalRandom.current()).orElseThrow(() ->
                    ApiException.notFound("no instance of '" + ctx.pathParam("service") + "' is fit to pick")));
        })));
        view(router.get("/v1/health/component/:id"), ctx -> () -> stores.<HealthState>get(HealthTopology.STORE, ctx.pathParam("id"))
                .map(found -> new Watch.Scoped(Views.health(found.orElseThrow(() -> ApiException.notFound("no health result for component '"
                        + ctx.pathParam("id") + "'"))), List.of(ChangeSignal.health(ctx.pathParam("id"))))));
        view(router.get("/v1/health/state/:state"), ctx -> {
            String state = ctx.pathParam("state").toUpperCase(Locale.ROOT);
            if (!state.equals("ANY")) {
                try {
                    HealthStatus.valueOf(state);
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("state must be one of HEALTHY, DEGRADED, UNHEALTHY or any; was '" + ctx.pathParam("state") + "'");
                }
            }
            return () -> stores.<HealthState>scan(HealthTopology.STORE).map(all -> {
                List<HealthState> matching = new ArrayList<>();
                all.forEach(h -> {
                    if (state.equals("ANY") || h.getStatus().name().equals(state)) {
                        matching.add(h);
                    }
                });
                return Views.healthList(matching);
            });
        });
        view(router.get("/v1/lifecycle/components"), ctx -> () -> stores.<ComponentState>scan(LifecycleTopology.COMPONENTS_STORE)
                .map(Views::components));
        view(router.get("/v1/lifecycle/component/:id"), ctx -> () -> stores.<ComponentState>get(LifecycleTopology.COMPONENTS_STORE,
                ctx.pathParam("id")).map(found -> Views.component(found.orElseThrow(() ->
                ApiException.notFound("no lifecycle state for component '" + ctx.pathParam("id") + "'")))));
        view(router.get("/v1/lifecycle/phases"), ctx -> () -> stores.<PhaseStatus>scan(LifecycleTopology.PHASES_STORE).map(Views::phases));
        view(router.get("/v1/lifecycle/phase/:phase"), ctx -> {
            String phase = ctx.pathParam("phase");
            if (!phase.matches("[1-7]")) {
                throw ApiException.badRequest("phase must be 1..7, was '" + phase + "'");
            }
            return () -> stores.<PhaseStatus>get(LifecycleTopology.PHASES_STORE, phase).map(found -> Views.phase(
                    found.filter(p -> p.getTotal() > 0).orElseThrow(() -> ApiException.notFound("no component in phase " + phase))));
        });

        view(router.get("/v1/ui/overview"), ctx -> dashboard::overview);
        // Vert.x matches "/ui" and "/ui/" alike: one route serves both (a redirect between them would loop).
        router.get("/ui").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-cache").end(dashboard.page()));
        dashboardTimer = vertx.setPeriodic(1000, id -> dashboard.sample());

        // Every agent endpoint writes to the bus: with tokens or TLS configured, it needs a credential.
        router.route("/v1/agent/*").handler(this::authorizeWrite);
        // Raw store contents are for peers only, once peers have certificates to show.
        router.route(StoreAccess.INTERNAL + "*").handler(this::authorizePeer);
        router.put("/v1/agent/service/register").handler(ctx -> answer(ctx, register(ctx)));
        router.put("/v1/agent/service/deregister/:id").handler(ctx -> answer(ctx, publishRegistry(ctx.pathParam("id"),
                new ServiceDeregistered(ctx.pathParam("id"), ctx.request().getParam("reason")))));
        router.put("/v1/agent/service/heartbeat/:id").handler(ctx -> answer(ctx, publishRegistry(ctx.pathParam("id"),
                new ServiceHeartbeat(ctx.pathParam("id"), null))));
        router.put("/v1/agent/check/:verdict/:check").handler(ctx -> answer(ctx, check(ctx)));

        router.get(StoreAccess.INTERNAL + ":store/keys/:key").handler(this::internalGet);
        router.get(StoreAccess.INTERNAL + ":store/scan").handler(this::internalScan);
        router.post(StoreAccess.INTERNAL + ":store/keys").handler(this::internalGetAll);
        router.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.scrape()));
        router.get("/v1/status").handler(ctx -> json(ctx.response(), 200, new JsonObject()
                .put("State", streams.state().name()).put("ApplicationId", applicationId)));
        router.route().last().handler(ctx -> error(ctx, ApiException.notFound("no endpoint " + ctx.request().method() + " "
                + ctx.request().path())));
        // Whatever a handler throws becomes a JSON answer: a refused request keeps its 4xx and reason.
        router.route().failureHandler(ctx -> error(ctx, ctx.failure() != null ? ctx.failure()
                : new ApiException(ctx.statusCode(), "HTTP " + ctx.statusCode() + " for " + ctx.request().method() + " " + ctx.request().path())));

        return vertx.createHttpServer(tls.server(new io.vertx.core.http.HttpServerOptions())
                        // No h2c upgrade: the JDK client asks for it on every plain request, and an upgraded
                        // exchange with a large body was misread ("Frame type(104) ... exceeds MAX_FRAME_SIZE").
                        .setHttp2ClearTextEnabled(false))
                .requestHandler(router).listen(port, host).onSuccess(s -> {
            server = s;
            LOG.info("query API listening on {}://{}:{}", tls.scheme(), host, s.actualPort());
        });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(dashboardTimer);
        return server == null ? Future.succeededFuture() : server.close();
    }

    public int port() {
        return server.actualPort();
    }

    // ----- views: plain, blocking (?index) or streamed (?stream / Accept: text/event-stream)

    private void view(Route route, Function<RoutingContext, Supplier<Future<Object>>> viewOf) {
        route.handler(ctx -> {
            Supplier<Future<Object>> view;
            try {
                view = viewOf.apply(ctx);
            } catch (RuntimeException e) {
                error(ctx, e);
                return;
            }
            String accept = ctx.request().getHeader("Accept");
            if (ctx.request().params().contains("stream") || (accept != null && accept.contains("text/event-stream"))) {
                stream(ctx, view);
                return;
            }
            String index = ctx.request().getParam("index");
            Future<Watch.Rendered> rendered;
            if (index == null) {
                rendered = cached(ctx, view);
            } else {
                long since;
                Duration wait;
                try {
                    since = Long.parseLong(index);
                    wait = Watch.parseWait(ctx.request().getParam("wait"));
                } catch (NumberFormatException e) {
                    error(ctx, ApiException.badRequest("index must be a number, was '" + index + "'"));
                    return;
                } catch (ApiException e) {
                    error(ctx, e);
                    return;
                }
                rendered = Watch.await(vertx, changes, view, since, wait, watchedScopes.get(ctx.request().path()))
                        .onSuccess(r -> rememberScopes(ctx.request().path(), r.scopes()));
            }
            rendered.onSuccess(r -> ctx.response().putHeader(INDEX_HEADER, Long.toString(r.index()))
                            .putHeader("Content-Type", "application/json").end(r.body()))
                    .onFailure(e -> error(ctx, e));
        });
    }

    /**
     * What each watched path depended on when last rendered: a new blocking query starts waiting on
     * just that, instead of on every change until its first rendering says what it depends on.
     */
    private final Map<String, List<String>> watchedScopes = new java.util.concurrent.ConcurrentHashMap<>();

    private void rememberScopes(String path, List<String> scopes) {
        if (scopes == null) {
            watchedScopes.remove(path);
            return;
        }
        if (watchedScopes.size() >= CACHED_VIEWS) {
            watchedScopes.clear();
        }
        watchedScopes.put(path, scopes);
    }

    /** A rendered view, and the change count and time it was rendered at. */
    private record Cached(long version, long renderedAt, Watch.Rendered rendered) {
    }

    private static final int CACHED_VIEWS = 1_000;
    private final Map<String, Cached> renderedViews = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Plain reads of a view are served from its last rendering while no local table changed since
     * and it is younger than the blocking-query poll (changes owned by other instances are found by
     * that poll anyway): many clients reading a quiet service cost one scan, not one each.
     */
    private Future<Watch.Rendered> cached(RoutingContext ctx, Supplier<Future<Object>> view) {
        String key = ctx.request().uri();
        long version = changes.version();
        long now = System.nanoTime();
        Cached hit = renderedViews.get(key);
        if (hit != null && hit.version() == version && now - hit.renderedAt() < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Watch.POLL_MS)) {
            return Future.succeededFuture(hit.rendered());
        }
        return view.get().map(Watch::render).onSuccess(r -> {
            if (renderedViews.size() >= CACHED_VIEWS) {
                renderedViews.clear(); // many distinct queries: start over rather than track recency
            }
            renderedViews.put(key, new Cached(version, now, r));
        });
    }

    private void stream(RoutingContext ctx, Supplier<Future<Object>> view) {
        HttpServerResponse response = ctx.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        long[] last = {0};
        long[] lastWrite = {System.currentTimeMillis()};
        boolean[] busy = {false};
        long timer = vertx.setPeriodic(0, Watch.POLL_MS, id -> {
            if (busy[0] || response.closed()) {
                return;
            }
            busy[0] = true;
            view.get().map(Watch::render).onComplete(ar -> {
                busy[0] = false;
                if (response.closed()) {
                    return;
                }
                if (ar.succeeded() && ar.result().index() != last[0]) {
                    last[0] = ar.result().index();
                    response.write("id: " + last[0] + "\nevent: view\ndata: " + ar.result().body() + "\n\n");
                    lastWrite[0] = System.currentTimeMillis();
                } else if (ar.failed() && !(ar.cause() instanceof StoreNotReadyException)) {
                    response.write("event: error\ndata: " + new JsonObject().put("error", String.valueOf(ar.cause().getMessage())) + "\n\n");
                    lastWrite[0] = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - lastWrite[0] > STREAM_KEEPALIVE_MS) {
                    response.write(": keepalive\n\n");
                    lastWrite[0] = System.currentTimeMillis();
                }
            });
        });
        response.closeHandler(v -> vertx.cancelTimer(timer));
        ctx.request().connection().closeHandler(v -> vertx.cancelTimer(timer));
    }

    /** A service's view, woken only by changes of that service and of its instances' health. */
    private static Watch.Scoped scoped(RoutingContext ctx, List<DiscoveredInstance> instances, Object view) {
        List<String> scopes = new ArrayList<>(instances.size() + 1);
        scopes.add(ChangeSignal.service(ctx.pathParam("service")));
        instances.forEach(d -> scopes.add(ChangeSignal.health(d.getInstance().getHealthComponentId())));
        return new Watch.Scoped(view, scopes);
    }

    private Future<List<DiscoveredInstance>> service(RoutingContext ctx) {
        return directory.service(ctx.pathParam("service"));
    }

    private static List<String> tags(RoutingContext ctx) {
        return ctx.queryParam("tag");
    }

    private static boolean flag(RoutingContext ctx, String name) {
        String value = ctx.request().getParam(name);
        return value != null && (value.isEmpty() || Boolean.parseBoolean(value));
    }

    // ----- writes

    private void authorizeWrite(RoutingContext ctx) {
        String refusal = writes.refusal(ctx.request());
        if (refusal == null) {
            ctx.next();
            return;
        }
        if (writes.refusalStatus() == 401) {
            ctx.response().putHeader("WWW-Authenticate", WriteAccess.CHALLENGE);
        }
        json(ctx.response(), writes.refusalStatus(), new JsonObject().put("error", refusal));
    }

    private void authorizePeer(RoutingContext ctx) {
        if (!tls.enabled() || HttpTls.verifiedClient(ctx.request())) {
            ctx.next();
            return;
        }
        json(ctx.response(), 403, new JsonObject().put("error", "the internal store endpoints answer only peers with a certificate of the bus CA"));
    }

    private Future<Object> register(RoutingContext ctx) {
        JsonObject body = bodyOf(ctx);
        String name = text(body, "Name", null);
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest("Name is required");
        }
        String id = text(body, "ID", name);
        if (name.indexOf('\u0000') >= 0 || id.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest("Name and ID must not contain NUL characters");
        }
        Object portValue = body.getValue("Port");
        if (!(portValue instanceof Integer port) || port < 1 || port > 65535) {
            throw ApiException.badRequest("Port must be an integer 1..65535, was " + portValue);
        }
        List<String> tags = new ArrayList<>();
        Object tagValue = body.getValue("Tags");
        if (tagValue != null) {
            if (!(tagValue instanceof JsonArray array) || !array.stream().allMatch(t -> t instanceof String)) {
                throw ApiException.badRequest("Tags must be an array of strings");
            }
            array.forEach(t -> tags.add((String) t));
        }
        Map<String, String> meta = new HashMap<>();
        Object metaValue = body.getValue("Meta");
        if (metaValue != null) {
            if (!(metaValue instanceof JsonObject object) || !object.stream().allMatch(e -> e.getValue() instanceof String)) {
                throw ApiException.badRequest("Meta must be an object of strings");
            }
            object.forEach(e -> meta.put(e.getKey(), (String) e.getValue()));
        }
        JsonObject weights = body.getJsonObject("Weights", new JsonObject());
        int passing = weights.getInteger("Passing", 1);
        int warning = weights.getInteger("Warning", 1);
        if (passing < 0 || warning < 0) {
            throw ApiException.badRequest("Weights must not be negative");
        }
        JsonObject check = body.getJsonObject("Check", new JsonObject());
        long ttlMs = Watch.parseWait(check.getString("TTL", "30s")).toMillis();
        if (ttlMs <= 0) {
            throw ApiException.badRequest("Check.TTL must be positive");
        }
        ServiceRegistered registered = ServiceRegistered.newBuilder().setInstanceId(id).setServiceName(name)
                .setEndpoint(new Endpoint(text(body, "Address", "127.0.0.1"), port, text(body, "Protocol", "tcp")))
                .setTags(tags).setWeights(new Weights(passing, warning)).setMetadata(meta).setTtlMs(ttlMs).build();
        return publishRegistry(id, registered);
    }

    private Future<Object> check(RoutingContext ctx) {
        CheckStatus status = switch (ctx.pathParam("verdict")) {
            case "pass" -> CheckStatus.PASSING;
            case "warn" -> CheckStatus.WARNING;
            case "fail" -> CheckStatus.CRITICAL;
            default -> throw ApiException.notFound("no check verdict '" + ctx.pathParam("verdict") + "'; use pass, warn or fail");
        };
        String checkId = ctx.pathParam("check");
        // Consul names a service's TTL check "service:<id>"; "<component>:<check>" names any other.
        String component = checkId.startsWith("service:") ? checkId.substring("service:".length()) : checkId.split(":", 2)[0];
        if (component.isBlank()) {
            throw ApiException.badRequest("check id '" + checkId + "' names no component");
        }
        double latency;
        try {
            latency = Double.parseDouble(Optional.ofNullable(ctx.request().getParam("latencyMs")).orElse("0"));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("latencyMs must be a number");
        }
        if (latency < 0 || !Double.isFinite(latency)) {
            throw ApiException.badRequest("latencyMs must be >= 0");
        }
        HealthCheckResult result = new HealthCheckResult(component, checkId, status, latency, ctx.request().getParam("note"));
        HealthCheckEvent event = HealthCheckEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(source())
                .setOccurredAt(Instant.now()).setTraceId(ctx.request().getHeader("traceparent")).setPayload(result).build();
        // Like a Consul TTL check, any verdict is also a sign of life for the instance of that id.
        return writer.publish(Topics.HEALTH_CHECKS.name(), component, event)
                .compose(written -> publishRegistry(component, new ServiceHeartbeat(component, null)).map(ignored -> receipt(event.getEventId(), written)));
    }

    private Future<Object> publishRegistry(String instanceId, Object payload) {
        if (instanceId == null || instanceId.isBlank()) {
            throw ApiException.badRequest("instance id is empty");
        }
        RegistryEvent event = RegistryEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSource(source())
                .setOccurredAt(Instant.now()).setTraceId(null).setPayload(payload).build();
        return writer.publish(Topics.REGISTRY.name(), instanceId, event).map(written -> receipt(event.getEventId(), written));
    }

    private static Object receipt(String eventId, RecordMetadata written) {
        return new JsonObject().put("EventID", eventId).put("Topic", written.topic())
                .put("Partition", written.partition()).put("Offset", written.offset());
    }

    private EventSource source() {
        return new EventSource(applicationId + "-api", ComponentKind.STREAMS);
    }

    private static JsonObject bodyOf(RoutingContext ctx) {
        try {
            JsonObject body = ctx.body().asJsonObject();
            if (body == null) {
                throw ApiException.badRequest("a JSON object body is required");
            }
            return body;
        } catch (DecodeException | ClassCastException e) {
            throw ApiException.badRequest("body is not a JSON object: " + e.getMessage());
        }
    }

    private static String text(JsonObject body, String field, String fallback) {
        Object value = body.getValue(field);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String s)) {
            throw ApiException.badRequest(field + " must be a string");
        }
        return s;
    }

    // ----- peer reads

    private void internalGet(RoutingContext ctx) {
        String store = ctx.pathParam("store");
        vertx.executeBlocking(() -> stores.localGet(store, ctx.pathParam("key"), Integer.parseInt(ctx.request().getParam("partition"))), false)
                .onSuccess(value -> json(ctx.response(), 200, new JsonObject().put("value", stores.encode(store, value))))
                .onFailure(e -> error(ctx, e));
    }

    private void internalGetAll(RoutingContext ctx) {
        String store = ctx.pathParam("store");
        Map<String, Integer> partitions = new HashMap<>();
        try {
            bodyOf(ctx).forEach(e -> partitions.put(e.getKey(), ((Number) e.getValue()).intValue()));
        } catch (ClassCastException | NullPointerException e) {
            error(ctx, ApiException.badRequest("body must map each key to its partition number"));
            return;
        } catch (ApiException e) {
            error(ctx, e);
            return;
        }
        vertx.executeBlocking(() -> stores.localGetAll(store, partitions), false).onSuccess(values -> {
            JsonObject body = new JsonObject();
            values.forEach((k, v) -> body.put(k, stores.encode(store, v)));
            json(ctx.response(), 200, body);
        }).onFailure(e -> error(ctx, e));
    }

    private void internalScan(RoutingContext ctx) {
        String store = ctx.pathParam("store");
        vertx.executeBlocking(() -> stores.localScan(store, ctx.request().getParam("prefix")), false).onSuccess(entries -> {
            JsonArray rows = new JsonArray();
            entries.forEach((k, v) -> rows.add(new JsonObject().put("key", k).put("value", stores.encode(store, v))));
            json(ctx.response(), 200, rows);
        }).onFailure(e -> error(ctx, e));
    }

    // ----- plumbing

    private void answer(RoutingContext ctx, Future<?> result) {
        result.onSuccess(body -> json(ctx.response(), 200, body)).onFailure(e -> error(ctx, e));
    }

    private static void json(HttpServerResponse response, int status, Object body) {
        if (!response.ended()) {
            response.setStatusCode(status).putHeader("Content-Type", "application/json").end(String.valueOf(body));
        }
    }

    private static void error(RoutingContext ctx, Throwable e) {
        int status;
        if (e instanceof ApiException api) {
            status = api.status;
        } else if (e instanceof StoreNotReadyException || e instanceof org.apache.kafka.streams.errors.StreamsException) {
            status = 503;
            ctx.response().putHeader("Retry-After", "1");
        } else if (e instanceof org.apache.kafka.common.KafkaException || e instanceof java.util.concurrent.CancellationException) {
            // Kafka unreachable, or this instance is shutting down mid-request.
            status = 503;
        } else {
            LOG.error("unexpected failure serving {} {}", ctx.request().method(), ctx.request().path(), e);
            status = 500;
        }
        json(ctx.response(), status, new JsonObject().put("error", String.valueOf(e.getMessage())));
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
