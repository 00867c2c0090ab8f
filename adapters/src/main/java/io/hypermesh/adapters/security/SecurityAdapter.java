package io.hypermesh.adapters.security;

import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.http.SlowClients;
import io.hypermesh.adapters.Adapter;
import io.hypermesh.adapters.InvalidInputException;
import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.lifecycle.ManagedComponent;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.security.SecurityEvent;
import io.hypermesh.schemas.topics.Topics;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The eBPF security adapter: receives Falco's alerts on its HTTP output (POST, one JSON alert per
 * request) and tails Tetragon's JSON export files, publishing each as a security alert with its
 * severity and audit record. A malformed alert is answered 400 with the reason; a malformed export
 * line goes to the dead-letter topic with its file and line number. Neither stops the adapter. The
 * decisions people take on workload baselines (through the query API) go into its audit trail.
 */
public final class SecurityAdapter extends Adapter {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityAdapter.class);
    private static final int MAX_ALERT_BYTES = 1 << 20;

    /** Where the adapter listens for Falco (port 0 picks one; null host: no Falco input) and which Tetragon files it tails. */
    /**
     * @param tokens what a Falco POST must carry ({@code ApiTokens.open()} for nothing; Falco sends one with
     * http_output.custom_headers)
     */
    public record Settings(String falcoHost, int falcoPort, List<Path> tetragonFiles, boolean tetragonFromStart, Duration tailInterval,
                           ApiTokens tokens) {
        public Settings(String falcoHost, int falcoPort, List<Path> tetragonFiles, boolean tetragonFromStart, Duration tailInterval) {
            this(falcoHost, falcoPort, tetragonFiles, tetragonFromStart, tailInterval, ApiTokens.open());
        }
    }

    private final Settings settings;
    private final List<TetragonTail> tails = new ArrayList<>();
    private HttpServer server;
    private long tailTimer = -1;
    private volatile String problem;
    /** The decisions taken on workload baselines and the changes of Connect policy, into this adapter's audit trail. */
    private final List<AuditedChanges<?>> changes = new ArrayList<>();

    public SecurityAdapter(AuditedPublisher bus, Settings settings) {
        super(bus);
        if (settings.falcoHost() == null && settings.tetragonFiles().isEmpty()) {
            throw new IllegalArgumentException("the security adapter needs a Falco listener or a Tetragon export file");
        }
        this.settings = settings;
    }

    /** The port Falco's http_output should post to (when listening). */
    public int falcoPort() {
        return server == null ? -1 : server.actualPort();
    }

    @Override
    public Future<?> start() {
        changes.add(AuditedChanges.baselines(bus));
        changes.add(AuditedChanges.connect(bus));
        changes.add(AuditedChanges.kv(bus));
        changes.forEach(AuditedChanges::start);
        for (Path file : settings.tetragonFiles()) {
            tails.add(new TetragonTail(this, bus, file, settings.tetragonFromStart()));
        }
        if (!tails.isEmpty()) {
            tailTimer = vertx.setPeriodic(0, settings.tailInterval().toMillis(), id -> tailAll());
        }
        if (settings.falcoHost() == null) {
            return Future.succeededFuture();
        }
        Router router = inputRouter(MAX_ALERT_BYTES);
        router.post().handler(requireWriter(settings.tokens(), "security.falco-unauthorized"));
        router.post("/").handler(this::falco);
        router.post("/falco").handler(this::falco);
        SlowClients slow = new SlowClients(vertx);
        return vertx.createHttpServer(httpServerOptions()).connectionHandler(slow.connections()).requestHandler(slow.requests(router))
                .listen(settings.falcoPort(), settings.falcoHost())
                .onSuccess(s -> {
                    server = s;
                    LOG.info("{} takes Falco alerts on {}/falco", adapterId(), inputUrl(settings.falcoHost(), s.actualPort()));
                });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(tailTimer);
        changes.forEach(AuditedChanges::close);
        return server == null ? Future.succeededFuture() : server.close();
    }

    @Override
    public ManagedComponent.Check health() {
        String p = problem;
        return p == null ? new ManagedComponent.Check(CheckStatus.PASSING, 0, "receiving " + inputs())
                : new ManagedComponent.Check(CheckStatus.WARNING, 0, p);
    }

    private String inputs() {
        List<String> in = new ArrayList<>();
        if (server != null) {
            in.add("Falco on port " + server.actualPort());
        }
        settings.tetragonFiles().forEach(f -> in.add("Tetragon " + f));
        return String.join(", ", in);
    }

    private void falco(RoutingContext ctx) {
        String body = ctx.body().asString();
        SecurityInput.Alert alert;
        try {
            alert = SecurityInput.falco(body);
        } catch (InvalidInputException e) {
            bus.audit(new AuditedPublisher.Action(String.valueOf(ctx.request().remoteAddress()), "security.falco-rejected", "falco",
                    AuditOutcome.DENIED, Map.of("reason", e.getMessage())));
            ctx.response().setStatusCode(400).putHeader("content-type", "application/json")
                    .end(new JsonObject().put("error_code", 400).put("message", "invalid Falco alert: " + e.getMessage()).encode());
            return;
        }
        CompletableFuture<Void> written = publish(alert, "falco:" + Objects.requireNonNullElse(alert.alert().getHost(), alert.key()));
        Future.fromCompletionStage(written, vertx.getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().setStatusCode(204).end();
            } else {
                ctx.response().setStatusCode(503).putHeader("content-type", "application/json")
                        .end(new JsonObject().put("error_code", 503).put("message", "the bus did not take the alert: "
                                + ar.cause().getMessage()).encode());
            }
        });
    }

    private CompletableFuture<Void> publish(SecurityInput.Alert alert, String actor) {
        return publish(alert, actor, Map.of());
    }

    /** What keeps a tail from reading, shown by {@link #health()}; null once it reads again. */
    void tailProblem(String problem) {
        this.problem = problem;
    }

    /** Publishes an alert with its audit record; {@code resume} goes on the record (where a tail stands). */
    CompletableFuture<Void> publish(SecurityInput.Alert alert, String actor, Map<String, String> resume) {
        SecurityEvent event = Envelopes.wrap(Topics.SECURITY, UUID.randomUUID().toString(), source(), alert.at(), alert.alert());
        Map<String, String> details = new HashMap<>();
        details.put("engine", alert.alert().getEngine().name());
        details.put("severity", alert.alert().getSeverity().name());
        details.put("rule", alert.alert().getRule());
        details.putAll(resume);
        return publishEvent(Topics.SECURITY, alert.key(), event,
                AuditedPublisher.Action.observed(actor, "security.alert", alert.alert().getRule(), details));
    }

    private void tailAll() {
        // File reads block: off the event loop, one pass at a time.
        vertx.executeBlocking(() -> {
            for (TetragonTail t : tails) {
                t.readNewLines();
            }
            return null;
        }, true);
    }

}
