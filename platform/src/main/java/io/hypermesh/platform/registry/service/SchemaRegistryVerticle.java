package io.hypermesh.platform.registry.service;

import io.hypermesh.http.ClientShares;
import io.hypermesh.http.SlowClients;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.http.auth.WriteAccess;
import io.hypermesh.http.HttpTls;
import io.hypermesh.platform.registry.CompatibilityLevel;
import io.hypermesh.schemas.registry.RegistryException;
import io.hypermesh.platform.registry.SchemaDefinition;
import io.hypermesh.schemas.format.SchemaTypes;
import io.hypermesh.platform.registry.RegistrySettings;
import io.hypermesh.platform.registry.SchemaRegistry;
import io.hypermesh.platform.registry.SchemaStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

import static io.hypermesh.platform.registry.service.RegistryRequests.body;
import static io.hypermesh.platform.registry.service.RegistryRequests.definition;
import static io.hypermesh.platform.registry.service.RegistryRequests.flag;
import static io.hypermesh.platform.registry.service.RegistryRequests.id;
import static io.hypermesh.platform.registry.service.RegistryRequests.integer;
import static io.hypermesh.platform.registry.service.RegistryRequests.requestedLevel;
import static io.hypermesh.platform.registry.service.RegistryRequests.requestedMode;
import static io.hypermesh.platform.registry.service.RegistryRequests.subject;

/**
 * Serves the Confluent schema registry REST API over a {@link SchemaStore}. {@link #start()}
 * completes only once the server listens; {@link #port()} then tells where.
 */
public final class SchemaRegistryVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryVerticle.class);
    static final String V1 = "application/vnd.schemaregistry.v1+json";
    private static final Set<String> ACCEPTED_BODY_TYPES = Set.of(V1, "application/vnd.schemaregistry+json",
            "application/json", "application/octet-stream");
    private static final long MAX_BODY_BYTES = 16L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaStore store;
    private final String host;
    private final int requestedPort;
    private final HttpTls tls;
    private final WriteAccess writes;
    private HttpServer server;

    /** @param tls the server's identity: with one, HTTPS, and writes need a client certificate of the bus CA */
    public SchemaRegistryVerticle(SchemaStore store, String host, int port, HttpTls tls) {
        this.tls = tls;
        this.writes = WriteAccess.of(ApiTokens.open(), tls);
        this.store = store;
        this.host = host;
        this.requestedPort = port;
    }

    /** Registering, deleting and configuring change what every producer and consumer relies on. */
    private void authorizeWrite(RoutingContext ctx) {
        String refusal = writes.refusal(ctx.request());
        if (refusal == null) {
            ctx.next();
        } else {
            int status = writes.refusalStatus();
            error(ctx, new RegistryException(status, status * 100 + 1, refusal));
        }
    }

    /** The bound port (useful when constructed with port 0). */
    public int port() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        // Bodies only where a method has one: a GET with a form content type made the decoder throw.
        router.route().method(io.vertx.core.http.HttpMethod.PUT).method(io.vertx.core.http.HttpMethod.POST)
                .method(io.vertx.core.http.HttpMethod.DELETE).handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        router.route().handler(this::checkContentType);
        router.route().handler(this::negotiate);

        router.get("/").handler(ctx -> reply(ctx, JSON.createObjectNode()));
        router.get("/schemas/types").handler(ctx -> reply(ctx, strings(SchemaTypes.ALL)));
        router.get("/schemas/ids/:id").handler(ctx -> blocking(ctx, () -> schemaJson(
                store.read(s -> SchemaRegistry.schemaById(s, id(ctx))), JSON.createObjectNode())));
        router.get("/schemas/ids/:id/schema").handler(ctx -> blocking(ctx, () ->
                new RawJson(store.read(s -> SchemaRegistry.schemaById(s, id(ctx))).schema())));
        router.get("/schemas/ids/:id/versions").handler(ctx -> blocking(ctx, () -> {
            ArrayNode out = JSON.createArrayNode();
            store.read(s -> SchemaRegistry.versionsOfId(s, id(ctx), flag(ctx, "deleted")))
                    .forEach(v -> out.addObject().put("subject", v.subject()).put("version", v.version()));
            return out;
        }));
        router.get("/schemas/ids/:id/subjects").handler(ctx -> blocking(ctx, () -> {
            ArrayNode out = JSON.createArrayNode();
            store.read(s -> SchemaRegistry.versionsOfId(s, id(ctx), flag(ctx, "deleted")))
                    .stream().map(SchemaRegistry.VersionView::subject).distinct().forEach(out::add);
            return out;
        }));

        router.get("/subjects").handler(ctx -> blocking(ctx, () ->
                strings(store.read(s -> s.subjects(flag(ctx, "deleted"))))));
        router.post("/subjects/:subject").handler(ctx -> blocking(ctx, () -> versionJson(store.read(s ->
                SchemaRegistry.lookup(s, subject(ctx), definition(ctx), flag(ctx, "deleted"), flag(ctx, "normalize"))))));
        router.delete("/subjects/:subject").handler(this::authorizeWrite).handler(ctx -> blocking(ctx, () -> ints(store.write(s ->
                SchemaRegistry.deleteSubject(s, subject(ctx), flag(ctx, "permanent"))))));
        router.get("/subjects/:subject/versions").handler(ctx -> blocking(ctx, () -> ints(store.read(s ->
                SchemaRegistry.versions(s, subject(ctx), flag(ctx, "deleted"))))));
        router.post("/subjects/:subject/versions").handler(this::authorizeWrite).handler(ctx -> blocking(ctx, () -> {
            JsonNode body = body(ctx);
            // An id or a version is what an import keeps; only IMPORT mode takes them.
            int givenId = integer(body, "id", -1);
            if (body.hasNonNull("id") && givenId < 0) {
                throw RegistryException.invalidId(givenId); // not a plain register in disguise
            }
            int givenVersion = integer(body, "version", 0);
            int id = store.write(s -> SchemaRegistry.register(s, subject(ctx), definition(ctx), givenId, givenVersion,
                    flag(ctx, "normalize")));
            return JSON.createObjectNode().put("id", id);
        }));
        router.get("/subjects/:subject/versions/:version").handler(ctx -> blocking(ctx, () -> versionJson(store.read(s ->
                SchemaRegistry.version(s, subject(ctx), ctx.pathParam("version"), flag(ctx, "deleted"))))));
        router.get("/subjects/:subject/versions/:version/schema").handler(ctx -> blocking(ctx, () -> new RawJson(store.read(s ->
                SchemaRegistry.version(s, subject(ctx), ctx.pathParam("version"), flag(ctx, "deleted"))).definition().schema())));
        router.get("/subjects/:subject/versions/:version/referencedby").handler(ctx -> blocking(ctx, () -> ints(store.read(s ->
                SchemaRegistry.referencedBy(s, subject(ctx), ctx.pathParam("version"))))));
        router.delete("/subjects/:subject/versions/:version").handler(this::authorizeWrite).handler(ctx -> blocking(ctx, () ->
                JSON.getNodeFactory()
                .numberNode((int) store.write(s -> SchemaRegistry.deleteVersion(s, subject(ctx), ctx.pathParam("version"),
                        flag(ctx, "permanent"))))));

        router.post("/compatibility/subjects/:subject/versions/:version").handler(ctx ->
                blocking(ctx, () -> compatibility(ctx, ctx.pathParam("version"))));
        router.post("/compatibility/subjects/:subject/versions").handler(ctx -> blocking(ctx, () -> compatibility(ctx, null)));

        router.get("/mode").handler(ctx -> blocking(ctx, () -> modeJson(store.read(s -> RegistrySettings.mode(s, null, true)))));
        // As Confluent, a mode change answers with the request itself.
        router.put("/mode").handler(this::authorizeWrite).handler(ctx -> blocking(ctx, () -> setMode(ctx, null)));
        router.get("/mode/:subject").handler(ctx -> blocking(ctx, () -> modeJson(store.read(s ->
                RegistrySettings.mode(s, subject(ctx), flag(ctx, "defaultToGlobal"))))));
        router.put("/mode/:subject").handler(this::authorizeWrite).handler(ctx -> blocking(ctx, () -> setMode(ctx, subject(ctx))));
        router.delete("/mode/:subject").handler(this::authorizeWrite).handler(ctx -> blocking(ctx, () -> modeJson(store.write(s ->
                RegistrySettings.deleteMode(s, subject(ctx))))));

        router.get("/config").handler(ctx -> blocking(ctx, () -> levelJson(store.read(s -> RegistrySettings.level(s, null, true)))));
        router.put("/config").handler(this::authorizeWrite).handler(ctx -> blocking(ctx, () -> JSON.createObjectNode().put("compatibility",
                store.write(s -> RegistrySettings.setLevel(null, requestedLevel(ctx))).name())));
        router.delete("/config").handler(this::authorizeWrite).handler(ctx -> blocking(ctx, () -> levelJson(store.write(s ->
                RegistrySettings.deleteLevel(s, null)))));
        router.get("/config/:subject").handler(ctx -> blocking(ctx, () -> levelJson(store.read(s ->
                RegistrySettings.level(s, subject(ctx), flag(ctx, "defaultToGlobal"))))));
        router.put("/config/:subject").handler(this::authorizeWrite).handler(ctx -> blocking(ctx, () ->
                JSON.createObjectNode().put("compatibility",
                store.write(s -> RegistrySettings.setLevel(subject(ctx), requestedLevel(ctx))).name())));
        router.delete("/config/:subject").handler(this::authorizeWrite).handler(ctx -> blocking(ctx, () -> levelJson(store.write(s ->
                RegistrySettings.deleteLevel(s, subject(ctx))))));

        router.route().last().handler(ctx -> error(ctx, new RegistryException(404, 404,
                "HTTP 404 Not Found: no endpoint " + ctx.request().method() + " " + ctx.request().path())));
        router.errorHandler(405, ctx -> error(ctx, new RegistryException(405, 405,
                "HTTP 405 Method Not Allowed: " + ctx.request().method() + " " + ctx.request().path())));
        router.errorHandler(413, ctx -> error(ctx, new RegistryException(413, 413,
                "request body larger than " + MAX_BODY_BYTES + " bytes")));

        SlowClients slow = new SlowClients(vertx);
        return vertx.createHttpServer(tls.server(new io.vertx.core.http.HttpServerOptions())
                        // No h2c upgrade: the JDK client asks for it on every plain request, and an upgraded
                        // exchange with a large body was misread ("Frame type(104) ... exceeds MAX_FRAME_SIZE").
                        .setHttp2ClearTextEnabled(false))
                .connectionHandler(slow.connections()).requestHandler(slow.requests(router)).listen(requestedPort, host)
                .onSuccess(s -> {
                    server = s;
                    LOG.info("schema registry listening on {}://{}:{}", tls.scheme(), host, s.actualPort());
                });
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    /** A JSON document already serialised (a schema is returned as it was stored). */
    private record RawJson(String text) {
    }

    private void checkContentType(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.POST || method == HttpMethod.PUT) {
            String type = ctx.request().getHeader("Content-Type");
            String bare = type == null ? null : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (bare != null && !ACCEPTED_BODY_TYPES.contains(bare)) {
                error(ctx, new RegistryException(415, 415, "HTTP 415 Unsupported Media Type '" + type
                        + "'; use one of " + ACCEPTED_BODY_TYPES));
                return;
            }
        }
        ctx.next();
    }

    /** The answer's type from {@code Accept}, as Confluent's registry picks it; 406 when none is acceptable. */
    private void negotiate(RoutingContext ctx) {
        String type = MediaTypes.choose(ctx.request().getHeader("Accept"));
        if (type == null) {
            ctx.put(RESPONSE_TYPE, MediaTypes.JSON);
            error(ctx, new RegistryException(406, 406, "HTTP 406 Not Acceptable"));
            return;
        }
        ctx.put(RESPONSE_TYPE, type);
        ctx.next();
    }

    private static final String RESPONSE_TYPE = "hypermesh.registry.responseType";

    private static String responseType(RoutingContext ctx) {
        String type = ctx.get(RESPONSE_TYPE);
        return type == null ? V1 : type;
    }

    /**
     * Runs a request's work on a worker thread. One client has at most {@link #MAX_IN_FLIGHT_PER_CLIENT}
     * requests being worked on at once (a schema's parse can take a good part of a second): past
     * that it gets a 429, so it cannot queue the workers up for every other client.
     */
    private void blocking(RoutingContext ctx, Callable<Object> work) {
        String client = ClientShares.clientOf(ctx.request());
        if (!inFlight.take(client, MAX_IN_FLIGHT_PER_CLIENT)) {
            ctx.response().putHeader("Retry-After", "1");
            error(ctx, new RegistryException(429, 42901, "too many requests in progress from " + client
                    + ": the limit is " + MAX_IN_FLIGHT_PER_CLIENT + " at once"));
            return;
        }
        vertx.executeBlocking(work, false).onComplete(ar -> {
            inFlight.give(client);
            if (ar.succeeded()) {
                reply(ctx, ar.result());
            } else {
                error(ctx, ar.cause());
            }
        });
    }

    static final int MAX_IN_FLIGHT_PER_CLIENT = 8;
    private final ClientShares inFlight = new ClientShares();

    private static void reply(RoutingContext ctx, Object body) {
        String text = body instanceof RawJson raw ? raw.text() : body.toString();
        ctx.response().setStatusCode(200).putHeader("Content-Type", responseType(ctx)).end(text);
    }

    private static void error(RoutingContext ctx, Throwable failure) {
        RegistryException e;
        if (failure instanceof RegistryException r) {
            e = r;
        } else {
            LOG.error("unexpected failure serving {} {}", ctx.request().method(), ctx.request().path(), failure);
            e = RegistryException.storeError(String.valueOf(failure.getMessage()), failure);
        }
        ObjectNode body = JSON.createObjectNode().put("error_code", e.errorCode()).put("message", e.getMessage());
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(e.httpStatus()).putHeader("Content-Type", responseType(ctx)).end(body.toString());
        }
    }

    private ObjectNode setMode(RoutingContext ctx, String subject) {
        String requested = requestedMode(ctx);
        store.write(s -> RegistrySettings.setMode(s, subject, requested, flag(ctx, "force")));
        return modeJson(requested);
    }

    private static ObjectNode modeJson(String mode) {
        return JSON.createObjectNode().put("mode", mode);
    }

    private ObjectNode compatibility(RoutingContext ctx, String version) {
        SchemaRegistry.CompatibilityResult result = store.read(s ->
                SchemaRegistry.testCompatibility(s, subject(ctx), version, definition(ctx)));
        ObjectNode out = JSON.createObjectNode().put("is_compatible", result.compatible());
        if (flag(ctx, "verbose")) {
            result.messages().forEach(out.putArray("messages")::add);
        }
        return out;
    }

    private static ObjectNode versionJson(SchemaRegistry.VersionView v) {
        ObjectNode out = JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id());
        return schemaJson(v.definition(), out);
    }

    private static ObjectNode schemaJson(SchemaDefinition definition, ObjectNode out) {
        if (!SchemaDefinition.AVRO.equals(definition.schemaType())) {
            out.put("schemaType", definition.schemaType());
        }
        if (!definition.references().isEmpty()) {
            ArrayNode refs = out.putArray("references");
            definition.references().forEach(r -> refs.addObject().put("name", r.name())
                    .put("subject", r.subject()).put("version", r.version()));
        }
        return out.put("schema", definition.schema());
    }

    private static ObjectNode levelJson(CompatibilityLevel level) {
        return JSON.createObjectNode().put("compatibilityLevel", level.name());
    }

    private static ArrayNode ints(List<Integer> values) {
        ArrayNode out = JSON.createArrayNode();
        values.forEach(out::add);
        return out;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode out = JSON.createArrayNode();
        values.forEach(out::add);
        return out;
    }
}
