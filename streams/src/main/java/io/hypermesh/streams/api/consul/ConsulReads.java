package io.hypermesh.streams.api.consul;

import io.hypermesh.streams.api.stores.FoldStores;

import io.hypermesh.streams.api.QueryFlags;
import io.hypermesh.streams.api.Responses;

import io.hypermesh.streams.api.Routes;

import io.hypermesh.streams.api.ApiException;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.StreamsSettings;
import io.hypermesh.streams.registry.RegistryTopology.Scopes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.streams.state.HostInfo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The reads room: Consul's catalog, health, agent and status reads over the registry fold, in
 * Consul's layouts ({@link ConsulJson}), each with its index scope so blocking queries wake only
 * for changes of what they show.
 */
public final class ConsulReads {
    private static final List<String> STATES = List.of("passing", "warning", "critical", "any");

    private final ConsulQueries queries;
    private final RegistryReader registry;
    private final FoldStores stores;
    private final Members peers;
    private final StreamsSettings settings;

    public ConsulReads(ConsulQueries queries, RegistryReader registry, FoldStores stores, Members peers, StreamsSettings settings) {
        this.queries = queries;
        this.registry = registry;
        this.stores = stores;
        this.peers = peers;
        this.settings = settings;
    }

    public void mount(Routes routes) {
        String dc = queries.datacenter();
        routes.get("/v1/catalog/datacenters").handler(ctx -> queries.serveUnindexed(ctx, () ->
                Future.succeededFuture(new JsonArray().add(dc))));
        routes.get("/v1/catalog/services").handler(ctx -> {
            ConsulFilter filter = ConsulQueries.filter(ctx, ConsulJson.CATALOG_SERVICE_FIELDS);
            queries.serve(ctx, Scopes.SERVICES, () -> queries.rendered(registry.all(), all -> {
                Map<String, TreeSet<String>> tags = new TreeMap<>();
                for (ServiceInstance i : all) {
                    if (filter == null || filter.test(ConsulJson.catalogService(i, dc))) {
                        tags.computeIfAbsent(i.getServiceName(), s -> new TreeSet<>()).addAll(i.getTags());
                    }
                }
                JsonObject out = new JsonObject();
                tags.forEach((service, t) -> out.put(service, new JsonArray(new ArrayList<>(t))));
                return out;
            }));
        });
        routes.get("/v1/catalog/service/:service").handler(ctx -> {
            ConsulFilter filter = ConsulQueries.filter(ctx, ConsulJson.CATALOG_SERVICE_FIELDS);
            String service = ctx.pathParam("service");
            queries.serve(ctx, Scopes.service(service), () -> queries.rendered(registry.service(service), instances ->
                    list(tagged(ctx, instances), i -> ConsulJson.catalogService(i, dc), filter)));
        });
        routes.get("/v1/catalog/nodes").handler(ctx -> {
            ConsulFilter filter = ConsulQueries.filter(ctx, ConsulJson.NODE_FIELDS);
            queries.serve(ctx, Scopes.NODES, () -> queries.rendered(registry.all(), all -> {
                JsonArray out = new JsonArray();
                nodes(all).values().forEach(node -> {
                    if (filter == null || filter.test(node)) {
                        out.add(node);
                    }
                });
                return out;
            }));
        });
        routes.get("/v1/catalog/node/:node").handler(ctx -> {
            ConsulFilter filter = ConsulQueries.filter(ctx, ConsulJson.SERVICE_FIELDS);
            String node = ctx.pathParam("node");
            queries.serve(ctx, Scopes.node(node), () -> queries.rendered(onNode(node), instances -> {
                if (instances.isEmpty()) {
                    return null; // Consul's answer for a node it does not know
                }
                JsonObject services = new JsonObject();
                instances.forEach(i -> {
                    JsonObject s = ConsulJson.service(i);
                    if (filter == null || filter.test(s)) {
                        services.put(i.getInstanceId(), s);
                    }
                });
                return new JsonObject().put("Node", nodes(instances).get(node)).put("Services", services);
            }));
        });

        routes.get("/v1/health/service/:service").handler(ctx -> {
            ConsulFilter filter = ConsulQueries.filter(ctx, ConsulJson.ENTRY_FIELDS);
            boolean passing = QueryFlags.flag(ctx, "passing");
            String service = ctx.pathParam("service");
            queries.serve(ctx, Scopes.service(service), () -> queries.rendered(registry.service(service), instances -> {
                List<ServiceInstance> shown = new ArrayList<>();
                for (ServiceInstance i : tagged(ctx, instances)) {
                    if (!passing || i.getChecks().stream().allMatch(c -> c.getStatus().equals("passing"))) {
                        shown.add(i);
                    }
                }
                return list(shown, i -> ConsulJson.entry(i, dc), filter);
            }));
        });
        routes.get("/v1/health/checks/:service").handler(ctx -> {
            ConsulFilter filter = ConsulQueries.filter(ctx, ConsulJson.CHECK_FIELDS);
            String service = ctx.pathParam("service");
            queries.serve(ctx, Scopes.service(service), () -> queries.rendered(registry.service(service), instances -> checks(instances,
                    filter, s -> true)));
        });
        routes.get("/v1/health/node/:node").handler(ctx -> {
            ConsulFilter filter = ConsulQueries.filter(ctx, ConsulJson.CHECK_FIELDS);
            String node = ctx.pathParam("node");
            queries.serve(ctx, Scopes.node(node), () -> queries.rendered(onNode(node), instances -> {
                JsonArray checks = checks(instances, filter, s -> true);
                JsonObject serf = ConsulJson.serfHealth(node);
                if (node.equals(settings.nodeName()) && (filter == null || filter.test(serf))) {
                    checks.add(0, serf);
                }
                return checks;
            }));
        });
        routes.get("/v1/health/state/:state").handler(ctx -> {
            String state = ctx.pathParam("state");
            if (!STATES.contains(state)) {
                throw ApiException.badRequest("Invalid state: " + state + " (passing, warning, critical or any)");
            }
            ConsulFilter filter = ConsulQueries.filter(ctx, ConsulJson.CHECK_FIELDS);
            queries.serve(ctx, Scopes.ANY, () -> queries.rendered(registry.all(), all -> checks(all, filter, s -> state.equals("any")
                    || s.equals(state))));
        });

        routes.get("/v1/agent/self").handler(ctx -> queries.serveUnindexed(ctx, () -> Future.succeededFuture(self())));
        routes.get("/v1/agent/members").handler(ctx -> queries.serveUnindexed(ctx, () -> peers.members().map(m -> (Object) m)));
        routes.get("/v1/agent/services").handler(ctx -> {
            ConsulFilter filter = ConsulQueries.filter(ctx, ConsulJson.SERVICE_FIELDS);
            queries.serve(ctx, Scopes.node(settings.nodeName()), () -> queries.rendered(onNode(settings.nodeName()), instances -> {
                JsonObject out = new JsonObject();
                instances.forEach(i -> {
                    JsonObject s = ConsulJson.agentService(i, dc);
                    if (filter == null || filter.test(s)) {
                        out.put(i.getInstanceId(), s);
                    }
                });
                return out;
            }));
        });
        routes.get("/v1/agent/service/:id").handler(ctx -> queries.serve(ctx, Scopes.node(settings.nodeName()), () ->
                registry.instance(ctx.pathParam("id")).map(found -> {
                    ServiceInstance i = found.filter(s -> s.getNode().equals(settings.nodeName())).orElseThrow(() ->
                            ApiException.notFound("unknown service ID: " + ctx.pathParam("id")));
                    JsonObject s = ConsulJson.agentService(i, dc);
                    return s.put("ContentHash", contentHash(s));
                })));
        routes.get("/v1/agent/checks").handler(ctx -> {
            ConsulFilter filter = ConsulQueries.filter(ctx, ConsulJson.CHECK_FIELDS);
            queries.serve(ctx, Scopes.node(settings.nodeName()), () -> queries.rendered(onNode(settings.nodeName()), instances -> {
                JsonObject out = new JsonObject();
                for (ServiceInstance i : instances) {
                    for (CheckState c : ConsulJson.sortedChecks(i)) {
                        JsonObject check = ConsulJson.check(c, i);
                        if (filter == null || filter.test(check)) {
                            out.put(c.getDefinition().getCheckId(), check);
                        }
                    }
                }
                return out;
            }));
        });

        routes.get("/v1/status/leader").handler(ctx -> queries.serveUnindexed(ctx, () -> Future.succeededFuture(
                servers().isEmpty() ? "" : servers().get(0))));
        routes.get("/v1/status/peers").handler(ctx -> queries.serveUnindexed(ctx, () ->
                Future.succeededFuture(new JsonArray(new ArrayList<>(servers())))));
    }

    /** ?tag, repeatable: an instance shows only if it has every tag asked for. */
    private static List<ServiceInstance> tagged(RoutingContext ctx, List<ServiceInstance> instances) {
        List<String> tags = ctx.queryParam("tag");
        List<ServiceInstance> out = new ArrayList<>();
        for (ServiceInstance i : instances) {
            if (i.getTags().containsAll(tags)) {
                out.add(i);
            }
        }
        out.sort(ConsulJson.ORDER);
        return out;
    }

    private static JsonArray list(List<ServiceInstance> instances, java.util.function.Function<ServiceInstance, JsonObject> layout,
                                  ConsulFilter filter) {
        JsonArray out = new JsonArray();
        for (ServiceInstance i : instances) {
            JsonObject json = layout.apply(i);
            if (filter == null || filter.test(json)) {
                out.add(json);
            }
        }
        return out;
    }

    private static JsonArray checks(List<ServiceInstance> instances, ConsulFilter filter, Predicate<String> status) {
        List<ServiceInstance> sorted = new ArrayList<>(instances);
        sorted.sort(ConsulJson.ORDER);
        JsonArray out = new JsonArray();
        for (ServiceInstance i : sorted) {
            for (CheckState c : ConsulJson.sortedChecks(i)) {
                JsonObject check = ConsulJson.check(c, i);
                if (status.test(c.getStatus()) && (filter == null || filter.test(check))) {
                    out.add(check);
                }
            }
        }
        return out;
    }

    private Future<List<ServiceInstance>> onNode(String node) {
        return registry.all().map(all -> {
            List<ServiceInstance> out = new ArrayList<>();
            all.forEach(i -> {
                if (i.getNode().equals(node)) {
                    out.add(i);
                }
            });
            out.sort(ConsulJson.ORDER);
            return out;
        });
    }

    /**
     * Each node of some instance, by name. A node is not kept apart from its services: it was
     * created with its oldest instance, and it changes only when its instances come and go (which
     * moves the index of the node list too).
     */
    private Map<String, JsonObject> nodes(List<ServiceInstance> instances) {
        Map<String, JsonObject> nodes = new TreeMap<>();
        for (ServiceInstance i : instances) {
            JsonObject seen = nodes.get(i.getNode());
            long created = seen == null ? i.getCreateIndex() : Math.min(seen.getLong("CreateIndex"), i.getCreateIndex());
            nodes.put(i.getNode(), ConsulJson.node(i.getNode(), seen == null ? i.getNodeAddress() : seen.getString("Address"),
                    queries.datacenter(), created, created));
        }
        return nodes;
    }

    private JsonObject self() {
        String node = settings.nodeName();
        return new JsonObject()
                .put("Config", new JsonObject().put("Datacenter", queries.datacenter()).put("PrimaryDatacenter", queries.datacenter())
                        .put("NodeName", node).put("NodeID", ConsulJson.nodeId(node)).put("Revision", "hypermesh")
                        .put("Server", true).put("Version", Responses.CONSUL_VERSION).put("BuildDate", "1970-01-01T00:00:00Z"))
                .put("Member", peers.member(node, settings.advertisedHost(), stores.self().port()))
                .put("Meta", new JsonObject())
                .put("DebugConfig", new JsonObject().put("Datacenter", queries.datacenter()).put("NodeName", node));
    }

    /** The API addresses of every instance of the folds, in order: the first answers as leader. */
    private List<String> servers() {
        TreeSet<String> out = new TreeSet<>();
        for (HostInfo instance : stores.instances()) {
            out.add(instance.host() + ":" + instance.port());
        }
        if (out.isEmpty()) {
            out.add(settings.advertisedHost() + ":" + stores.self().port());
        }
        return new ArrayList<>(out);
    }

    private static String contentHash(JsonObject service) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(service.encode().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
