package io.hypermesh.streams.api;

import io.hypermesh.streams.api.stores.StoreNotReadyException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.errors.StreamsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CancellationException;

/** How the query API answers outside a view: JSON on our paths and the peers', plain text on Consul's, as Consul does. */
public final class Responses {
    private static final Logger LOG = LoggerFactory.getLogger(Responses.class);
    /** Our own paths: what Consul lacks. */
    public static final String HYPERMESH_PREFIX = "/v1/hypermesh";
    public static final String INDEX_HEADER = "X-Consul-Index";
    /** The Consul version the API answers as, for clients that look. */
    public static final String CONSUL_VERSION = "1.20.0";

    private Responses() {
    }

    public static void json(RoutingContext ctx, int status, Object body) {
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(String.valueOf(body));
        }
    }

    /** Consul's error bodies are plain text. */
    public static void text(HttpServerResponse response, int status, String message) {
        if (!response.ended()) {
            response.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(message);
        }
    }

    /** A failure as an answer: a refused request keeps its 4xx and reason; Kafka away or a store moving is a 503. */
    public static void error(RoutingContext ctx, Throwable e) {
        int status;
        if (e instanceof ApiException api) {
            status = api.status();
            if (status == 429 || status == 503) {
                ctx.response().putHeader("Retry-After", "1");
            }
        } else if (e instanceof StoreNotReadyException || e instanceof StreamsException) {
            status = 503;
            ctx.response().putHeader("Retry-After", "1");
        } else if (e instanceof KafkaException || e instanceof CancellationException) {
            // Kafka unreachable, or this instance is shutting down mid-request.
            status = 503;
        } else {
            LOG.error("unexpected failure serving {} {}", ctx.request().method(), ctx.request().path(), e);
            status = 500;
        }
        if (ctx.response().ended()) {
            return;
        }
        String path = ctx.request().path();
        if (path.startsWith("/v1/") && !path.startsWith(HYPERMESH_PREFIX + "/")) {
            text(ctx.response(), status, String.valueOf(e.getMessage()));
        } else {
            json(ctx, status, new JsonObject().put("error", String.valueOf(e.getMessage())));
        }
    }
}
