package io.hypermesh.platform.registry.service;

import io.hypermesh.platform.testing.InMemorySchemaStore;
import io.vertx.core.Vertx;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the registry's Confluent REST API with requests a confused or hostile client might send:
 * every route with odd subjects, versions and ids, bodies that are not JSON, JSON that is not a
 * schema, schemas that are not Avro, compatibility levels that do not exist. A client's mistake is
 * answered 4xx with Confluent's error body, never 5xx.
 */
class RegistryApiFuzzTest {
    static Vertx vertx;
    static SchemaRegistryVerticle registry;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeContainer
    static void start() throws Exception {
        vertx = Vertx.vertx();
        registry = new SchemaRegistryVerticle(new InMemorySchemaStore(), "127.0.0.1", 0, io.hypermesh.http.HttpTls.NONE);
        vertx.deployVerticle(registry).await(30, TimeUnit.SECONDS);
        // Something to find, so lookups of real subjects and ids are exercised too.
        send("POST", "/subjects/known-value/versions",
                "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"typ"
                        + "e\\\":\\\"int\\\"}]}\"}");
    }

    @AfterContainer
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    record Call(String method, String path, String body) {
    }

    @Property(tries = 1500, edgeCases = EdgeCasesMode.MIXIN)
    void clientMistakesAreNeverServerErrors(@ForAll("calls") Call call) throws Exception {
        HttpResponse<String> response = send(call.method(), call.path(), call.body());
        assertTrue(response.statusCode() < 500, call + " -> " + response.statusCode() + " " + response.body());
        if (response.statusCode() >= 400 && response.statusCode() != 405) {
            assertTrue(response.body().contains("error_code"), "Confluent's error body: " + call + " -> " + response.body());
        }
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + registry.port() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Provide
    Arbitrary<Call> calls() {
        Arbitrary<String> subject = Arbitraries.oneOf(Arbitraries.of("known-value", "unknown", "", " ", "a/b", "%00", "..", "latest",
                "x".repeat(300)), Arbitraries.strings().ofMaxLength(12)).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8));
        Arbitrary<String> version = Arbitraries.oneOf(Arbitraries.of("1", "latest", "-1", "0", "2147483648", "99999999999", "1.5",
                "abc", ""),
                Arbitraries.integers().map(String::valueOf));
        Arbitrary<String> id = Arbitraries.oneOf(Arbitraries.of("1", "0", "-1", "2147483648", "x", ""),
                Arbitraries.integers().map(String::valueOf));
        Arbitrary<String> path = Combinators.combine(Arbitraries.integers().between(0, 14), subject, version, id).as((route, s, v, i) ->
                switch (route) {
            case 0 -> "/schemas/ids/" + i;
            case 1 -> "/schemas/ids/" + i + "/schema";
            case 2 -> "/schemas/ids/" + i + "/versions";
            case 3 -> "/schemas/ids/" + i + "/subjects";
            case 4 -> "/subjects/" + s;
            case 5 -> "/subjects/" + s + "/versions";
            case 6 -> "/subjects/" + s + "/versions/" + v;
            case 7 -> "/subjects/" + s + "/versions/" + v + "/schema";
            case 8 -> "/subjects/" + s + "/versions/" + v + "/referencedby";
            case 9 -> "/compatibility/subjects/" + s + "/versions/" + v;
            case 10 -> "/compatibility/subjects/" + s + "/versions";
            case 11 -> "/config";
            case 12 -> "/config/" + s;
            case 13 -> "/subjects" + (i.isEmpty() ? "" : "?deleted=" + i);
            default -> "/subjects/" + s + "?permanent=" + v;
        });
        Arbitrary<String> schemaText = Arbitraries.oneOf(
                Arbitraries.of("\"string\"", "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"}]}",
                        "{\"type\":\"record\"}", "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[]}", "[]", "{}", "42", "not json",
                        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"Unknown\"}]}",
                        "{\"type\":\"array\",\"items\":{\"type\":\"map\",\"values\":\"R\"}}"),
                Arbitraries.strings().ofMaxLength(20));
        Arbitrary<String> body = Arbitraries.oneOf(
                Arbitraries.just(null),
                Arbitraries.of("", "{", "[]", "null", "42", "\"text\"", "{\"schema\":null}", "{\"schema\":5}",
                        "{\"compatibility\":\"SIDEWAYS\"}",
                        "{\"compatibility\":null}", "{\"compatibility\":\"FULL_TRANSITIVE\"}",
                                "{\"schema\":\"\",\"schemaType\":\"PROTOBUF\"}",
                        "{\"schema\":\"\\\"int\\\"\",\"references\":[{\"name\":\"x\",\"subject\":\"nope\",\"version\":7}]}"),
                schemaText.map(text -> "{\"schema\":" + io.vertx.core.json.Json.encode(text) + "}"),
                Arbitraries.strings().ofMaxLength(60));
        return Combinators.combine(Arbitraries.of("GET", "POST", "PUT", "DELETE"), path, body).as(Call::new);
    }
}
