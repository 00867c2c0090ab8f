package io.hypermesh.adapters.container;

import io.hypermesh.adapters.AdapterHost;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.testing.BusForAdapters;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.container.ContainerEvent;
import io.hypermesh.events.container.ContainerStateChanged;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.registry.RegistryEvent;
import io.hypermesh.events.registry.ServiceDeregistered;
import io.hypermesh.events.registry.ServiceHeartbeat;
import io.hypermesh.events.registry.ServiceRegistered;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.schemas.topics.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container adapter over the Docker Engine API on a unix socket: against a recorded Docker
 * event stream (start, health, die, destroy) served on a socket, and against Podman's own
 * Docker-compatible service for what Podman can do on this machine.
 */
@KafkaIT
class ContainerAdapterIT {
    static final String ID = "5f0c6a1e9b7d4c2aa1f3e8d7c6b5a4930f1e2d3c4b5a69788796a5b4c3d2e1f0";

    static String resource(String name) throws IOException {
        try (InputStream in = ContainerAdapterIT.class.getResourceAsStream("/docker/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Serves the recorded events (pausing where the recording says PAUSE) and inspect, as dockerd does on its socket. */
    static HttpServer recordedDocker(Vertx vertx, Path socket) throws Exception {
        String events = resource("events.jsonl");
        String inspect = resource("inspect-running.json");
        return vertx.createHttpServer().requestHandler(req -> {
            HttpServerResponse resp = req.response().putHeader("content-type", "application/json");
            String path = req.path();
            if (path.equals("/v1.41/containers/json")) {
                resp.end("[]");
            } else if (path.equals("/v1.41/containers/" + ID + "/json")) {
                resp.end(inspect);
            } else if (path.equals("/v1.41/events")) {
                resp.setChunked(true);
                String[] parts = events.split("PAUSE\n");
                resp.write(parts[0]);
                vertx.setTimer(1500, t -> resp.write(parts[1]));
            } else {
                resp.setStatusCode(404).end("{\"message\":\"no such path " + path + "\"}");
            }
        }).listen(SocketAddress.domainSocketAddress(socket.toString())).await(10, TimeUnit.SECONDS);
    }

    @Test
    void aRecordedDockerStreamRegistersHeartbeatsAndDeregistersTheLabelledContainer(EmbeddedKafka kafka,
            @TempDir Path dir) throws Exception {
        BusForAdapters bus = new BusForAdapters(kafka);
        AuditedPublisher.Settings settings = bus.settings("containers-it", ComponentKind.CONTAINER_RUNTIME, dir);
        Path socket = dir.resolve("docker.sock");
        Vertx vertx = Vertx.vertx();
        try {
            recordedDocker(vertx, socket);
            try (AdapterHost host = AdapterHost.run(settings, 3, p -> new ContainerAdapter(p,
                    new ContainerAdapter.Settings(socket.toString(), "v1.41",
                    Duration.ofMillis(600), Duration.ofMillis(200))), Duration.ofSeconds(1), true);
                 BusForAdapters.Reader<RegistryEvent> registry = bus.read(Topics.REGISTRY.name(), RegistryEvent.class);
                 BusForAdapters.Reader<ContainerEvent> containers = bus.read(Topics.CONTAINERS.name(), ContainerEvent.class);
                 BusForAdapters.Reader<HealthCheckEvent> checks = bus.read(Topics.HEALTH_CHECKS.name(), HealthCheckEvent.class)) {
                String instance = ContainerAdapter.instanceId(ID);
                ServiceRegistered registered = (ServiceRegistered) registry.await(r -> r.value().getPayload() instanceof ServiceRegistered s
                        && s.getInstanceId().equals(instance) && mine(r.value().getSource().getComponentId(), settings),
                                Duration.ofSeconds(15),
                        "the container registered").value().getPayload();
                assertEquals("web", registered.getServiceName());
                assertEquals("10.88.0.5", registered.getEndpoint().getHost());
                assertEquals(8080, registered.getEndpoint().getPort());
                assertEquals(List.of("v1", "canary"), registered.getTags());
                assertEquals(ID, registered.getMetadata().get("containerId"));
                assertEquals(600, registered.getTtlMs());
                ContainerStateChanged started = (ContainerStateChanged) containers.await(r ->
                        r.value().getPayload() instanceof ContainerStateChanged c
                        && c.getAction().equals("start") && mine(r.value().getSource().getComponentId(), settings),
                                Duration.ofSeconds(10), "the start")
                        .value().getPayload();
                assertEquals("web-1", started.getName());
                assertEquals("running", started.getState());
                assertEquals("registry.local/web:1.4", started.getImage());
                HealthCheckResult healthy = (HealthCheckResult) checks.await(r -> r.key().equals(instance), Duration.ofSeconds(10),
                        "the health status")
                        .value().getPayload();
                assertEquals(CheckStatus.PASSING, healthy.getStatus());
                registry.await(r -> r.value().getPayload() instanceof ServiceHeartbeat h && h.getInstanceId().equals(instance)
                        && mine(r.value().getSource().getComponentId(), settings), Duration.ofSeconds(10), "a heartbeat within the TTL");

                ServiceDeregistered gone = (ServiceDeregistered) registry.await(r -> r.value().getPayload() instanceof ServiceDeregistered d
                        && d.getInstanceId().equals(instance) && mine(r.value().getSource().getComponentId(), settings),
                                Duration.ofSeconds(10),
                        "the container deregistered when it died").value().getPayload();
                assertEquals("container die", gone.getReason());
                ContainerStateChanged died = (ContainerStateChanged) containers.await(r ->
                        r.value().getPayload() instanceof ContainerStateChanged c
                        && c.getAction().equals("die") && mine(r.value().getSource().getComponentId(), settings),
                                Duration.ofSeconds(10), "the die")
                        .value().getPayload();
                assertEquals(137, died.getExitCode());
                containers.await(r -> r.value().getPayload() instanceof ContainerStateChanged c && c.getAction().equals("destroy")
                        && c.getState().equals("removed") && mine(r.value().getSource().getComponentId(), settings),
                                Duration.ofSeconds(10), "the destroy");
                long deregistrations = registry.all(Duration.ofMillis(300)).stream().filter(r ->
                        r.value().getPayload() instanceof ServiceDeregistered d
                        && d.getInstanceId().equals(instance) && mine(r.value().getSource().getComponentId(), settings)).count();
                assertEquals(1, deregistrations, "die then destroy deregisters once");
            }
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    static boolean mine(String componentId, AuditedPublisher.Settings settings) {
        return componentId.equals(settings.adapterId());
    }

    /**
     * Podman's Docker-compatible service: a labelled container created and removed through the API
     * shows up on the bus from Podman's own events stream. Where Podman can also run containers
     * (not inside this machine's container: crun cannot set rlimits or cgroups here), it must be
     * registered and deregistered too.
     */
    @Test
    void podmansDockerApiIsFollowed(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
        Path podman = Path.of("/usr/bin/podman");
        assertTrue(Files.isExecutable(podman), "podman is required (Debian package podman; .ci/run installs it)");
        BusForAdapters bus = new BusForAdapters(kafka);
        AuditedPublisher.Settings settings = bus.settings("podman-it", ComponentKind.CONTAINER_RUNTIME, dir);
        Path socket = dir.resolve("podman.sock");
        List<String> base = List.of(podman.toString(), "--root", dir.resolve("storage").toString(), "--runroot",
                dir.resolve("run").toString(),
                "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file");
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.writeString(rootfs.resolve("placeholder"), "an image needs a file\n");
        run(List.of("tar", "-C", dir.resolve("rootfs").toString(), "-cf", dir.resolve("rootfs.tar").toString(), "."), dir);
        run(concat(base, "import", dir.resolve("rootfs.tar").toString(), "localhost/hypermesh-it:1"), dir);
        Process service = new ProcessBuilder(concat(base, "system", "service", "--time=0", "unix://" + socket))
                .redirectErrorStream(true).redirectOutput(dir.resolve("podman-service.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(socket) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(socket), "podman system service did not open " + socket + ": "
                    + Files.readString(dir.resolve("podman-service.log")));
            try (AdapterHost host = AdapterHost.run(settings, 3, p -> new ContainerAdapter(p,
                    new ContainerAdapter.Settings(socket.toString(), "v1.41",
                    Duration.ofSeconds(3), Duration.ofMillis(200))), Duration.ofSeconds(1), true);
                 BusForAdapters.Reader<ContainerEvent> containers = bus.read(Topics.CONTAINERS.name(), ContainerEvent.class);
                 BusForAdapters.Reader<RegistryEvent> registry = bus.read(Topics.REGISTRY.name(), RegistryEvent.class)) {
                Thread.sleep(500); // the events stream is open before the container exists
                String created = docker(socket, "POST", "/v1.41/containers/create?name=hm-it-web",
                        "{\"Image\":\"localhost/hypermesh-it:1\",\"Cmd\":[\"/bin/placeholder\"],\"Labels\":{\"hypermesh.service\":\"po"
                                + "dman-web\",\"hypermesh.port\":\"9090\"}}");
                String id = new io.vertx.core.json.JsonObject(created).getString("Id");
                ContainerStateChanged create = (ContainerStateChanged) containers.await(r ->
                        r.value().getPayload() instanceof ContainerStateChanged c
                        && c.getContainerId().equals(id) && c.getAction().equals("create"), Duration.ofSeconds(15),
                                "podman's create event").value().getPayload();
                assertEquals("hm-it-web", create.getName());
                assertEquals("podman-web", create.getLabels().get("hypermesh.service"));
                assertEquals("created", create.getState().toLowerCase());

                String start = docker(socket, "POST", "/v1.41/containers/" + id + "/start", "");
                if (start.isEmpty()) {
                    registry.await(r -> r.value().getPayload() instanceof ServiceRegistered s
                            && s.getInstanceId().equals(ContainerAdapter.instanceId(id)),
                            Duration.ofSeconds(15), "the started container registered");
                } else {
                    System.err.println("podman could not start a container on this machine (the registration path is covered by the "
                            + "recorded stream): " + start);
                }
                docker(socket, "DELETE", "/v1.41/containers/" + id + "?force=true", "");
                containers.await(r -> r.value().getPayload() instanceof ContainerStateChanged c && c.getContainerId().equals(id)
                        && (c.getAction().equals("remove") || c.getAction().equals("destroy")) && c.getState().equals("removed"),
                        Duration.ofSeconds(15), "podman's remove event");
            }
        } finally {
            service.destroy();
            service.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A request on the unix socket with curl, which every machine with podman has; returns the body. */
    static String docker(Path socket, String method, String path, String body) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--unix-socket", socket.toString(), "-X", method, "http://d" + path));
        if (!body.isEmpty()) {
            cmd.addAll(List.of("-H", "content-type: application/json", "-d", body));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out.strip();
    }

    static void run(List<String> cmd, Path dir) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, cmd + " failed: " + out);
    }

    static List<String> concat(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }
}
