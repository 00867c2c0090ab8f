package io.hypermesh.adapters;

import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.lifecycle.ManagedComponent;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.audit.AuditOutcome;
import io.hypermesh.schemas.auth.ApiTokens;
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
     * A route step that lets a write through only with one of {@code tokens} (all through when none
     * are configured); a refused attempt is answered 401 and recorded on the trail as DENIED.
     */
    protected final io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> requireToken(ApiTokens tokens, String action) {
        return ctx -> {
            String authorization = ctx.request().getHeader("Authorization");
            if (tokens.admits(authorization)) {
                ctx.next();
                return;
            }
            bus.audit(new AuditedPublisher.Action(String.valueOf(ctx.request().remoteAddress()), action, ctx.request().path(),
                    AuditOutcome.DENIED, java.util.Map.of("reason", ApiTokens.refusal(authorization))));
            ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"hypermesh\"")
                    .putHeader("content-type", "application/json")
                    .end(new io.vertx.core.json.JsonObject().put("error_code", 401).put("message", ApiTokens.refusal(authorization)).encode());
        };
    }

    protected final EventSource source() {
        return bus.source();
    }

    protected final String adapterId() {
        return bus.adapterId();
    }

    /** Publishes an event with its audit record; a failure is logged (the publisher has already retried). */
    protected final CompletableFuture<Void> publish(String topic, String key, SpecificRecord event, AuditedPublisher.Action action) {
        return bus.publish(topic, key, event, action).whenComplete((ok, e) -> {
            if (e != null) {
                LOG.error("{} could not publish {} to {}: {}", adapterId(), action.action(), topic, e.getMessage());
            }
        });
    }
}
