package io.hypermesh.adapters.container;

import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.adapters.Adapter;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.lifecycle.ManagedComponent;
import io.hypermesh.events.Endpoint;
import io.hypermesh.events.container.ContainerStateChanged;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.registry.ServiceDeregistered;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.schemas.events.Registrations;
import io.hypermesh.events.registry.Weights;
import io.hypermesh.schemas.topics.Topics;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.parsetools.RecordParser;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The container runtime adapter: follows the Docker Engine API (which Docker and Podman both serve
 * on a unix socket) through its events stream and inspect, and registers every container that
 * carries the service label as a service instance while it runs: registered on start (address and
 * port from inspect or labels), heartbeated within its TTL, deregistered when it dies, stops or is
 * removed; health_status events become health checks. Every container event is published as a
 * state change. After the stream breaks it reconnects from the last event time and re-lists.
 */
public final class ContainerAdapter extends Adapter {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerAdapter.class);
    public static final String SERVICE_LABEL = "hypermesh.service";
    public static final String PORT_LABEL = "hypermesh.port";
    public static final String TAGS_LABEL = "hypermesh.tags";
    public static final String ADDRESS_LABEL = "hypermesh.address";
    private static final List<String> GONE = List.of("die", "stop", "kill", "destroy", "remove", "oom");

    public record Settings(String socketPath, String apiVersion, Duration ttl, Duration reconnectBackoff) {
    }

    private record Running(String instanceId, String serviceName) {
    }

    private final Settings settings;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private HttpClient http;
    private long heartbeatTimer = -1;
    private long lastEventSeconds;
    private boolean stopped;
    private Future<Void> order = Future.succeededFuture();
    private volatile String problem = "not connected yet";

    public ContainerAdapter(AuditedPublisher bus, Settings settings) {
        super(bus);
        this.settings = settings;
    }

    @Override
    public Future<?> start() {
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
        long beat = Math.max(100, settings.ttl().toMillis() / 3);
        heartbeatTimer = vertx.setPeriodic(beat, id -> heartbeats());
        lastEventSeconds = Instant.now().getEpochSecond();
        // The first listing must work: a wrong socket path is a start failure, not a silent adapter.
        return sync().onSuccess(v -> follow());
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        vertx.cancelTimer(heartbeatTimer);
        return http.close();
    }

    @Override
    public ManagedComponent.Check health() {
        String p = problem;
        return p == null ? new ManagedComponent.Check(CheckStatus.PASSING, 0, "following " + settings.socketPath() + "; "
                + running.size() + " labelled containers running")
                : new ManagedComponent.Check(CheckStatus.CRITICAL, 0, p);
    }

    private RequestOptions request(HttpMethod method, String path) {
        return new RequestOptions().setMethod(method).setServer(SocketAddress.domainSocketAddress(settings.socketPath()))
                .setHost("localhost").setURI("/" + settings.apiVersion() + path);
    }

    /** Only container events; the label is checked here, since Podman's filter does not match a label by key alone. */
    private static final String CONTAINER_EVENTS = URLEncoder.encode("{\"type\":[\"container\"]}", StandardCharsets.UTF_8);

    private Future<JsonObject> getObject(String path) {
        return get(path).map(Buffer::toJsonObject);
    }

    private Future<Buffer> get(String path) {
        return http.request(request(HttpMethod.GET, path)).compose(req -> req.send()).compose(resp -> resp.statusCode() == 200 ? resp.body()
                : resp.body().compose(b -> Future.failedFuture("GET " + path + " answered " + resp.statusCode() + ": " + b)));
    }

    /** Registers running labelled containers the adapter does not know of yet (after a start or a reconnect). */
    private Future<Void> sync() {
        return get("/containers/json").compose(body -> {
            JsonArray list = body.toJsonArray();
            List<Future<Void>> registered = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                String id = list.getJsonObject(i).getString("Id");
                JsonObject labels = list.getJsonObject(i).getJsonObject("Labels");
                if (labels != null && labels.containsKey(SERVICE_LABEL) && !running.containsKey(id)) {
                    registered.add(inspect(id).compose(c -> {
                        if (c.getJsonObject("State", new JsonObject()).getBoolean("Running", false)) {
                            publishState(id, c, "running", "running");
                            return register(id, c);
                        }
                        return Future.succeededFuture();
                    }));
                }
            }
            return Future.all(registered).<Void>mapEmpty();
        }).onSuccess(v -> problem = null).onFailure(e -> problem = "cannot list containers on " + settings.socketPath() + ": "
                + e.getMessage());
    }

    private Future<JsonObject> inspect(String id) {
        return getObject("/containers/" + id + "/json");
    }

    /** Follows the events stream; when it ends or fails, reconnects after a pause from where it was. */
    private void follow() {
        if (stopped) {
            return;
        }
        String path = "/events?since=" + lastEventSeconds + "&filters=" + CONTAINER_EVENTS;
        http.request(request(HttpMethod.GET, path)).compose(req -> req.send()).onComplete(ar -> {
            if (ar.failed() || ar.result().statusCode() != 200) {
                problem = "events stream on " + settings.socketPath() + ": " + (ar.failed() ? ar.cause().getMessage() : "status "
                        + ar.result().statusCode());
                reconnectLater();
                return;
            }
            problem = null;
            HttpClientResponse response = ar.result();
            RecordParser lines = RecordParser.newDelimited("\n", line -> {
                if (line.length() > 0) {
                    onEvent(line.toString(StandardCharsets.UTF_8));
                }
            });
            response.handler(lines);
            response.exceptionHandler(e -> LOG.warn("{}: events stream failed: {}", adapterId(), e.getMessage()));
            response.endHandler(v -> {
                problem = "events stream ended; reconnecting";
                reconnectLater();
            });
        });
    }

    private void reconnectLater() {
        if (!stopped) {
            vertx.setTimer(settings.reconnectBackoff().toMillis(), id -> sync().onComplete(ignored -> follow()));
        }
    }

    private void onEvent(String text) {
        JsonObject event;
        try {
            event = new JsonObject(text);
        } catch (RuntimeException e) {
            LOG.warn("{}: skipped an events-stream line that is not JSON: {}", adapterId(), e.getMessage());
            return;
        }
        lastEventSeconds = Math.max(lastEventSeconds, event.getLong("time", lastEventSeconds));
        // One container's events are handled in the order they came, inspect calls included.
        order = order.transform(ignored -> handle(event)).recover(e -> {
            LOG.warn("{}: container event not handled: {}", adapterId(), e.getMessage());
            return Future.succeededFuture();
        });
    }

    private Future<Void> handle(JsonObject event) {
        JsonObject actor = event.getJsonObject("Actor", new JsonObject());
        String id = actor.getString("ID", event.getString("id"));
        String action = event.getString("Action", event.getString("status", ""));
        if (id == null || !"container".equals(event.getString("Type", "container"))) {
            return Future.succeededFuture();
        }
        JsonObject attributes = actor.getJsonObject("Attributes", new JsonObject());
        if (!attributes.containsKey(SERVICE_LABEL)) {
            return Future.succeededFuture(); // not a container this adapter is asked to follow
        }
        if (GONE.stream().anyMatch(action::startsWith)) {
            publishState(id, EngineJson.containerFromAttributes(attributes), action, action.startsWith("destroy")
                    || action.startsWith("remove")
                    ? "removed" : "exited");
            return deregister(id, action);
        }
        return inspect(id).recover(e -> Future.succeededFuture(EngineJson.containerFromAttributes(attributes))).compose(c -> {
            String state = c.getJsonObject("State", new JsonObject()).getString("Status", action);
            publishState(id, c, action, state);
            if (action.equals("start") || action.equals("unpause") || action.equals("restart")) {
                return register(id, c);
            }
            if (action.startsWith("health_status")) {
                String status = action.substring(action.indexOf(':') + 1).trim();
                return health(id, c, status);
            }
            if (action.equals("pause")) {
                return deregister(id, action);
            }
            return Future.succeededFuture();
        });
    }

    private void publishState(String id, JsonObject c, String action, String state) {
        Integer exit = c.getJsonObject("State", new JsonObject()).getInteger("ExitCode");
        boolean exited = action.startsWith("die") || action.startsWith("stop") || action.startsWith("kill") || action.startsWith("oom");
        ContainerStateChanged change = new ContainerStateChanged(id, EngineJson.name(c), c.getJsonObject("Config",
                new JsonObject()).getString("Image", ""),
                action, state, exited ? exit : null, EngineJson.labels(c));
        Map<String, String> details = new HashMap<>();
        details.put("state", state);
        details.put("name", change.getName());
        emit(Topics.CONTAINERS, id, change, "container." + action.split(":")[0].trim(), id, details);
    }

    static String instanceId(String containerId) {
        return "container-" + containerId.substring(0, Math.min(12, containerId.length()));
    }

    private Future<Void> register(String id, JsonObject c) {
        Map<String, String> labels = EngineJson.labels(c);
        String service = labels.get(SERVICE_LABEL);
        if (service == null || service.isBlank()) {
            return Future.succeededFuture();
        }
        String address = labels.getOrDefault(ADDRESS_LABEL, c.getJsonObject("NetworkSettings", new JsonObject()).getString("IPAddress",
                ""));
        if (address == null || address.isBlank()) {
            address = "127.0.0.1"; // host networking (or rootless Podman): reachable on the host's loopback
        }
        int port;
        try {
            port = labels.containsKey(PORT_LABEL) ? Integer.parseInt(labels.get(PORT_LABEL)) : EngineJson.firstExposedPort(c);
        } catch (NumberFormatException e) {
            LOG.warn("{}: container {} has a {} label that is not a port: {}", adapterId(), id, PORT_LABEL, labels.get(PORT_LABEL));
            return Future.succeededFuture();
        }
        List<String> tags = labels.containsKey(TAGS_LABEL) ? Arrays.stream(labels.get(TAGS_LABEL).split(",")).map(String::trim)
                .filter(t -> !t.isEmpty()).toList() : List.of();
        Map<String, String> metadata = new HashMap<>();
        metadata.put("containerId", id);
        metadata.put("containerName", EngineJson.name(c));
        metadata.put("image", c.getJsonObject("Config", new JsonObject()).getString("Image", ""));
        String instance = instanceId(id);
        running.put(id, new Running(instance, service));
        ServiceRegistered registered = ServiceRegistered.newBuilder().setInstanceId(instance).setServiceName(service)
                .setEndpoint(new Endpoint(address, port, "tcp")).setTags(tags).setWeights(new Weights(1, 1)).setMetadata(metadata)
                .setTtlMs(settings.ttl().toMillis()).build();
        String problem = Registrations.problem(registered);
        if (problem != null) {
            LOG.warn("{}: container {} is not registered: {}", adapterId(), id, problem);
            return Future.succeededFuture();
        }
        return registry(instance, registered, "service.register", Map.of("service", service, "address", address + ":" + port));
    }

    private Future<Void> deregister(String id, String why) {
        Running r = running.remove(id);
        if (r == null) {
            return Future.succeededFuture();
        }
        return registry(r.instanceId(), new ServiceDeregistered(r.instanceId(), "container " + why), "service.deregister",
                Map.of("service", r.serviceName()));
    }

    private Future<Void> health(String id, JsonObject c, String status) {
        Running r = running.get(id);
        String component = r != null ? r.instanceId() : instanceId(id);
        CheckStatus check = switch (status) {
            case "healthy" -> CheckStatus.PASSING;
            case "starting" -> CheckStatus.WARNING;
            default -> CheckStatus.CRITICAL;
        };
        return emit(Topics.HEALTH_CHECKS, component, new HealthCheckResult(component, component + ":container-health", check, 0.0,
                "container health " + status), "container.health", id, Map.of("status", status));
    }

    private void heartbeats() {
        running.values().forEach(r -> registry(r.instanceId(), new ServiceHeartbeat(r.instanceId(), r.serviceName()), "service.heartbeat",
                Map.of("service", r.serviceName())));
    }

    private Future<Void> registry(String instanceId, SpecificRecord payload, String action, Map<String, String> details) {
        return emit(Topics.REGISTRY, instanceId, payload, action, instanceId, details);
    }

    private Future<Void> emit(TopicSpec<?> topic, String key, SpecificRecord payload, String action, String target, Map<String,
            String> details) {
        return Future.fromCompletionStage(publish(topic, key, payload,
                AuditedPublisher.Action.observed("docker:" + settings.socketPath(), action, target, details)), vertx.getOrCreateContext());
    }
}
