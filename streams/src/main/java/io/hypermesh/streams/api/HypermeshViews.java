package io.hypermesh.streams.api;

import io.hypermesh.events.HealthStatus;
import io.hypermesh.state.ComponentState;
import io.hypermesh.state.DiscoveredInstance;
import io.hypermesh.state.HealthState;
import io.hypermesh.state.PhaseStatus;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.discovery.Discovery;
import io.hypermesh.streams.health.HealthTopology;
import io.hypermesh.streams.lifecycle.LifecycleTopology;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What Consul lacks, under our own prefix {@value #PREFIX}: health scores, lifecycle, the
 * weighted pick, instances joined with their scores, the dashboard's overview. Each view can be
 * watched as a blocking query (its index is a hash of its content: compare it for equality) or as
 * server-sent events ({@code ?stream}).
 */
final class HypermeshViews {
    static final String PREFIX = "/v1/hypermesh";
    private static final long STREAM_KEEPALIVE_MS = 15_000;
    private static final int REMEMBERED_PATHS = 1_000;

    private final Vertx vertx;
    private final StoreAccess stores;
    private final ServiceDirectory directory;
    private final ChangeSignal changes;
    private final Dashboard dashboard;
    private final KafkaStreams streams;
    private final String applicationId;
    private final Watchers watchers;
    private final AnswerBudget answers;
    /** What each watched path depended on when last rendered, so a new watch waits on just that. */
    private final Map<String, List<String>> watchedScopes = new ConcurrentHashMap<>();

    HypermeshViews(Vertx vertx, StoreAccess stores, ChangeSignal changes, Dashboard dashboard, KafkaStreams streams, String applicationId,
                   Watchers watchers, AnswerBudget answers) {
        this.watchers = watchers;
        this.answers = answers;
        this.vertx = vertx;
        this.stores = stores;
        this.directory = new ServiceDirectory(stores);
        this.changes = changes;
        this.dashboard = dashboard;
        this.streams = streams;
        this.applicationId = applicationId;
    }

    void mount(Router router) {
        view(router.get(PREFIX + "/service/:service"), ctx -> () -> service(ctx).map(entries ->
                scoped(ctx, entries, Views.instances(Discovery.filter(entries, flag(ctx, "passing"), ctx.queryParam("tag"))))));
        router.get(PREFIX + "/discovery/pick/:service").handler(ctx -> service(ctx).map(entries -> {
            List<DiscoveredInstance> candidates = Discovery.filter(entries, false, ctx.queryParam("tag"));
            return Views.instance(Discovery.pick(candidates, ThreadLocalRandom.current()).orElseThrow(() ->
                    ApiException.notFound("no instance of '" + ctx.pathParam("service") + "' is fit to pick")));
        }).onSuccess(body -> PeerProtocol.json(ctx, 200, body)).onFailure(ctx::fail));
        view(router.get(PREFIX + "/health/component/:id"), ctx -> () -> stores.<HealthState>get(HealthTopology.STORE, ctx.pathParam("id"))
                .map(found -> new Watch.Scoped(Views.health(found.orElseThrow(() -> ApiException.notFound("no health result for component '"
                        + ctx.pathParam("id") + "'"))), List.of(ChangeSignal.health(ctx.pathParam("id"))))));
        view(router.get(PREFIX + "/health/state/:state"), ctx -> {
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
                return new Watch.Scoped(Views.healthList(matching), List.of(ChangeSignal.HEALTH));
            });
        });
        view(router.get(PREFIX + "/lifecycle/components"), ctx -> () -> stores.<ComponentState>scan(LifecycleTopology.COMPONENTS_STORE)
                .map(all -> new Watch.Scoped(Views.components(all), List.of(ChangeSignal.LIFECYCLE))));
        view(router.get(PREFIX + "/lifecycle/component/:id"), ctx -> () -> stores.<ComponentState>get(LifecycleTopology.COMPONENTS_STORE,
                ctx.pathParam("id")).map(found -> new Watch.Scoped(Views.component(found.orElseThrow(() ->
                ApiException.notFound("no lifecycle state for component '" + ctx.pathParam("id") + "'"))),
                List.of(ChangeSignal.lifecycle(ctx.pathParam("id"))))));
        view(router.get(PREFIX + "/lifecycle/phases"), ctx -> () -> stores.<PhaseStatus>scan(LifecycleTopology.PHASES_STORE)
                .map(all -> new Watch.Scoped(Views.phases(all), List.of(ChangeSignal.PHASES))));
        view(router.get(PREFIX + "/lifecycle/phase/:phase"), ctx -> {
            String phase = ctx.pathParam("phase");
            if (!phase.matches("[1-7]")) {
                throw ApiException.badRequest("phase must be 1..7, was '" + phase + "'");
            }
            return () -> stores.<PhaseStatus>get(LifecycleTopology.PHASES_STORE, phase).map(found -> new Watch.Scoped(Views.phase(
                    found.filter(p -> p.getTotal() > 0).orElseThrow(() -> ApiException.notFound("no component in phase " + phase))),
                    List.of(ChangeSignal.PHASES)));
        });
        view(router.get(PREFIX + "/ui/overview"), ctx -> {
            Dashboard.PageRequest page = Dashboard.PageRequest.of(ctx.request().getParam("offset"), ctx.request().getParam("limit"),
                    ctx.request().getParam("filter"));
            return () -> dashboard.overview(page);
        });
        router.get(PREFIX + "/status").handler(ctx -> PeerProtocol.json(ctx, 200, new JsonObject()
                .put("State", streams.state().name()).put("ApplicationId", applicationId)));
    }

    // ----- views: plain, blocking (?index) or streamed (?stream / Accept: text/event-stream)

    private void view(Route route, Function<RoutingContext, Supplier<Future<Object>>> viewOf) {
        route.handler(ctx -> {
            Supplier<Future<Object>> view = viewOf.apply(ctx);
            String accept = ctx.request().getHeader("Accept");
            if (ctx.request().params().contains("stream") || (accept != null && accept.contains("text/event-stream"))) {
                stream(ctx, view);
                return;
            }
            String index = ctx.request().getParam("index");
            Future<Watch.Rendered> rendered;
            if (index == null) {
                // Admitted, rendered off the event loop when big, and written as fast as the client reads.
                AnswerBudget.Admission admission = answers.admit(ctx);
                view.get().compose(v -> answers.render(v, Watch::render)).onSuccess(r -> {
                    io.vertx.core.buffer.Buffer body = io.vertx.core.buffer.Buffer.buffer(r.body());
                    admission.charge(body.length());
                    answers.write(ctx.response().putHeader(QueryApiVerticle.INDEX_HEADER, Long.toString(r.index()))
                            .putHeader("Content-Type", "application/json"), body);
                }).onFailure(ctx::fail);
                return;
            } else {
                long since;
                Duration wait;
                try {
                    since = Long.parseLong(index);
                } catch (NumberFormatException e) {
                    throw ApiException.badRequest("index must be a number, was '" + index + "'");
                }
                wait = Watch.parseWait(ctx.request().getParam("wait"));
                String path = ctx.request().path();
                Runnable release = watchers.acquire(Watchers.Kind.BLOCKING_QUERY, ctx);
                ctx.addEndHandler(v -> release.run());
                // Each wake renders the view again: off the event loop when it is big.
                Supplier<Future<Object>> offLoop = () -> view.get().compose(v -> answers.render(v, Watch::render)).map(r -> (Object) r);
                rendered = Watch.await(vertx, changes, offLoop, since, wait, watchedScopes.get(path), stores::othersHoldParts)
                        .onSuccess(r -> remember(path, r.scopes())).onComplete(done -> release.run());
            }
            rendered.onSuccess(r -> ctx.response().putHeader(QueryApiVerticle.INDEX_HEADER, Long.toString(r.index()))
                    .putHeader("Content-Type", "application/json").end(r.body())).onFailure(ctx::fail);
        });
    }

    private void remember(String path, List<String> scopes) {
        if (scopes == null) {
            watchedScopes.remove(path);
            return;
        }
        if (watchedScopes.size() >= REMEMBERED_PATHS) {
            watchedScopes.clear();
        }
        watchedScopes.put(path, scopes);
    }

    /**
     * Server-sent events of a view: rendered now, then again when something it depends on changes
     * here (or, with other instances holding parts of it, on a poll for theirs), at most every
     * {@link #STREAM_MIN_GAP_MS}. A client that does not keep up (its send buffer full) is dropped
     * rather than buffered for; an idle stream costs a keep-alive comment every 15 s.
     */
    private void stream(RoutingContext ctx, Supplier<Future<Object>> view) {
        Runnable release = watchers.acquire(Watchers.Kind.EVENT_STREAM, ctx);
        HttpServerResponse response = ctx.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        Stream stream = new Stream(response, view);
        ctx.addEndHandler(v -> {
            release.run();
            stream.stopWaiting.run();
        });
        stream.next(null);
    }

    static final long STREAM_MIN_GAP_MS = 250;

    private final class Stream {
        private final HttpServerResponse response;
        private final Supplier<Future<Object>> view;
        private long last;
        /** Cancels the wait under way, if any. */
        Runnable stopWaiting = () -> { };

        Stream(HttpServerResponse response, Supplier<Future<Object>> view) {
            this.response = response;
            this.view = view;
        }

        void next(List<String> scopes) {
            if (response.closed()) {
                return;
            }
            long stamp = changes.stamp(scopes);
            view.get().compose(v -> answers.render(v, Watch::render)).onComplete(ar -> {
                if (response.closed()) {
                    return;
                }
                if (response.writeQueueFull()) {
                    response.reset(); // a slow consumer: dropped, not buffered for
                    return;
                }
                List<String> dependsOn = scopes;
                if (ar.succeeded()) {
                    dependsOn = ar.result().scopes();
                    if (ar.result().index() != last) {
                        last = ar.result().index();
                        write("id: " + last + "\nevent: view\ndata: " + ar.result().body() + "\n\n");
                    }
                } else if (!(ar.cause() instanceof StoreNotReadyException)) {
                    write("event: error\ndata: " + new JsonObject().put("error", String.valueOf(ar.cause().getMessage())) + "\n\n");
                }
                await(dependsOn, stamp);
            });
        }

        private void await(List<String> scopes, long stamp) {
            boolean[] done = {false};
            Runnable[] cancel = {() -> { }};
            long[] timers = {-1, -1};
            Runnable stop = () -> {
                done[0] = true;
                cancel[0].run();
                vertx.cancelTimer(timers[0]);
                vertx.cancelTimer(timers[1]);
            };
            stopWaiting = stop;
            Runnable wake = () -> {
                if (done[0]) {
                    return;
                }
                stop.run();
                // Coalesce bursts of changes into one rendering per gap.
                vertx.setTimer(STREAM_MIN_GAP_MS, id -> next(scopes));
            };
            cancel[0] = changes.onNextChange(scopes, () -> vertx.runOnContext(v -> wake.run()));
            if (changes.stamp(scopes) != stamp) {
                wake.run();
                return;
            }
            if (stores.othersHoldParts()) {
                timers[0] = vertx.setTimer(Watch.peerPollMs(), id -> wake.run()); // the fallback for parts other instances hold
            }
            timers[1] = vertx.setTimer(STREAM_KEEPALIVE_MS, id -> {
                if (!done[0] && !response.closed()) {
                    write(": keepalive\n\n");
                }
                wake.run();
            });
        }

        private void write(String event) {
            if (response.writeQueueFull()) {
                response.reset(); // a client that stopped reading: dropped, not buffered for
                return;
            }
            response.write(event);
        }
    }

    /** A service's view, woken only by changes of that service and of its instances' health. */
    private static Watch.Scoped scoped(RoutingContext ctx, List<DiscoveredInstance> instances, Object view) {
        List<String> scopes = new ArrayList<>(instances.size() + 1);
        scopes.add(io.hypermesh.streams.registry.RegistryTopology.Scopes.service(ctx.pathParam("service")));
        instances.forEach(d -> scopes.add(ChangeSignal.health(d.getInstance().getHealthComponentId())));
        return new Watch.Scoped(view, scopes);
    }

    private Future<List<DiscoveredInstance>> service(RoutingContext ctx) {
        return directory.service(ctx.pathParam("service"));
    }

    private static boolean flag(RoutingContext ctx, String name) {
        String value = ctx.request().getParam(name);
        return value != null && (value.isEmpty() || Boolean.parseBoolean(value));
    }
}
