package io.hypermesh.streams.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The route table answers other methods from what the rooms declared: 405 with Allow, as Consul does. */
class RoutesTest {
    static Vertx vertx;
    static HttpServer server;
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void serve() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        Routes routes = new Routes(router);
        routes.put("/v1/agent/service/register").handler(ctx -> ctx.end("registered"));
        routes.get("/v1/agent/service/:id").handler(ctx -> ctx.end("service " + ctx.pathParam("id")));
        routes.get("/v1/kv/:key").handler(ctx -> ctx.end("read"));
        routes.put("/v1/kv/:key").handler(ctx -> ctx.end("written"));
        routes.delete("/v1/kv/:key").handler(ctx -> ctx.end("deleted"));
        routes.refuseOtherMethods();
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anExactPathWinsOverAPatternAsInGosMux() throws Exception {
        HttpResponse<String> wrong = send("GET", "/v1/agent/service/register");
        assertEquals(405, wrong.statusCode());
        assertEquals("PUT", wrong.headers().firstValue("Allow").orElse(""));
        assertTrue(wrong.body().contains("method GET not allowed"), wrong.body());
        assertEquals("registered", send("PUT", "/v1/agent/service/register").body());
        assertEquals("service web", send("GET", "/v1/agent/service/web").body());
    }

    @Test
    void everyMethodAPathServesIsAllowed() throws Exception {
        HttpResponse<String> post = send("POST", "/v1/kv/a");
        assertEquals(405, post.statusCode());
        assertEquals("GET, PUT, DELETE", post.headers().firstValue("Allow").orElse(""));
        assertEquals("read", send("GET", "/v1/kv/a").body());
        assertEquals("written", send("PUT", "/v1/kv/a").body());
        assertEquals("deleted", send("DELETE", "/v1/kv/a").body());
    }
}
