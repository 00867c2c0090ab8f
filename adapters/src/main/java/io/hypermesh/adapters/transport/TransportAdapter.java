package io.hypermesh.adapters.transport;

import io.hypermesh.http.SlowClients;
import io.hypermesh.adapters.Adapter;
import io.hypermesh.adapters.InvalidInputException;
import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.adapters.JsonInput;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.lifecycle.ManagedComponent;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.transport.LinkStateChanged;
import io.hypermesh.events.transport.LinkTelemetry;
import io.hypermesh.events.transport.ProbeResult;
import io.hypermesh.schemas.topics.Topics;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The transport adapter: transport nodes post link telemetry (latency, jitter, loss, throughput)
 * and the adapter actively probes configured endpoints with TCP connects. It publishes the
 * telemetry, link up/down when a link's loss becomes total, recovers, or its telemetry stops, and
 * every probe result (with a health check per endpoint, so endpoints get health scores).
 */
public final class TransportAdapter extends Adapter {
    private static final Logger LOG = LoggerFactory.getLogger(TransportAdapter.class);

    /** An endpoint to probe. */
    public record Probe(String id, String host, int port) {
        /** {@code id=host:port}. */
        public static Probe parse(String spec) {
            int eq = spec.indexOf('=');
            int colon = spec.lastIndexOf(':');
            if (eq <= 0 || colon < eq + 2 || colon == spec.length() - 1) {
                throw new IllegalArgumentException("probe '" + spec + "' is not id=host:port");
            }
            try {
                int port = Integer.parseInt(spec.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
                return new Probe(spec.substring(0, eq), spec.substring(eq + 1, colon), port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("probe '" + spec + "' has no valid port");
            }
        }
    }

    /** @param tokens what a telemetry POST must carry ({@code ApiTokens.open()} for nothing) */
    public record Settings(String host, int port, List<Probe> probes, Duration probeInterval, Duration probeTimeout, Duration linkTimeout,
                           ApiTokens tokens) {
        public Settings(String host, int port, List<Probe> probes, Duration probeInterval, Duration probeTimeout, Duration linkTimeout) {
            this(host, port, probes, probeInterval, probeTimeout, linkTimeout, ApiTokens.open());
        }
    }

    private static final class Link {
        boolean up;
        long lastSeen;
        String nodeId;
    }

    private final Settings settings;
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final Map<String, Boolean> reachable = new LinkedHashMap<>();
    private HttpServer server;
    private NetClient net;
    private final List<Long> timers = new ArrayList<>();

    public TransportAdapter(AuditedPublisher bus, Settings settings) {
        super(bus);
        this.settings = settings;
    }

    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    @Override
    public Future<?> start() {
        net = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) settings.probeTimeout().toMillis()));
        if (!settings.probes().isEmpty()) {
            timers.add(vertx.setPeriodic(0, settings.probeInterval().toMillis(), id -> settings.probes().forEach(this::probe)));
        }
        timers.add(vertx.setPeriodic(Math.max(50, settings.linkTimeout().toMillis() / 4), id -> expireSilentLinks()));
        Router router = inputRouter(1 << 20);
        router.post("/v1/transport/telemetry").handler(requireWriter(settings.tokens(),
                "transport.telemetry-unauthorized")).handler(this::telemetry);
        router.get("/v1/transport/links").handler(this::listLinks);
        SlowClients slow = new SlowClients(vertx);
        return vertx.createHttpServer(httpServerOptions()).connectionHandler(slow.connections()).requestHandler(slow.requests(router))
                .listen(settings.port(), settings.host()).onSuccess(s -> {
                    server = s;
                    LOG.info("{} takes link telemetry on {}/v1/transport/telemetry", adapterId(), inputUrl(settings.host(),
                            s.actualPort()));
                });
    }

    @Override
    public Future<?> stop() {
        timers.forEach(vertx::cancelTimer);
        return Future.join(server == null ? Future.succeededFuture() : server.close(), net.close());
    }

    @Override
    public ManagedComponent.Check health() {
        long down = links.values().stream().filter(l -> !l.up).count() + reachable.values().stream().filter(r -> !r).count();
        return down == 0 ? new ManagedComponent.Check(CheckStatus.PASSING, 0, links.size() + " links, " + reachable.size()
                + " probed endpoints, all up")
                : new ManagedComponent.Check(CheckStatus.WARNING, 0, down + " links or endpoints down");
    }

    private void telemetry(RoutingContext ctx) {
        List<LinkTelemetry> batch;
        try {
            batch = readTelemetry(ctx.body().asString());
        } catch (InvalidInputException e) {
            bus.audit(new AuditedPublisher.Action(String.valueOf(ctx.request().remoteAddress()), "transport.telemetry-rejected",
                    "telemetry",
                    AuditOutcome.DENIED, Map.of("reason", e.getMessage())));
            ctx.response().setStatusCode(400).putHeader("content-type", "application/json")
                    .end(new JsonObject().put("error_code", 400).put("message", "invalid telemetry: " + e.getMessage()).encode());
            return;
        }
        List<CompletableFuture<Void>> written = new ArrayList<>();
        for (LinkTelemetry t : batch) {
            written.add(emit(t.getLinkId(), t, "node:" + t.getNodeId(), "transport.telemetry", t.getLinkId(),
                    Map.of("latencyMs", Double.toString(t.getLatencyMs()), "lossRatio", Double.toString(t.getLossRatio()))));
            Link link = links.computeIfAbsent(t.getLinkId(), k -> new Link());
            boolean wasKnown = link.lastSeen != 0;
            link.lastSeen = System.currentTimeMillis();
            link.nodeId = t.getNodeId();
            boolean upNow = t.getLossRatio() < 1.0;
            if (!wasKnown || link.up != upNow) {
                link.up = upNow;
                written.add(linkState(t.getLinkId(), upNow, upNow ? (wasKnown ? "traffic again" : "first telemetry") : "total loss",
                        t.getNodeId()));
            }
        }
        Future.fromCompletionStage(CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)),
                vertx.getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().setStatusCode(202).putHeader("content-type", "application/json")
                        .end(new JsonObject().put("accepted", batch.size()).encode());
            } else {
                ctx.response().setStatusCode(503).end(new JsonObject().put("error_code", 503).put("message",
                        ar.cause().getMessage()).encode());
            }
        });
    }

    /**
     * A telemetry body: one object or an array of them, all valid or refused as a whole with the
     * reason (naming the item of an array).
     */
    public static List<LinkTelemetry> readTelemetry(String body) {
        Object parsed;
        try {
            parsed = body == null || body.isBlank() ? null : io.vertx.core.json.Json.decodeValue(body);
        } catch (io.vertx.core.json.DecodeException e) {
            throw new InvalidInputException("not JSON");
        }
        List<Object> items = new ArrayList<>();
        if (parsed instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                items.add(a.getValue(i));
            }
        } else {
            items.add(JsonInput.object(body));
        }
        List<LinkTelemetry> batch = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                batch.add(parse(items.get(i) instanceof JsonObject o ? o : null));
            } catch (InvalidInputException e) {
                throw new InvalidInputException((items.size() > 1 ? "item " + i + ": " : "") + e.getMessage());
            }
        }
        return batch;
    }

    static LinkTelemetry parse(JsonObject o) {
        if (o == null) {
            throw new InvalidInputException("a JSON object was expected");
        }
        return new LinkTelemetry(JsonInput.text(o, "linkId"), JsonInput.text(o, "nodeId"), JsonInput.text(o, "peerNodeId"),
                JsonInput.number(o, "latencyMs", null, 0, 3.6e6), JsonInput.number(o, "jitterMs", 0.0, 0, 3.6e6),
                JsonInput.number(o, "lossRatio", 0.0, 0, 1), (long) JsonInput.number(o, "throughputBps", 0.0, 0, 1e15));
    }

    private void listLinks(RoutingContext ctx) {
        JsonObject out = new JsonObject();
        links.forEach((id, l) -> out.put(id, new JsonObject().put("up", l.up).put("nodeId", l.nodeId)
                .put("lastSeen", Instant.ofEpochMilli(l.lastSeen).toString())));
        ctx.response().putHeader("content-type", "application/json").end(out.encode());
    }

    private void expireSilentLinks() {
        long now = System.currentTimeMillis();
        links.forEach((id, l) -> {
            if (l.up && now - l.lastSeen > settings.linkTimeout().toMillis()) {
                l.up = false;
                linkState(id, false, "no telemetry for " + (now - l.lastSeen) + " ms", l.nodeId);
            }
        });
    }

    private CompletableFuture<Void> linkState(String linkId, boolean up, String reason, String nodeId) {
        return emit(linkId, new LinkStateChanged(linkId, up, reason), "node:" + nodeId, up ? "transport.link-up"
                : "transport.link-down", linkId,
                Map.of("reason", reason));
    }

    private void probe(Probe p) {
        long began = System.nanoTime();
        net.connect(p.port(), p.host()).onComplete(ar -> {
            double ms = (System.nanoTime() - began) / 1e6;
            if (ar.succeeded()) {
                ar.result().close();
            }
            String error = ar.succeeded() ? null : String.valueOf(ar.cause().getMessage());
            Endpoint endpoint = new Endpoint(p.host(), p.port(), "tcp");
            Boolean before = reachable.put(p.id(), ar.succeeded());
            emit(p.id(), new ProbeResult(p.id(), endpoint, ar.succeeded(), ar.succeeded() ? ms : null, error), adapterId(),
                    "transport.probe",
                    p.id(), Map.of("reachable", Boolean.toString(ar.succeeded()), "changed", Boolean.toString(before == null
                            || before != ar.succeeded())));
            HealthCheckResult check = new HealthCheckResult(p.id(), p.id() + ":tcp", ar.succeeded() ? CheckStatus.PASSING
                    : CheckStatus.CRITICAL, ms,
                    ar.succeeded() ? "connected to " + p.host() + ":" + p.port() : error);
            publish(Topics.HEALTH_CHECKS, p.id(), check, AuditedPublisher.Action.observed(adapterId(), "transport.probe-check", p.id(),
                    Map.of()));
        });
    }

    private CompletableFuture<Void> emit(String key, SpecificRecord payload, String actor, String action, String target, Map<String,
            String> details) {
        return publish(Topics.TRANSPORT, key, payload, AuditedPublisher.Action.observed(actor, action, target, details));
    }
}
