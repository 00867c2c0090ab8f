package io.hypermesh.coordinator.bus;

import io.hypermesh.adapters.Adapter;
import io.hypermesh.adapters.AdapterHost;
import io.hypermesh.adapters.audit.AuditKeys;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.coordinator.run.Coordination;
import io.hypermesh.coordinator.run.Coordinator;
import io.hypermesh.coordinator.run.CoordinatorLease;
import io.hypermesh.coordinator.run.ProgressListener;
import io.hypermesh.coordinator.spec.ComponentSpec;
import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.coordinator.spec.SpecLoader;
import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.http.FreePorts;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.topics.BusAcls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The bundled development platform: the bus's adapters, each hosted as a managed component that
 * the coordinator starts (deploying the adapter) and stops or rolls back (undeploying it), phase
 * by phase. The bus core they publish to runs already: it is what the coordinator needs to run.
 */
public final class BundledPlatform implements AutoCloseable {
    public static final String SPEC = "specs/development.yaml";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BundledPlatform.class);
    /** etcd's default client URL, where `up` looks for one when none is configured. */
    static final String DEFAULT_ETCD = "http://127.0.0.1:2379";
    /** Where Docker and Podman serve the Engine API by default. */
    static final List<Path> DEFAULT_ENGINE_SOCKETS = List.of(Path.of("/var/run/docker.sock"), Path.of("/run/podman/podman.sock"));

    private final List<AdapterHost> hosts = new ArrayList<>();
    private final HttpRegistryClient registry;
    private Coordinator.Outcome outcome;

    private BundledPlatform(HttpRegistryClient registry) {
        this.registry = registry;
    }

    /** How the coordinator's run ended. */
    public Coordinator.Outcome outcome() {
        return outcome;
    }

    /** The bundled spec, as shipped. */
    public static PlatformSpec bundled() {
        return SpecLoader.loadResource(SPEC, System.getenv());
    }

    /** Refuses a spec with a component the bus has no adapter for, naming it and the ones it has. */
    public static void requireAdapters(PlatformSpec spec) {
        List<String> unknown = spec.components().keySet().stream().filter(id -> !ADAPTERS.contains(id)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(spec.source() + ": the bus hosts no adapter for " + unknown + "; its components are "
                    + String.join(", ", ADAPTERS) + " (run others with `hypermesh coordinate`)");
        }
    }

    /** The components the bus can host, by id. */
    static final List<String> ADAPTERS = List.of("transport", "consensus", "containers", "security");

    /** The bundled spec, reduced to the adapters this machine has something for (see {@link Machine}). */
    public static PlatformSpec spec(PlatformSpec bundled, Machine machine) {
        return bundled.only(c -> switch (c.id()) {
            case "consensus" -> machine.etcd().isPresent();
            case "containers" -> machine.engineSocket().isPresent();
            default -> true;
        });
    }

    /**
     * Starts electing this process's coordinator as soon as the registry answers, while the folds
     * start: joining its group, fencing a predecessor and writing the next epoch take about 2 s
     * after a crash that need not be spent in turn.
     */
    public static CoordinatorLease electEarly(KafkaAccess coordinator, String registryUrl, String platform) {
        CoordinatorLease lease = new CoordinatorLease(coordinator, new HttpRegistryClient(registryUrl, coordinator.tls()), platform,
                coordinatorId());
        Thread election = new Thread(() -> {
            try {
                lease.acquire(Duration.ofMinutes(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // Not lost: the coordinator's own acquire tries again and reports why it failed.
                LOG.debug("early election failed; the coordinator tries again", e);
            }
        }, "coordinator-election");
        election.setDaemon(true);
        election.start();
        return lease;
    }

    /**
     * Hosts each adapter of {@code spec} (announced READY, not yet started) and has the coordinator
     * start them in their phases, under a lease from {@link #electEarly} (its caller closes it).
     *
     * @param access each principal's access to Kafka (its own certificate on a secured bus)
     */
    public static BundledPlatform start(PlatformSpec spec, Machine machine, BusEndpoints bus, Function<String, KafkaAccess> access,
                                        Path dataDir, ProgressListener progress, CoordinatorLease lease) throws Exception {
        KafkaAccess coordinator = access.apply(BusAcls.COORDINATOR);
        BundledPlatform platform = new BundledPlatform(new HttpRegistryClient(bus.registryUrl(), coordinator.tls()));
        try {
            // Hosted side by side: each opens its audited publisher (fencing, its trail's resume) and its component.
            List<CompletableFuture<AdapterHost>> hosted = new ArrayList<>();
            for (ComponentSpec c : spec.components().values()) {
                KafkaAccess kafka = access.apply(BusAcls.principalOf(c.kind()));
                AuditedPublisher.Settings settings = new AuditedPublisher.Settings(c.id(), c.kind(), kafka, platform.registry,
                        AuditKeys.loadOrCreate(dataDir.resolve("keys").resolve(c.id() + ".key")),
                                Integer.parseInt(Adapters.CHECKPOINT_EVERY),
                        Adapters.duration(Adapters.CHECKPOINT_INTERVAL));
                Function<AuditedPublisher, Adapter> adapter = adapterOf(c, machine);
                hosted.add(CompletableFuture.supplyAsync(() -> AdapterHost.run(settings, c.phase(), adapter,
                        Adapters.duration(Adapters.HEARTBEAT), false)));
            }
            for (CompletableFuture<AdapterHost> host : hosted) {
                platform.hosts.add(host.join());
            }
            platform.outcome = Coordination.run(spec, lease, coordinator, bus.apiUrl(), platform.registry, coordinatorId(),
                    dataDir.resolve("keys").resolve("coordinator.key"), progress, Duration.ofMinutes(2));
            return platform;
        } catch (Exception e) {
            platform.close();
            throw e;
        }
    }

    private static Function<AuditedPublisher, Adapter> adapterOf(ComponentSpec c, Machine machine) {
        return switch (c.id()) {
            case "transport" -> Adapters.transport(machine.host(), machine.transportPort(), List.of(),
                    Adapters.duration(Adapters.PROBE_INTERVAL), Adapters.duration(Adapters.LINK_TIMEOUT), machine.tokens());
            case "consensus" -> Adapters.consensus(Adapters.ETCD_CLUSTER, machine.etcd().orElseThrow(),
                    Adapters.duration(Adapters.ETCD_POLL));
            case "containers" -> Adapters.containers(machine.engineSocket().orElseThrow(), Adapters.ENGINE_API_VERSION,
                    Adapters.duration(Adapters.CONTAINER_TTL));
            case "security" -> Adapters.security(machine.host(), machine.falcoPort(), machine.tetragonFiles(), false, machine.tokens());
            default -> throw new IllegalArgumentException("the bundled platform has no adapter for component '" + c.id() + "'");
        };
    }

    private static String coordinatorId() {
        return "up-" + ProcessHandle.current().pid();
    }

    /** Stops every adapter (each undeploys and seals its audit trail). */
    @Override
    public void close() {
        hosts.forEach(AdapterHost::close);
        registry.close();
    }

    /**
     * What this machine offers the adapters, as `up` found or was told it.
     *
     * @param etcd         client URLs of an etcd cluster, if one is configured or answers on its default port
     * @param engineSocket a Docker Engine API socket (Docker or Podman), if one exists
     */
    public record Machine(String host, int transportPort, int falcoPort, java.util.Optional<List<String>> etcd,
                          java.util.Optional<Path> engineSocket, List<Path> tetragonFiles, ApiTokens tokens) {
        /**
         * What `up` finds when not told: an etcd answering at {@link #DEFAULT_ETCD}; the first Engine
         * API socket of Docker, rootless Podman ({@code $XDG_RUNTIME_DIR/podman/podman.sock}) or
         * Podman that exists. Ports 0 become free ones, so the inputs' addresses are known before they start.
         */
        public static Machine discover(String host, int transportPort, int falcoPort, List<String> etcd, Path engineSocket,
                                       List<Path> tetragonFiles, ApiTokens tokens) {
            java.util.Optional<List<String>> cluster = etcd != null && !etcd.isEmpty() ? java.util.Optional.of(etcd)
                    : answers(DEFAULT_ETCD + "/version") ? java.util.Optional.of(List.of(DEFAULT_ETCD)) : java.util.Optional.empty();
            List<Path> sockets = new ArrayList<>(DEFAULT_ENGINE_SOCKETS);
            String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
            if (runtimeDir != null) {
                sockets.add(1, Path.of(runtimeDir, "podman", "podman.sock"));
            }
            java.util.Optional<Path> socket = engineSocket != null ? java.util.Optional.of(engineSocket)
                    : sockets.stream().filter(java.nio.file.Files::exists).findFirst();
            return new Machine(host, transportPort != 0 ? transportPort : FreePorts.onLoopback(),
                    falcoPort != 0 ? falcoPort : FreePorts.onLoopback(), cluster, socket, tetragonFiles, tokens);
        }

        private static boolean answers(String url) {
            try {
                java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofMillis(500)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (java.io.IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
