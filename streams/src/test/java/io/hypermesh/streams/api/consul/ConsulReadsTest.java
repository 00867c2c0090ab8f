package io.hypermesh.streams.api.consul;

import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.ConsulIndexes;
import io.hypermesh.streams.StreamsSettings;
import io.hypermesh.streams.api.AnswerBudget;
import io.hypermesh.streams.api.Responses;
import io.hypermesh.streams.api.Routes;
import io.hypermesh.streams.api.Watchers;
import io.hypermesh.streams.api.stores.FoldStores;
import io.hypermesh.streams.registry.RegistryTopology;
import io.hypermesh.streams.testing.DriverFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Consul's read handlers without a broker: the fold's stores are maps behind {@link FoldStores}. */
class ConsulReadsTest {
    static Vertx vertx;
    static HttpServer server;
    static final ChangeSignal CHANGES = new ChangeSignal();
    static final ConsulIndexes INDEXES = new ConsulIndexes();
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** The fold's stores as sorted maps, all on this instance. */
    static final class MapStores implements FoldStores {
        final Map<String, TreeMap<String, Object>> stores = Map.of(
                RegistryTopology.STORE, new TreeMap<>(), RegistryTopology.BY_SERVICE_STORE, new TreeMap<>());

        void register(ServiceInstance instance) {
            stores.get(RegistryTopology.STORE).put(instance.getInstanceId(), instance);
            stores.get(RegistryTopology.BY_SERVICE_STORE).put(RegistryTopology.serviceKey(instance.getServiceName(),
                    instance.getInstanceId()), instance.getInstanceId());
        }

        @SuppressWarnings("unchecked")
        private <V> TreeMap<String, V> store(String name) {
            return (TreeMap<String, V>) stores.getOrDefault(name, new TreeMap<>());
        }

        @Override
        public <V> Future<Optional<V>> get(String store, String key) {
            return Future.succeededFuture(Optional.ofNullable(this.<V>store(store).get(key)));
        }

        @Override
        public <V> Future<Map<String, V>> getAll(String store, Collection<String> keys) {
            Map<String, V> found = new TreeMap<>();
            keys.forEach(k -> Optional.ofNullable(this.<V>store(store).get(k)).ifPresent(v -> found.put(k, v)));
            return Future.succeededFuture(found);
        }

        @Override
        public <V> Future<List<V>> scan(String store, String prefix) {
            TreeMap<String, V> all = store(store);
            return Future.succeededFuture(List.copyOf((prefix == null ? all : all.subMap(prefix, prefix + Character.MAX_VALUE)).values()));
        }

        @Override
        public <V> Future<List<V>> scanOthers(String store, String prefix) {
            return Future.succeededFuture(List.of());
        }

        @Override
        public boolean othersHoldParts() {
            return false;
        }

        @Override
        public HostInfo self() {
            return new HostInfo("127.0.0.1", 8500);
        }

        @Override
        public List<HostInfo> instances() {
            return List.of(self());
        }
    }

    @BeforeAll
    static void serve(@TempDir Path stateDir) throws Exception {
        vertx = Vertx.vertx();
        MapStores stores = new MapStores();
        stores.register(DriverFixture.instance("web-1", "web"));
        stores.register(DriverFixture.instance("web-2", "web"));
        stores.register(DriverFixture.instance("db-1", "db"));
        INDEXES.put(RegistryTopology.Scopes.SERVICES, 0, 7);
        StreamsSettings settings = StreamsSettings.defaults(KafkaAccess.to("127.0.0.1:9"), "http://127.0.0.1:9", stateDir, 0);
        RegistryReader registry = new RegistryReader(stores, INDEXES);
        ConsulQueries queries = new ConsulQueries(vertx, CHANGES, registry, stores, "dc1",
                new Watchers(settings.maxWatchers(), 16, 4), new AnswerBudget(vertx, settings.apiLimits()));
        Members members = new Members() {
            @Override
            public JsonObject member(String name, String host, int port) {
                return new JsonObject().put("Name", name).put("Addr", host).put("Port", port);
            }

            @Override
            public Future<JsonArray> members() {
                return Future.succeededFuture(new JsonArray().add(member("n1", "127.0.0.1", 8500)));
            }
        };
        Router router = Router.router(vertx);
        Routes routes = new Routes(router);
        new ConsulReads(queries, registry, stores, members, settings).mount(routes);
        routes.refuseOtherMethods();
        router.route().failureHandler(ctx -> Responses.error(ctx, ctx.failure()));
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theCatalogIsAnsweredFromTheStoresWithTheFoldsIndex() throws Exception {
        HttpResponse<String> services = get("/v1/catalog/services");
        assertEquals(200, services.statusCode(), services.body());
        assertEquals(new JsonObject().put("db", new JsonArray()).put("web", new JsonArray()), new JsonObject(services.body()));
        assertEquals(Long.toString(1 + INDEXES.localSum(RegistryTopology.Scopes.SERVICES)),
                services.headers().firstValue("X-Consul-Index").orElse(""), "1 + the partitions' sum");
        JsonArray web = new JsonArray(get("/v1/catalog/service/web").body());
        assertEquals(List.of("web-1", "web-2"), web.stream().map(e -> ((JsonObject) e).getString("ServiceID")).toList());
        assertEquals(400, get("/v1/health/service/web?passing=maybe").statusCode(), "Go's ParseBool refuses it");
        assertEquals("Invalid wait time", get("/v1/catalog/services?index=8&wait=10").body());
    }

    @Test
    void aBlockingQueryReturnsWhenTheFoldMovesTheIndex() throws Exception {
        long base = Long.parseLong(get("/v1/catalog/services").headers().firstValue("X-Consul-Index").orElseThrow());
        CompletableFuture<HttpResponse<String>> blocked = CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.actualPort() + "/v1/catalog/services?index=" + base + "&wait=30s")).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        assertTrue(!blocked.isDone(), "waits while the index stands");
        INDEXES.put(RegistryTopology.Scopes.SERVICES, 1, 2);
        CHANGES.ring(RegistryTopology.Scopes.SERVICES);
        HttpResponse<String> moved = blocked.get(5, TimeUnit.SECONDS);
        assertEquals(Long.toString(base + 2), moved.headers().firstValue("X-Consul-Index").orElse(""));
    }
}
