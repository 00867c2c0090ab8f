package io.hypermesh.coordinator.bus;

import io.hypermesh.adapters.lifecycle.ManagedComponent;
import io.hypermesh.coordinator.run.ConsoleProgress;
import io.hypermesh.coordinator.run.Coordinator;
import io.hypermesh.coordinator.run.Coordination;
import io.hypermesh.coordinator.run.CoordinatorLease;
import io.hypermesh.coordinator.spec.ComponentSpec;
import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.coordinator.spec.SpecLoader;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.schemas.kafka.KafkaAccess;
import org.apache.kafka.clients.admin.Admin;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The bundled development platform: the bus's own parts, each a managed component whose start
 * checks the real service (the broker answers, the registry serves the schemas, the topics exist,
 * each fold answers through the query API), started by the coordinator in seven phases.
 */
public final class BundledPlatform implements AutoCloseable {
    public static final String SPEC = "specs/development.yaml";
    private final List<ManagedComponent> components = new ArrayList<>();
    private Coordinator.Outcome outcome;

    private BundledPlatform() {
    }

    /** How the coordinator's run ended. */
    public Coordinator.Outcome outcome() {
        return outcome;
    }

    private static String coordinatorId() {
        return "up-" + ProcessHandle.current().pid();
    }

    /**
     * Starts electing this process's coordinator as soon as the topics exist, while the rest of the
     * bus starts: joining its group, fencing a predecessor and writing the next epoch take about
     * 2 s after a crash that need not be spent in turn.
     */
    public static CoordinatorLease electEarly(KafkaAccess kafka, String registryUrl) {
        CoordinatorLease lease = new CoordinatorLease(kafka, new HttpRegistryClient(registryUrl, kafka.tls()),
                SpecLoader.loadResource(SPEC, System.getenv()).platform(), coordinatorId());
        Thread election = new Thread(() -> {
            try {
                lease.acquire(Duration.ofMinutes(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // The coordinator's own acquire tries again and reports it.
            }
        }, "coordinator-election");
        election.setDaemon(true);
        election.start();
        return lease;
    }

    /** Starts the components and coordinates them, with a lease from {@link #electEarly} (closed after). */
    public static BundledPlatform start(BusEndpoints bus, KafkaAccess kafka, java.nio.file.Path dataDir, PrintWriter log,
                                        CoordinatorLease lease) throws Exception {
        PlatformSpec spec = SpecLoader.loadResource(SPEC, System.getenv());
        BundledPlatform platform = new BundledPlatform();
        try {
            // Made side by side: each waits for broker metadata and its producer id.
            List<java.util.concurrent.CompletableFuture<ManagedComponent>> made = new ArrayList<>();
            for (ComponentSpec c : spec.components().values()) {
                made.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> new ManagedComponent(c.id(), c.kind(), c.phase(), kafka,
                        new HttpRegistryClient(bus.registryUrl(), kafka.tls()), check(c.id(), bus, kafka), null, Duration.ofSeconds(5))));
            }
            for (java.util.concurrent.CompletableFuture<ManagedComponent> component : made) {
                platform.components.add(component.join());
            }
            platform.outcome = Coordination.run(spec, lease, kafka, bus.apiUrl(), new HttpRegistryClient(bus.registryUrl(), kafka.tls()),
                    coordinatorId(), dataDir.resolve("keys").resolve("coordinator.key"), new ConsoleProgress(log), Duration.ofMinutes(2));
            log.println("platform " + spec.platform() + ": " + platform.outcome.result()
                    + (platform.outcome.reasons().isEmpty() ? "" : " " + platform.outcome.reasons()));
            log.flush();
            return platform;
        } catch (Exception e) {
            platform.close();
            lease.close();
            throw e;
        }
    }

    private static ManagedComponent.Behaviour check(String componentId, BusEndpoints bus, KafkaAccess kafka) {
        Runnable probe = switch (componentId) {
            case "kafka-broker" -> () -> {
                try (Admin admin = Admin.create(kafka.clientConfig())) {
                    admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("broker at " + bus.bootstrapServers() + " does not answer: " + e.getMessage(), e);
                }
            };
            case "schema-registry" -> () -> new HttpRegistryClient(bus.registryUrl(), kafka.tls()).latest(Topics.REGISTRY.valueSubject());
            case "topic-catalog" -> () -> {
                try (Admin admin = Admin.create(kafka.clientConfig())) {
                    TopicAdmin.verify(admin, Topics.ALL);
                }
            };
            case "registry-fold" -> () -> QueryApiClient.get(bus.apiUrl() + "/v1/catalog/services", kafka.tls());
            case "health-fold" -> () -> QueryApiClient.get(bus.apiUrl() + "/v1/hypermesh/health/state/any", kafka.tls());
            case "lifecycle-fold" -> () -> QueryApiClient.get(bus.apiUrl() + "/v1/hypermesh/lifecycle/phases", kafka.tls());
            case "query-api" -> () -> QueryApiClient.get(bus.apiUrl() + "/metrics", kafka.tls());
            default -> throw new IllegalArgumentException("the bundled platform has no component '" + componentId + "'");
        };
        return new ManagedComponent.Behaviour() {
            @Override
            public void start() {
                probe.run();
            }

            @Override
            public void stop() {
                // The bus runtime owns these services and stops them when `up` ends.
            }
        };
    }

    @Override
    public void close() {
        components.forEach(ManagedComponent::close);
    }
}
