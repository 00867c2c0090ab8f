package io.hypermesh.streams.api.consul;

import io.hypermesh.http.GoBool;
import io.hypermesh.streams.api.QueryFlags;

import io.hypermesh.streams.api.Routes;

import io.hypermesh.streams.api.ApiException;
import io.hypermesh.streams.api.checks.CheckReports;
import io.hypermesh.streams.api.peer.WriteVisibility;
import org.apache.avro.specific.SpecificRecord;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.events.CheckDefinition;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.registry.CheckDeregistered;
import io.hypermesh.events.registry.CheckRegistered;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceDeregistered;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.schemas.events.Registrations;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.CheckState;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.StreamsSettings;
import io.hypermesh.streams.registry.RegistryTopology;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The agent-writes room: Consul's agent and catalog writes, each one event on
 * {@code hypermesh.registry} keyed by the service id. A write is answered (an empty 200, or
 * {@code true} for the catalog, as Consul answers) once the fold that owns it has applied it, so a
 * read that follows sees it on any instance. Unknown service and check ids are 404, as in Consul.
 */
public final class AgentWrites {
    private static final String MAINTENANCE_NOTES = "Maintenance mode is enabled for this service, but no reason was provided. "
            + "This is a default message.";

    private final BusPublisher writer;
    private final RegistryReader registry;
    private final WriteVisibility visibility;
    private final StreamsSettings settings;
    private final CheckReports reports;

    public AgentWrites(BusPublisher writer, RegistryReader registry, WriteVisibility visibility, StreamsSettings settings) {
        this.reports = new CheckReports(writer, settings.nodeName());
        this.writer = writer;
        this.registry = registry;
        this.visibility = visibility;
        this.settings = settings;
    }

    public void mount(Routes routes) {
        routes.put("/v1/agent/service/register").handler(ctx -> {
            boolean replace = QueryFlags.flag(ctx, "replace-existing-checks");
            ServiceRegistered r = ConsulRequests.agentService(ConsulRequests.jsonBody(ctx), replace, settings.nodeName(),
                    settings.advertisedHost());
            done(ctx, publish(r.getInstanceId(), r, ctx), null);
        });
        routes.put("/v1/agent/service/deregister/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            done(ctx, service(id).compose(i -> publish(id, new ServiceDeregistered(id, ctx.request().getParam("reason")), ctx)), null);
        });
        routes.put("/v1/agent/service/maintenance/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            if (!ctx.request().params().contains("enable")) {
                throw ApiException.badRequest("Missing value for enable");
            }
            String raw = ctx.request().getParam("enable");
            boolean enable;
            try {
                enable = GoBool.parse(raw);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("Invalid value for enable: \"" + raw + "\"");
            }
            String checkId = RegistryTopology.MAINTENANCE_CHECK_PREFIX + id;
            String reason = ctx.request().getParam("reason");
            done(ctx, service(id).compose(i -> {
                if (!enable) {
                    return RegistryReader.holds(i, checkId) ? publish(id, new CheckDeregistered(id, checkId), ctx)
                            : Future.succeededFuture();
                }
                CheckDefinition maintenance = CheckDefinition.newBuilder().setCheckId(checkId).setName("Service Maintenance Mode")
                        .setNotes(reason == null || reason.isEmpty() ? MAINTENANCE_NOTES : reason).setStatus("critical")
                        .setType("maintenance").build();
                return publish(id, new CheckRegistered(id, maintenance), ctx);
            }), null);
        });

        routes.put("/v1/agent/check/register").handler(ctx -> {
            JsonObject body = ConsulRequests.jsonBody(ctx);
            ConsulRequests.Fields f = new ConsulRequests.Fields(body, "");
            String serviceId = f.required("ServiceID",
                    "the bus keeps checks of services only: ServiceID is required (node checks are not supported)");
            CheckDefinition check = ConsulRequests.check(body, "", null, null);
            if (check == null) {
                throw ApiException.badRequest("Must provide TTL or Script/DockerContainerID/HTTP/TCP and Interval");
            }
            done(ctx, registry.instance(serviceId).compose(found -> {
                if (found.isEmpty()) {
                    return Future.failedFuture(ApiException.badRequest("ServiceID \"" + serviceId + "\" does not exist"));
                }
                return unclaimed(check.getCheckId(), serviceId).compose(ok -> publish(serviceId, new CheckRegistered(serviceId, check),
                        ctx));
            }), null);
        });
        routes.put("/v1/agent/check/deregister/:id").handler(ctx -> {
            String checkId = ctx.pathParam("id");
            done(ctx, holder(checkId).compose(i -> publish(i.getInstanceId(), new CheckDeregistered(i.getInstanceId(), checkId), ctx)),
                    null);
        });
        for (String verdict : List.of("pass", "warn", "fail")) {
            String status = switch (verdict) {
                case "pass" -> "passing";
                case "warn" -> "warning";
                default -> "critical";
            };
            routes.put("/v1/agent/check/" + verdict + "/:id").handler(ctx ->
                    done(ctx, report(ctx, ctx.pathParam("id"), status, ctx.request().getParam("note", "")), null));
        }
        routes.put("/v1/agent/check/update/:id").handler(ctx -> {
            ConsulRequests.Fields f = new ConsulRequests.Fields(ConsulRequests.jsonBody(ctx), "");
            String status = f.string("Status", "");
            if (!Registrations.STATUSES.contains(status)) {
                throw ApiException.badRequest("Invalid check status: '" + status + "'");
            }
            done(ctx, report(ctx, ctx.pathParam("id"), status, f.string("Output", "")), null);
        });

        routes.put("/v1/catalog/register").handler(ctx -> done(ctx, catalogRegister(ctx, ConsulRequests.jsonBody(ctx)), "true"));
        routes.put("/v1/catalog/deregister").handler(ctx -> done(ctx, catalogDeregister(ctx, ConsulRequests.jsonBody(ctx)), "true"));

        // Ours, outside Consul's paths: renew the heartbeat lease of a natively registered instance.
        routes.put("/v1/hypermesh/agent/service/heartbeat/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            done(ctx, service(id).compose(i -> publish(id, new ServiceHeartbeat(id, null), ctx)), null);
        });
    }

    /** A TTL verdict: only a TTL check takes one, as in Consul; it also feeds the health score (latencyMs, ours). */
    private Future<Void> report(RoutingContext ctx, String checkId, String status, String output) {
        double latency;
        try {
            latency = Double.parseDouble(ctx.request().getParam("latencyMs", "0"));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("latencyMs must be a number");
        }
        if (!(latency >= 0) || !Double.isFinite(latency)) {
            throw ApiException.badRequest("latencyMs must be a finite number >= 0");
        }
        return holder(checkId).compose(i -> {
            CheckState check = i.getChecks().stream().filter(c -> c.getDefinition().getCheckId().equals(checkId)).findFirst().orElseThrow();
            if (!check.getDefinition().getType().equals("ttl")) {
                return Future.failedFuture(new ApiException(500, "CheckID \"" + checkId + "\" does not have associated TTL"));
            }
            return reports.report(i, checkId, status, output, latency, ctx.request().getHeader("traceparent")).compose(visibility::visible);
        });
    }

    private Future<Void> catalogRegister(RoutingContext ctx, JsonObject body) {
        ConsulRequests.Fields f = new ConsulRequests.Fields(body, "");
        String node = f.required("Node", "Must provide node");
        String address = f.required("Address", "Must provide address if SkipNodeUpdate is not set");
        JsonObject service = f.object("Service");
        if (service == null) {
            throw ApiException.badRequest("the bus keeps nodes only as the home of services: Service is required");
        }
        ConsulRequests.Fields s = new ConsulRequests.Fields(service, "Service.");
        String name = s.required("Service", "Must provide service name");
        String id = s.string("ID", name);
        List<CheckDefinition> checks = new ArrayList<>();
        JsonObject check = f.object("Check");
        if (check != null) {
            checks.add(ConsulRequests.catalogCheck(check, "Check", null));
        }
        JsonArray many = f.array("Checks");
        if (many != null) {
            for (int k = 0; k < many.size(); k++) {
                if (!(many.getValue(k) instanceof JsonObject o)) {
                    throw ApiException.badRequest("Request decode failed: Checks[" + k + "] must be an object");
                }
                checks.add(ConsulRequests.catalogCheck(o, "Checks[" + k + "]", null));
            }
        }
        JsonObject weights = s.object("Weights");
        ConsulRequests.Fields w = weights == null ? null : new ConsulRequests.Fields(weights, "Service.Weights.");
        ServiceRegistered r = ServiceRegistered.newBuilder().setInstanceId(id).setServiceName(name)
                .setEndpoint(new Endpoint(s.string("Address", ""), s.integer("Port", 0), "tcp")).setTags(s.strings("Tags"))
                .setWeights(w == null ? new Weights(1, 1) : new Weights(w.integer("Passing", 1), w.integer("Warning", 1)))
                .setMetadata(s.stringMap("Meta")).setTtlMs(0).setNode(node).setNodeAddress(address)
                .setEnableTagOverride(s.bool("EnableTagOverride", false)).setChecks(checks).setReplaceExistingChecks(false).build();
        String problem = Registrations.problem(r);
        if (problem != null) {
            throw ApiException.badRequest(problem);
        }
        return publish(id, r, ctx);
    }

    private Future<Void> catalogDeregister(RoutingContext ctx, JsonObject body) {
        ConsulRequests.Fields f = new ConsulRequests.Fields(body, "");
        String node = f.required("Node", "Must provide node");
        String serviceId = f.string("ServiceID", "");
        String checkId = f.string("CheckID", "");
        if (!checkId.isEmpty()) {
            return holder(checkId).compose(i -> i.getNode().equals(node)
                    ? publish(i.getInstanceId(), new CheckDeregistered(i.getInstanceId(), checkId), ctx) : Future.succeededFuture());
        }
        if (!serviceId.isEmpty()) {
            return registry.instance(serviceId).compose(found -> found.filter(i -> i.getNode().equals(node)).isPresent()
                    ? publish(serviceId, new ServiceDeregistered(serviceId, "catalog deregister"), ctx) : Future.succeededFuture());
        }
        // The whole node: every service on it.
        return registry.all().compose(all -> {
            List<Future<Void>> each = new ArrayList<>();
            for (ServiceInstance i : all) {
                if (i.getNode().equals(node)) {
                    each.add(publish(i.getInstanceId(), new ServiceDeregistered(i.getInstanceId(), "node " + node + " deregistered"), ctx));
                }
            }
            return Future.all(each).mapEmpty();
        });
    }

    private Future<ServiceInstance> service(String id) {
        return registry.instance(id).compose(found -> found.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(
                ApiException.notFound("Unknown service ID \"" + id + "\". Ensure that the service ID is passed, not the service name."))));
    }

    private Future<ServiceInstance> holder(String checkId) {
        return registry.holderOfCheck(checkId).compose(found -> found.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(
                ApiException.notFound("Unknown check ID \"" + checkId + "\". Ensure that the check ID is passed, not the check name."))));
    }

    /** Check ids are unique across the bus: one held by another service is refused rather than moved. */
    private Future<Void> unclaimed(String checkId, String serviceId) {
        return registry.holderOfCheck(checkId).compose(found -> {
            Optional<ServiceInstance> other = found.filter(i -> !i.getInstanceId().equals(serviceId));
            return other.isEmpty() ? Future.succeededFuture() : Future.failedFuture(ApiException.badRequest(
                    "check ID \"" + checkId + "\" already belongs to service \"" + other.get().getInstanceId() + "\""));
        });
    }

    /** Publishes one registry event and completes once it is visible. */
    private Future<Void> publish(String instanceId, SpecificRecord payload, RoutingContext ctx) {
        RegistryEvent event = Envelopes.wrap(Topics.REGISTRY, UUID.randomUUID().toString(),
                new EventSource(settings.nodeName(), ComponentKind.STREAMS), Instant.now(), ctx.request().getHeader("traceparent"),
                        payload);
        return Future.fromCompletionStage(writer.publish(Topics.REGISTRY, instanceId, event)).compose(visibility::visible);
    }

    private static void done(RoutingContext ctx, Future<?> write, String body) {
        write.onSuccess(ignored -> {
            if (!ctx.response().ended()) {
                if (body == null) {
                    ctx.response().setStatusCode(200).end();
                } else {
                    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(body);
                }
            }
        }).onFailure(ctx::fail);
    }
}
