package io.hypermesh.streams.api.connect;

import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.consul.ConsulRequests;
import io.hypermesh.streams.connect.DecisionLog;
import io.hypermesh.streams.connect.IntentionBook;
import io.hypermesh.streams.connect.SpiffeId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Authorization of a connection: Consul's {@code POST /v1/agent/connect/authorize} (L4: an
 * intention with permissions counts as deny, as Consul's does) and ours, {@code POST
 * /v1/hypermesh/connect/authorize}, which also takes Method, Path and Headers and applies an L7
 * intention's permissions as Envoy would. Both are answered from the in-memory intentions on the
 * event loop in microseconds; the decision log, if on, takes the decision without waiting.
 */
final class Authorize {
    static final int MAX_HEADERS = 64;
    static final int MAX_PATH = 8 * 1024;

    private final IntentionBook book;
    private final DecisionLog decisions;
    private final Counter allowed;
    private final Counter denied;

    Authorize(IntentionBook book, DecisionLog decisions, MeterRegistry metrics) {
        this.book = book;
        this.decisions = decisions;
        this.allowed = Counter.builder("hypermesh.connect.authorize").tag("result", "allowed")
                .description("Connect authorizations answered").register(metrics);
        this.denied = Counter.builder("hypermesh.connect.authorize").tag("result", "denied")
                .description("Connect authorizations answered").register(metrics);
        FunctionCounter.builder("hypermesh.connect.decisions.logged", decisions, DecisionLog::logged)
                .description("Authorization decisions written to hypermesh.decisions").register(metrics);
        FunctionCounter.builder("hypermesh.connect.decisions.dropped", decisions, DecisionLog::dropped)
                .description("Authorization decisions the log could not take (its queue full, or Kafka refused them)").register(metrics);
    }

    void mount(Routes routes) {
        routes.post("/v1/agent/connect/authorize").handler(ctx -> authorize(ctx, false));
        routes.post(Responses.HYPERMESH_PREFIX + "/connect/authorize").handler(ctx -> authorize(ctx, true));
    }

    private void authorize(RoutingContext ctx, boolean l7) {
        JsonObject body = ConsulRequests.jsonBody(ctx);
        ConsulRequests.Fields f = new ConsulRequests.Fields(body, "");
        String target = f.string("Target", "");
        if (target.isEmpty()) {
            throw ApiException.badRequest("Target service must be specified");
        }
        String uri = f.string("ClientCertURI", "");
        SpiffeId client;
        try {
            client = SpiffeId.parse(uri);
        } catch (SpiffeId.NotAServiceException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        String serial = f.string("ClientCertSerial", "");
        IntentionBook.Decision d;
        String method = null;
        String path = null;
        if (l7) {
            method = f.string("Method", "GET").toUpperCase(Locale.ROOT);
            path = f.string("Path", "/");
            if (path.length() > MAX_PATH || !path.startsWith("/")) {
                throw ApiException.badRequest("Path must start with '/' and be at most " + MAX_PATH + " characters");
            }
            d = book.decideL7(client.namespace(), client.service(), "default", target, method, path, headers(body));
        } else {
            d = book.decideL4(client.namespace(), client.service(), "default", target);
        }
        (d.allowed() ? allowed : denied).increment();
        decisions.record(target, uri, serial.isEmpty() ? null : serial, client, d, l7 ? "L7" : "L4", method, path);
        JsonObject answer = new JsonObject().put("Authorized", d.allowed()).put("Reason", d.reason());
        if (l7 && d.intention() != null) {
            answer.put("Intention", d.intention().toString()).put("IntentionID", d.intention().reference());
        }
        Responses.json(ctx, 200, answer);
    }

    private static Map<String, String> headers(JsonObject body) {
        Object raw = body.getValue("Headers");
        if (raw == null) {
            return Map.of();
        }
        if (!(raw instanceof JsonObject given)) {
            throw ConsulRequests.decode("Headers must be an object of names to values");
        }
        if (given.size() > MAX_HEADERS) {
            throw ApiException.badRequest("Headers has " + given.size() + " entries; at most " + MAX_HEADERS);
        }
        Map<String, String> out = new HashMap<>();
        given.forEach(e -> out.put(e.getKey().toLowerCase(Locale.ROOT), String.valueOf(e.getValue())));
        return out;
    }
}
