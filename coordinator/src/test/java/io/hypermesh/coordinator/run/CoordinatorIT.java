package io.hypermesh.coordinator.run;

import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.schemas.topics.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import io.hypermesh.adapters.lifecycle.ManagedComponent;
import io.hypermesh.coordinator.cli.Hypermesh;
import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.coordinator.spec.SpecLoader;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.LifecycleState;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.platform.testing.Http;
import io.hypermesh.platform.testing.KafkaIT;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.StreamsSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinator against the real broker, the real lifecycle fold and components that obey
 * commands through the lifecycle library.
 */
@KafkaIT
class CoordinatorIT {
    static EmbeddedKafka kafka;
    static SchemaRegistryService registry;
    static StreamsApp folds;
    final List<ManagedComponent> components = new ArrayList<>();
    /** "start:x" and "stop:x" in the order the components did them. */
    final List<String> actions = Collections.synchronizedList(new ArrayList<>());
    final String prefix = "c" + UUID.randomUUID().toString().substring(0, 6) + "-";
    /** One signing key for every coordinator of the run, as `up` and `coordinate` keep one in the data folder. */
    static final Path KEY = Path.of("target", "coordinator-it-keys", "coordinator.key").toAbsolutePath();

    @BeforeAll
    static void start(EmbeddedKafka broker) throws Exception {
        try (Admin admin = Admin.create(broker.clientConfig())) {
            TopicAdmin.ensure(admin, Topics.ALL);
        }
        kafka = broker;
        registry = SchemaRegistryService.start(kafka.clientConfig(), "127.0.0.1", 0);
        Path state = Files.createTempDirectory(Path.of("target"), "coordinator-folds-");
        folds = StreamsApp.start(StreamsSettings.defaults(kafka.access(), registry.url(), state, 0)
                .withApplicationId("coordinator-it-" + UUID.randomUUID()), new HttpRegistryClient(registry.url()));
        folds.awaitRunning(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        folds.close();
        registry.close();
    }

    @AfterEach
    void closeComponents() {
        components.forEach(ManagedComponent::close);
    }

    /** A component that takes {@code startMs} to start, or fails, or never finishes starting. */
    ManagedComponent component(String name, int phase, long startMs, boolean fails) {
        String id = prefix + name;
        ManagedComponent c = new ManagedComponent(id, ComponentKind.SERVICE, phase, kafka.access(),
                new HttpRegistryClient(registry.url()), new ManagedComponent.Behaviour() {
            @Override
            public void start() throws Exception {
                actions.add("start:" + name);
                Thread.sleep(startMs);
                if (fails) {
                    throw new IllegalStateException(name + " cannot bind its port");
                }
            }

            @Override
            public void stop() {
                actions.add("stop:" + name);
            }
        }, null, Duration.ofSeconds(1));
        components.add(c);
        return c;
    }

    PlatformSpec spec(String yaml) {
        return SpecLoader.parse(yaml.replace("$", prefix), "test.yaml", Map.of());
    }

    Coordinator.Outcome coordinate(PlatformSpec spec) throws Exception {
        return coordinate(spec, ProgressListener.NONE);
    }

    Coordinator.Outcome coordinate(PlatformSpec spec, ProgressListener progress) throws Exception {
        return Coordination.run(spec, kafka.access(), folds.url(), registry.url(),
                prefix + "coordinator", KEY, progress, Duration.ofSeconds(60));
    }

    @Test
    void failureInPhaseFourRollsBackFourToOneInReverseOrder() throws Exception {
        component("net", 1, 100, false);
        component("etcd", 2, 100, false);
        component("runtime", 3, 100, false);
        component("api", 4, 100, true);
        List<String> notifications = Collections.synchronizedList(new ArrayList<>());
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", exchange -> {
            notifications.add(new String(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hook.start();
        Coordinator.Outcome outcome;
        try {
            outcome = coordinate(spec("""
                platform: $p
                components:
                  $net: {phase: 1}
                  $etcd: {phase: 2, requires: [$net]}
                  $runtime: {phase: 3, after: [$etcd]}
                  $api: {phase: 4, requires: [$runtime]}
                """), new WebhookNotifier("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook", "p"));
        } finally {
            hook.stop(0);
        }
        assertEquals(Coordinator.Result.ROLLED_BACK, outcome.result());
        assertTrue(notifications.stream().anyMatch(n -> n.contains("\"phase\":4") && n.contains("\"state\":\"FAILED\"")),
                notifications.toString());
        assertTrue(notifications.stream().anyMatch(n -> n.contains("\"phase\":1") && n.contains("\"state\":\"ROLLED_BACK\"")),
                notifications.toString());
        assertTrue(outcome.reasons().get(0).contains("api cannot bind its port"), outcome.reasons().toString());
        assertEquals(List.of(prefix + "api", prefix + "runtime", prefix + "etcd", prefix + "net"), outcome.rolledBack());
        assertEquals(List.of("start:net", "start:etcd", "start:runtime", "start:api", "stop:api", "stop:runtime", "stop:etcd", "stop:net"),
                actions);
        for (ManagedComponent c : components) {
            assertEquals(LifecycleState.STOPPED, c.state(), c.componentId());
        }
        // Every command and the rollback are in the coordinator's trail, which ends sealed and verifies.
        io.hypermesh.adapters.audit.AuditLog.Report report = new io.hypermesh.adapters.audit.AuditLog(kafka.access(),
                new HttpRegistryClient(registry.url()), io.hypermesh.schemas.topics.Topics.AUDIT.name())
                .verify(io.hypermesh.adapters.audit.AuditKeys.trusted(List.of(io.hypermesh.adapters.audit.AuditKeys.publicFileOf(KEY))),
                        Duration.ZERO, Map.of(), java.util.Set.of(prefix + "coordinator"),
                                io.hypermesh.adapters.audit.AuditLog.Progress.NONE);
        assertTrue(report.intact(), report.breaks().toString());
        io.hypermesh.adapters.audit.AuditLog.Trail trail = report.trails().get(0);
        assertTrue(trail.records() >= 8, "start and stop commands audited: " + trail);
        assertEquals(trail.records(), trail.signedRecords(), "sealed at the end of the run");
    }

    @Test
    void anOptionalFailureLeavesThePlatformDegraded() throws Exception {
        component("core", 1, 50, false);
        component("metrics", 2, 50, true);
        component("dashboard", 3, 50, false);
        component("api", 3, 50, false);
        Coordinator.Outcome outcome = coordinate(spec("""
                platform: $p
                components:
                  $core: {phase: 1}
                  $metrics: {phase: 2, optional: true, after: [$core]}
                  $dashboard: {phase: 3, optional: true, requires: [$metrics]}
                  $api: {phase: 3, after: [$metrics]}
                """));
        assertEquals(Coordinator.Result.DEGRADED, outcome.result());
        assertEquals(2, outcome.reasons().size(), outcome.reasons().toString());
        assertTrue(outcome.reasons().get(1).contains("required dependency '" + prefix + "metrics' is not running"));
        assertEquals(LifecycleState.RUNNING, components.get(3).state(), "ordering-only dependents still start");
        assertEquals(LifecycleState.READY, components.get(2).state(), "a component whose requirement failed is not started");
    }

    @Test
    void aStepThatTakesLongerThanItsTimeoutFailsAndRollsBack() throws Exception {
        component("quick", 1, 50, false);
        component("slow", 2, 10_000, false);
        Coordinator.Outcome outcome = coordinate(spec("""
                platform: $p
                components:
                  $quick: {phase: 1}
                  $slow: {phase: 2, startTimeout: 2s, stopTimeout: 15s}
                """));
        assertEquals(Coordinator.Result.ROLLED_BACK, outcome.result());
        assertTrue(outcome.reasons().get(0).contains("timed out after 2000 ms (still STARTING)"), outcome.reasons().toString());
        assertEquals(List.of(prefix + "slow", prefix + "quick"), outcome.rolledBack());
    }

    @Test
    void aStandbyTakesOverFromAKilledCoordinatorWithoutStartingAnythingTwice() throws Exception {
        StringBuilder yaml = new StringBuilder("platform: $p\ncomponents:\n");
        for (int phase = 1; phase <= 7; phase++) {
            component("p" + phase, phase, 1500, false);
            yaml.append("  $p").append(phase).append(": {phase: ").append(phase)
                    .append(phase > 1 ? ", requires: [$p" + (phase - 1) + "]" : "").append("}\n");
        }
        Path specFile = Files.createTempFile(Path.of("target"), "takeover-", ".yaml");
        Files.writeString(specFile, yaml.toString().replace("$", prefix));

        Process first = coordinatorProcess(specFile, "first");
        Thread.sleep(1500);
        Process standby = coordinatorProcess(specFile, "standby");
        // Kill the active one in the middle of phase 3.
        Http api = new Http(folds.url());
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline
                && !api.get("/v1/hypermesh/lifecycle/component/" + prefix + "p3").body().contains("STARTING")) {
            Thread.sleep(50);
        }
        first.destroyForcibly();
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));

        assertTrue(standby.waitFor(120, TimeUnit.SECONDS), "the standby finished");
        String standbyOut = new String(standby.getInputStream().readAllBytes());
        assertEquals(0, standby.exitValue(), standbyOut);
        assertTrue(standbyOut.contains("coordinator active (epoch"), standbyOut);
        assertTrue(standbyOut.contains(prefix + "p1: RUNNING (already running)"), "adopted, not restarted: " + standbyOut);
        for (ManagedComponent c : components) {
            assertEquals(LifecycleState.RUNNING, c.state(), c.componentId());
            assertEquals(1, c.starts(), c.componentId() + " started exactly once");
        }
        long epochP1 = api.get("/v1/hypermesh/lifecycle/component/" + prefix + "p1").json().get("CoordinatorEpoch").asLong();
        long epochP7 = api.get("/v1/hypermesh/lifecycle/component/" + prefix + "p7").json().get("CoordinatorEpoch").asLong();
        assertTrue(epochP7 > epochP1, "later phases were commanded by the new epoch: " + epochP1 + " -> " + epochP7);
    }

    Process coordinatorProcess(Path spec, String id) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Hypermesh.class.getName(), "coordinate",
                "--spec=" + spec, "--id=" + id, "--bootstrap-servers=" + kafka.bootstrapServers(),
                "--registry-url=" + registry.url(), "--api-url=" + folds.url(), "--data-dir=target/no-such-dir")
                .redirectError(Path.of("target", "coordinator-" + id + "-" + System.nanoTime() + ".log").toFile()).start();
    }

}
