package io.hypermesh.streams.api.views;

import io.hypermesh.streams.api.stores.FoldStores;

import io.hypermesh.streams.api.AnswerBudget;
import io.hypermesh.streams.api.BlockingQuery;
import io.hypermesh.streams.api.BoundedCache;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.QueryFlags;
import io.hypermesh.streams.api.Routes;
import io.vertx.core.buffer.Buffer;
import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.Watchers;
import io.hypermesh.streams.api.dashboard.Dashboard;
import io.hypermesh.streams.api.stores.StoreNotReadyException;
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
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.streams.KafkaStreams;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What Consul lacks, under our own prefix {@value #PREFIX}: health scores, lifecycle, the
 * weighted pick, instances joined with their scores, the dashboard's overview. Each view can be
 * watched as a blocking query (its index is a hash of its content: compare it for equality) or as
 * server-sent events ({@code ?stream}).
 */
public final class HypermeshViews {
    static final String PREFIX = Responses.HYPERMESH_PREFIX;
    private static final long STREAM_KEEPALIVE_MS = 15_000;

    private final Vertx vertx;
    private final FoldStores stores;
    private final ServiceDirectory directory;
    private final ChangeSignal changes;
    private final Dashboard dashboard;
    private final KafkaStreams streams;
    private final String applicationId;
    private final Watchers watchers;
    private final AnswerBudget answers;
    /** What each watched path depended on when last rendered, so a new watch waits on just that. */
    private final BoundedCache<String, List<String>> watchedScopes = BoundedCache.ofEntries();

    public HypermeshViews(Vertx vertx, FoldStores stores, ChangeSignal changes, Dashboard dashboard, KafkaStreams streams,
            String applicationId,
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

    public void mount(Routes routes) {
        view(routes.get(PREFIX + "/service/:service"), ctx -> () -> service(ctx).map(entries ->
                scoped(ctx, entries, Views.instances(Discovery.filter(entries, QueryFlags.flag(ctx, "passing"), ctx.queryParam("tag"))))));
        routes.get(PREFIX + "/discovery/pick/:service").handler(ctx -> service(ctx).map(entries -> {
            List<DiscoveredInstance> candidates = Discovery.filter(entries, false, ctx.queryParam("tag"));
            return Views.instance(Discovery.pick(candidates, ThreadLocalRandom.current()).orElseThrow(() ->
                    ApiException.notFound("no instance of '" + ctx.pathParam("service") + "' is fit to pick")));
        }).onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(ctx::fail));
        view(routes.get(PREFIX + "/health/component/:id"), ctx -> () -> stores.<HealthState>get(HealthTopology.STORE, ctx.pathParam("id"))
                .map(found -> new ViewRendering.Scoped(Views.health(found.orElseThrow(() ->
                        ApiException.notFound("no health result for component '"
                        + ctx.pathParam("id") + "'"))), List.of(ChangeSignal.health(ctx.pathParam("id"))))));
        view(routes.get(PREFIX + "/health/state/:state"), ctx -> {
            String state = ctx.pathParam("state").toUpperCase(Locale.ROOT);
            if (!state.equals("ANY")) {
                try {
                    HealthStatus.valueOf(state);
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("state must be one of HEALTHY, DEGRADED, UNHEALTHY or any; was '"
                            + ctx.pathParam("state") + "'");
                }
            }
            return () -> stores.<HealthState>scan(HealthTopology.STORE).map(all -> {
                List<HealthState> matching = new ArrayList<>();
                all.forEach(h -> {
                    if (state.equals("ANY") || h.getStatus().name().equals(state)) {
                        matching.add(h);
                    }
                });
                return new ViewRendering.Scoped(Views.healthList(matching), List.of(ChangeSignal.HEALTH));
            });
        });
        view(routes.get(PREFIX + "/lifecycle/components"), ctx -> () -> stores.<ComponentState>scan(LifecycleTopology.COMPONENTS_STORE)
                .map(all -> new ViewRendering.Scoped(Views.components(all), List.of(ChangeSignal.LIFECYCLE))));
        view(routes.get(PREFIX + "/lifecycle/component/:id"), ctx -> () -> stores.<ComponentState>get(LifecycleTopology.COMPONENTS_STORE,
                ctx.pathParam("id")).map(found -> new ViewRendering.Scoped(Views.component(found.orElseThrow(() ->
                ApiException.notFound("no lifecycle state for component '" + ctx.pathParam("id") + "'"))),
                List.of(ChangeSignal.lifecycle(ctx.pathParam("id"))))));
        view(routes.get(PREFIX + "/lifecycle/phases"), ctx -> () -> stores.<PhaseStatus>scan(LifecycleTopology.PHASES_STORE)
                .map(all -> new ViewRendering.Scoped(Views.phases(all), List.of(ChangeSignal.PHASES))));
        view(routes.get(PREFIX + "/lifecycle/phase/:phase"), ctx -> {
            String phase = ctx.pathParam("phase");
            if (!phase.matches("[1-7]")) {
                throw ApiException.badRequest("phase must be 1..7, was '" + phase + "'");
            }
            return () -> stores.<PhaseStatus>get(LifecycleTopology.PHASES_STORE, phase).map(found -> new ViewRendering.Scoped(Views.phase(
                    found.filter(p -> p.getTotal() > 0).orElseThrow(() -> ApiException.notFound("no component in phase " + phase))),
                    List.of(ChangeSignal.PHASES)));
        });
        view(routes.get(PREFIX + "/ui/overview"), ctx -> {
            Dashboard.PageRequest page = Dashboard.PageRequest.of(ctx.request().getParam("offset"), ctx.request().getParam("limit"),
                    ctx.request().getParam("filter"));
            return () -> dashboard.overview(page);
        });
        new AnomalyViews(stores).mount(routes, this::view);
        routes.get(PREFIX + "/status").handler(ctx -> Responses.json(ctx, 200, new JsonObject()
                .put("State", streams.state().name()).put("ApplicationId", applicationId)));
    }

    // ----- views: plain, blocking (?index) or streamed (?stream / Accept: text/event-stream)

    void view(Route route, Function<RoutingContext, Supplier<Future<Object>>> viewOf) {
        route.handler(ctx -> {
            Supplier<Future<Object>> view = viewOf.apply(ctx);
            String accept = ctx.request().getHeader("Accept");
            if (ctx.request().params().contains("stream") || (accept != null && accept.contains("text/event-stream"))) {
                stream(ctx, view);
                return;
            }
            BlockingQuery.Wait wait = BlockingQuery.of(ctx.request());
            if (!wait.blocking()) {
                // Admitted, rendered off the event loop when big, and written as fast as the client reads.
                AnswerBudget.Admission admission = answers.admit(ctx);
                view.get().compose(v -> answers.render(v, ViewRendering::render)).onSuccess(r -> {
                    Buffer body = Buffer.buffer(r.body());
                    admission.charge(body.length());
                    answers.write(ctx.response().putHeader(Responses.INDEX_HEADER, Long.toString(r.index()))
                            .putHeader("Content-Type", "application/json"), body);
                }).onFailure(ctx::fail);
                return;
            }
            String path = ctx.request().path();
            Runnable release = watchers.acquire(Watchers.Kind.BLOCKING_QUERY, ctx);
            ctx.addEndHandler(v -> release.run());
            // Each wake renders the view again: off the event loop when it is big.
            Supplier<Future<ViewRendering.Rendered>> offLoop = () -> view.get().compose(v -> answers.render(v, ViewRendering::render));
            BlockingQuery.await(vertx, changes, offLoop, r -> r.index() != wait.index(), ViewRendering.Rendered::scopes,
                            watchedScopes.get(path), wait.deadlineNanos(), stores::othersHoldParts)
                    .onSuccess(r -> remember(path, r.scopes())).onComplete(done -> release.run())
                    .onSuccess(r -> ctx.response().putHeader(Responses.INDEX_HEADER, Long.toString(r.index()))
                            .putHeader("Content-Type", "application/json").end(r.body())).onFailure(ctx::fail);
        });
    }

    private void remember(String path, List<String> scopes) {
        if (scopes == null) {
            watchedScopes.remove(path);
            return;
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
            view.get().compose(v -> answers.render(v, ViewRendering::render)).onComplete(ar -> {
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
                timers[0] = vertx.setTimer(BlockingQuery.peerPollMs(), id -> wake.run()); // the fallback for parts other instances hold
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
    private static ViewRendering.Scoped scoped(RoutingContext ctx, List<DiscoveredInstance> instances, Object view) {
        List<String> scopes = new ArrayList<>(instances.size() + 1);
        scopes.add(io.hypermesh.streams.registry.RegistryTopology.Scopes.service(ctx.pathParam("service")));
        instances.forEach(d -> scopes.add(ChangeSignal.health(d.getInstance().getHealthComponentId())));
        return new ViewRendering.Scoped(view, scopes);
    }

    private Future<List<DiscoveredInstance>> service(RoutingContext ctx) {
        return directory.service(ctx.pathParam("service"));
    }
}
