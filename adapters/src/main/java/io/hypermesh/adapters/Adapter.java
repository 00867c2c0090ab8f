package io.hypermesh.adapters;

import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.lifecycle.ManagedComponent;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.http.auth.WriteAccess;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.VerticleBase;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

/**
 * A thin Vert.x adapter around one real system: it watches or receives what that system says,
 * turns it into bus events, and publishes each with its audit record. Its own health is what the
 * adapter's heartbeat reports.
 */
public abstract class Adapter extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(Adapter.class);
    protected final AuditedPublisher bus;

    protected Adapter(AuditedPublisher bus) {
        this.bus = bus;
    }

    /** The adapter's own health, reported with every heartbeat. */
    public abstract ManagedComponent.Check health();

    /**
     * Options of the adapter's HTTP input: HTTPS with the adapter's certificate when its Kafka
     * settings carry one (clients are asked for theirs), plain HTTP otherwise.
     */
    protected final HttpServerOptions httpServerOptions() {
        // No h2c upgrade: the JDK client asks for it on every plain request.
        return bus.httpTls().server(new HttpServerOptions().setHttp2ClearTextEnabled(false));
    }

    /**
     * The router of the adapter's HTTP input: bodies above {@code bodyLimit} bytes are answered
     * 413 with a JSON reason, like every other refusal.
     */
    protected final io.vertx.ext.web.Router inputRouter(long bodyLimit) {
        io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
        // Vert.x wants the body handler before any of ours.
        router.post().handler(io.vertx.ext.web.handler.BodyHandler.create().setBodyLimit(bodyLimit));
        router.errorHandler(413, ctx -> ctx.response().setStatusCode(413).putHeader("content-type", "application/json")
                .end(new io.vertx.core.json.JsonObject().put("error_code", 413).put("message", "request body larger than " + bodyLimit
                        + " bytes").encode()));
        return router;
    }

    /** Where the input listens, for the log: its scheme, host and port. */
    protected final String inputUrl(String host, int port) {
        return bus.httpTls().scheme() + "://" + host + ":" + port;
    }

    /**
     * A route step that lets a write through only from a client with a certificate of the bus CA
     * (on HTTPS) or with one of {@code tokens}; all through when neither is configured. A refused
     * attempt is answered 401 or 403 and recorded on the trail as DENIED.
     */
    protected final io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> requireWriter(ApiTokens tokens, String action) {
        WriteAccess writes = WriteAccess.of(tokens, bus.httpTls());
        return ctx -> {
            String refusal = writes.refusal(ctx.request());
            if (refusal == null) {
                ctx.next();
                return;
            }
            bus.audit(new AuditedPublisher.Action(String.valueOf(ctx.request().remoteAddress()), action, ctx.request().path(),
                    AuditOutcome.DENIED, java.util.Map.of("reason", refusal)));
            int status = writes.refusalStatus();
            if (status == 401) {
                ctx.response().putHeader("WWW-Authenticate", WriteAccess.CHALLENGE);
            }
            ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                    .end(new io.vertx.core.json.JsonObject().put("error_code", status).put("message", refusal).encode());
        };
    }

    protected final EventSource source() {
        return bus.source();
    }

    protected final String adapterId() {
        return bus.adapterId();
    }

    /** Publishes a new event of {@code topic} carrying {@code payload}, with its audit record. */
    protected final <V extends SpecificRecord> CompletableFuture<Void> publish(TopicSpec<V> topic, String key, SpecificRecord payload,
                                                                             AuditedPublisher.Action action) {
        return publishEvent(topic, key, Envelopes.wrap(topic, source(), payload), action);
    }

    /** Publishes an event with its audit record; a failure is logged (the publisher has already retried). */
    protected final <V extends SpecificRecord> CompletableFuture<Void> publishEvent(TopicSpec<V> topic, String key, V event,
                                                                                  AuditedPublisher.Action action) {
        return bus.publish(topic, key, event, action).whenComplete((ok, e) -> {
            if (e != null) {
                LOG.error("{} could not publish {} to {}: {}", adapterId(), action.action(), topic.name(), e.getMessage());
            }
        });
    }
}
