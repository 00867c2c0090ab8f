package io.hypermesh.streams.api.consul;

import io.hypermesh.http.GoDuration;
import io.hypermesh.events.CheckDefinition;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Consul 1.x JSON layouts of the bus's registry (field sets of Consul's api/catalog.go,
 * api/health.go and api/agent.go). A node is the one a registration named, or the bus instance
 * that accepted it; its id is derived from its name, so every bus instance shows the same one.
 */
public final class ConsulJson {
    /** Top-level fields a {@code ?filter} may select, per layout. */
    public static final Set<String> NODE_FIELDS = Set.of("ID", "Node", "Address", "Datacenter", "TaggedAddresses", "Meta");
    public static final Set<String> SERVICE_FIELDS = Set.of("Kind", "ID", "Service", "Tags", "Meta", "Port", "Address",
            "TaggedAddresses", "Weights", "EnableTagOverride", "Proxy", "Connect", "PeerName", "Datacenter");
    public static final Set<String> CATALOG_SERVICE_FIELDS = Set.of("ID", "Node", "Address", "Datacenter", "TaggedAddresses",
            "NodeMeta", "ServiceKind", "ServiceID", "ServiceName", "ServiceTags", "ServiceAddress", "ServiceWeights", "ServiceMeta",
            "ServicePort", "ServiceEnableTagOverride", "ServiceProxy", "ServiceConnect");
    public static final Set<String> CHECK_FIELDS = Set.of("Node", "CheckID", "Name", "Status", "Notes", "Output", "ServiceID",
            "ServiceName", "ServiceTags", "Type", "Interval", "Timeout", "ExposedPort", "Definition");
    public static final Set<String> ENTRY_FIELDS = Set.of("Node", "Service", "Checks");

    private ConsulJson() {
    }

    /** Consul's order of a service's instances: by node, then service id. */
    public static final Comparator<ServiceInstance> ORDER = Comparator.comparing(ServiceInstance::getNode)
            .thenComparing(ServiceInstance::getInstanceId);

    public static String nodeId(String node) {
        return UUID.nameUUIDFromBytes(("hypermesh-node:" + node).getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static JsonObject node(ServiceInstance i, String dc) {
        return node(i.getNode(), i.getNodeAddress(), dc, i.getCreateIndex(), i.getModifyIndex());
    }

    public static JsonObject node(String node, String address, String dc, long createIndex, long modifyIndex) {
        return new JsonObject().put("ID", nodeId(node)).put("Node", node).put("Address", address).put("Datacenter", dc)
                .put("TaggedAddresses", taggedAddresses(address)).put("Meta", new JsonObject())
                .put("CreateIndex", createIndex).put("ModifyIndex", modifyIndex);
    }

    private static JsonObject taggedAddresses(String address) {
        return new JsonObject().put("lan", address).put("lan_ipv4", address).put("wan", address).put("wan_ipv4", address);
    }

    /** The Service of a health entry (a NodeService). */
    public static JsonObject service(ServiceInstance i) {
        return new JsonObject().put("ID", i.getInstanceId()).put("Service", i.getServiceName())
                .put("Tags", new JsonArray(new ArrayList<>(i.getTags()))).put("Address", i.getEndpoint().getHost())
                .put("Meta", meta(i.getMetadata())).put("Port", i.getEndpoint().getPort())
                .put("Weights", weights(i)).put("EnableTagOverride", i.getEnableTagOverride())
                .put("Proxy", proxy()).put("Connect", new JsonObject()).put("PeerName", "")
                .put("CreateIndex", i.getCreateIndex()).put("ModifyIndex", i.getModifyIndex());
    }

    /** An entry of /v1/agent/services and /v1/agent/service/:id (an AgentService). */
    public static JsonObject agentService(ServiceInstance i, String dc) {
        return new JsonObject().put("ID", i.getInstanceId()).put("Service", i.getServiceName())
                .put("Tags", new JsonArray(new ArrayList<>(i.getTags()))).put("Meta", meta(i.getMetadata()))
                .put("Port", i.getEndpoint().getPort()).put("Address", i.getEndpoint().getHost())
                .put("Weights", weights(i)).put("EnableTagOverride", i.getEnableTagOverride()).put("Datacenter", dc);
    }

    /** An entry of /v1/catalog/service/:s (a CatalogService). */
    public static JsonObject catalogService(ServiceInstance i, String dc) {
        return new JsonObject().put("ID", nodeId(i.getNode())).put("Node", i.getNode()).put("Address", i.getNodeAddress())
                .put("Datacenter", dc).put("TaggedAddresses", taggedAddresses(i.getNodeAddress())).put("NodeMeta", new JsonObject())
                .put("ServiceKind", "").put("ServiceID", i.getInstanceId()).put("ServiceName", i.getServiceName())
                .put("ServiceAddress", i.getEndpoint().getHost()).put("ServiceTaggedAddresses", new JsonObject())
                .put("ServiceWeights", weights(i)).put("ServiceMeta", meta(i.getMetadata())).put("ServicePort", i.getEndpoint().getPort())
                .put("ServiceSocketPath", "").put("ServiceEnableTagOverride", i.getEnableTagOverride())
                .put("ServiceProxy", proxy()).put("ServiceConnect", new JsonObject())
                .put("ServiceTags", new JsonArray(new ArrayList<>(i.getTags())))
                .put("CreateIndex", i.getCreateIndex()).put("ModifyIndex", i.getModifyIndex());
    }

    /** An entry of /v1/health/service/:s (a ServiceEntry). */
    public static JsonObject entry(ServiceInstance i, String dc) {
        return new JsonObject().put("Node", node(i, dc)).put("Service", service(i)).put("Checks", checks(i));
    }

    public static JsonArray checks(ServiceInstance i) {
        JsonArray out = new JsonArray();
        sortedChecks(i).forEach(c -> out.add(check(c, i)));
        return out;
    }

    public static List<CheckState> sortedChecks(ServiceInstance i) {
        List<CheckState> checks = new ArrayList<>(i.getChecks());
        checks.sort(Comparator.comparing(c -> c.getDefinition().getCheckId()));
        return checks;
    }

    /** A HealthCheck (also the layout of /v1/agent/checks entries). */
    public static JsonObject check(CheckState c, ServiceInstance i) {
        CheckDefinition d = c.getDefinition();
        JsonObject definition = new JsonObject();
        if (d.getHttp() != null) {
            definition.put("HTTP", d.getHttp()).put("Method", d.getMethod() == null ? "" : d.getMethod())
                    .put("TLSSkipVerify", d.getTlsSkipVerify()).put("Header", header(d.getHeader()));
        }
        if (d.getTcp() != null) {
            definition.put("TCP", d.getTcp());
        }
        if (d.getIntervalMs() > 0) {
            definition.put("Interval", GoDuration.format(d.getIntervalMs() * 1_000_000));
        }
        if (d.getTimeoutMs() > 0) {
            definition.put("Timeout", GoDuration.format(d.getTimeoutMs() * 1_000_000));
        }
        if (d.getDeregisterCriticalAfterMs() > 0) {
            definition.put("DeregisterCriticalServiceAfter", GoDuration.format(d.getDeregisterCriticalAfterMs() * 1_000_000));
        }
        return new JsonObject().put("Node", i.getNode()).put("CheckID", d.getCheckId()).put("Name", d.getName())
                .put("Status", c.getStatus()).put("Notes", d.getNotes()).put("Output", c.getOutput())
                .put("ServiceID", i.getInstanceId()).put("ServiceName", i.getServiceName())
                .put("ServiceTags", new JsonArray(new ArrayList<>(i.getTags()))).put("Type", d.getType())
                .put("Interval", d.getIntervalMs() > 0 ? GoDuration.format(d.getIntervalMs() * 1_000_000) : "")
                .put("Timeout", d.getTimeoutMs() > 0 ? GoDuration.format(d.getTimeoutMs() * 1_000_000) : "")
                .put("ExposedPort", 0).put("Definition", definition)
                .put("CreateIndex", c.getCreateIndex()).put("ModifyIndex", c.getModifyIndex());
    }

    /**
     * The node check every Consul agent's node holds, and the one a session is tied to by default:
     * the bus's own node passes it while the bus runs.
     */
    public static JsonObject serfHealth(String node) {
        return new JsonObject().put("Node", node).put("CheckID", "serfHealth").put("Name", "Serf Health Status").put("Status", "passing")
                .put("Notes", "").put("Output", "Agent alive and reachable").put("ServiceID", "").put("ServiceName", "")
                .put("ServiceTags", new JsonArray()).put("Type", "").put("Interval", "").put("Timeout", "").put("ExposedPort", 0)
                .put("Definition", new JsonObject()).put("CreateIndex", 1).put("ModifyIndex", 1);
    }

    /** Consul's aggregate of checks: any critical wins, then any warning; no checks is passing. */
    public static String aggregate(ServiceInstance i) {
        String status = "passing";
        for (CheckState c : i.getChecks()) {
            if (c.getStatus().equals("critical")) {
                return "critical";
            }
            if (c.getStatus().equals("warning")) {
                status = "warning";
            }
        }
        return status;
    }

    private static JsonObject header(Map<String, List<String>> header) {
        JsonObject out = new JsonObject();
        new TreeMap<>(header).forEach((k, v) -> out.put(k, new JsonArray(new ArrayList<>(v))));
        return out;
    }

    private static JsonObject meta(Map<String, String> meta) {
        return new JsonObject(new TreeMap<String, Object>(meta));
    }

    private static JsonObject weights(ServiceInstance i) {
        return new JsonObject().put("Passing", i.getWeightPassing()).put("Warning", i.getWeightWarning());
    }

    private static JsonObject proxy() {
        return new JsonObject().put("Mode", "").put("MeshGateway", new JsonObject()).put("Expose", new JsonObject());
    }
}
