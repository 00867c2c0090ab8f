package io.hypermesh.bus;

import io.hypermesh.coordinator.bus.BundledPlatform;
import io.hypermesh.coordinator.bus.Bus;
import io.hypermesh.coordinator.bus.BusBuilder;
import io.hypermesh.coordinator.bus.BusPreset;
import io.hypermesh.coordinator.run.Coordinator;
import io.hypermesh.coordinator.run.CoordinatorLease;
import io.hypermesh.coordinator.run.ProgressListener;
import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.coordinator.spec.SpecLoader;
import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.schemas.topics.BusAcls;
import io.hypermesh.streams.connect.DecisionLog;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A whole HyperMesh Bus in this JVM, as {@code hypermesh up} runs it: the broker (embedded unless
 * given a cluster), the topics, the schema registry, the folds and their Consul-compatible API, then
 * the adapters of its spec, started phase by phase by an elected coordinator.
 *
 * <pre>{@code
 * try (HyperMeshBus bus = HyperMeshBus.builder().dataDir(dir).ports(0, 0, 0).start()) {
 *     String consul = bus.endpoints().apiUrl();
 * }
 * }</pre>
 *
 * {@link Builder#start()} returns once the platform runs; {@link #close()} stops the adapters, then
 * the folds, the registry and the broker, and frees every port.
 */
public final class HyperMeshBus implements AutoCloseable {
    private final Bus bus;
    private final BundledPlatform platform;
    private final PlatformSpec spec;
    private final BundledPlatform.Machine machine;
    private final BusPreset preset;

    private HyperMeshBus(Bus bus, BundledPlatform platform, PlatformSpec spec, BundledPlatform.Machine machine, BusPreset preset) {
        this.bus = bus;
        this.platform = platform;
        this.spec = spec;
        this.machine = machine;
        this.preset = preset;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where a client reaches this bus. */
    public record Endpoints(String bootstrapServers, String registryUrl, String apiUrl) {
        /** The dashboard, served by the query API. */
        public String dashboardUrl() {
            return apiUrl + "/ui/";
        }
    }

    public Endpoints endpoints() {
        return new Endpoints(bus.endpoints().bootstrapServers(), bus.endpoints().registryUrl(), bus.apiUrl());
    }

    /**
     * A Kafka client's settings as one of the bus's principals ({@link BusAcls#PRINCIPALS}): its
     * certificate on a mutual-TLS bus, its SASL user on a SASL one, only the bootstrap servers on an
     * open bus. A copy: change it freely.
     */
    public Map<String, Object> kafkaClientConfig(String principal) {
        if (!BusAcls.PRINCIPALS.contains(principal)) {
            throw new IllegalArgumentException("unknown principal '" + principal + "'; the bus's are " + BusAcls.PRINCIPALS);
        }
        return bus.access(principal).clientConfig();
    }

    /** The platform spec it runs, reduced to the adapters this machine has something for (none without the platform). */
    public PlatformSpec spec() {
        return spec;
    }

    public String preset() {
        return preset.name();
    }

    /** Whether the broker is the embedded one. */
    public boolean embedded() {
        return bus.embedded();
    }

    /** Subject to schema id of every envelope registered at start. */
    public Map<String, Integer> schemaIds() {
        return bus.schemaIds();
    }

    /** What the machine gave the adapters (their inputs' ports, etcd, a container socket); null without the platform. */
    public BundledPlatform.Machine machine() {
        return machine;
    }

    /** Stops the adapters, then the folds, the registry and the broker. */
    @Override
    public void close() {
        if (platform != null) {
            platform.close();
        }
        bus.close();
    }

    /** What to start and where; every setting has the default {@code hypermesh up} documents. */
    public static final class Builder {
        private final BusBuilder bus = Bus.builder();
        private BusPreset preset = BusPreset.bundled("development");
        private Path dataDir = Path.of(".hypermesh");
        private Path specFile;
        private String host = "127.0.0.1";
        private int transportPort;
        private int falcoPort;
        private List<String> etcd;
        private Path engineSocket;
        private List<Path> tetragonFiles = List.of();
        private ApiTokens tokens = ApiTokens.open();
        private ProgressListener progress = ProgressListener.NONE;
        private PrintWriter log = new PrintWriter(java.io.Writer.nullWriter());
        private boolean verbose;
        private boolean withPlatform = true;

        private Builder() {
        }

        /** Where the broker's data, the folds' state, keys and logs live (default {@code .hypermesh}). */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            bus.dataDir(dir);
            return this;
        }

        /** Ports of the embedded broker, the schema registry and the query API; 0 for any free one. */
        public Builder ports(int kafka, int registry, int api) {
            bus.ports(kafka, registry, api);
            return this;
        }

        /**
         * One of {@link BusPreset#BUNDLED} (development, production, performance, reliability) or
         * the path of a settings file of the same keys; refused at once, with the reason, when unknown
         * or invalid. Settings given to this builder as well win over the preset's.
         */
        public Builder preset(String nameOrFile) {
            this.preset = BusPreset.of(nameOrFile);
            bus.preset(preset);
            return this;
        }

        /**
         * Whether to run the platform around the core: the coordinator and the spec's adapters
         * (default true). Without it the bus is its broker, registry, folds and API, which is all a
         * service talks to, started in a few seconds.
         */
        public Builder platform(boolean run) {
            this.withPlatform = run;
            return this;
        }

        /** A platform spec (YAML) instead of the preset's; its components must be adapters the bus has. */
        public Builder spec(Path file) {
            this.specFile = file;
            return this;
        }

        /** Secures the bus with this PKI (created there when missing): mutual TLS and ACLs. */
        public Builder pki(Path dir) {
            bus.pki(dir);
            return this;
        }

        /** The embedded broker takes only SASL/PLAIN users with ACLs. */
        public Builder kafkaSasl(boolean sasl) {
            bus.kafkaSasl(sasl);
            return this;
        }

        /** An existing Kafka cluster; none (the default) starts the embedded broker in the data dir. */
        public Builder bootstrapServers(String servers) {
            bus.bootstrapServers(servers);
            return this;
        }

        /** Kafka Streams threads of the folds (default: the preset's). */
        public Builder streamThreads(int threads) {
            bus.streamThreads(threads);
            return this;
        }

        /** The address every part listens on and advertises (default 127.0.0.1). */
        public Builder host(String address) {
            this.host = address;
            bus.host(address);
            return this;
        }

        /** The bearer tokens the write endpoints (the query API's and the adapters' inputs) require. */
        public Builder apiTokens(ApiTokens apiTokens) {
            this.tokens = apiTokens;
            bus.apiTokens(apiTokens);
            return this;
        }

        /** The Consul node and datacenter the query API answers as. */
        public Builder consulAgent(String node, String datacenter) {
            bus.consulAgent(node, datacenter);
            return this;
        }

        /** Points an open anomaly takes off the health score of its series' component (default 20; 0 for none). */
        public Builder anomalyHealthWeight(double points) {
            bus.anomalyHealthWeight(points);
            return this;
        }

        /** How long a workload's behaviours are learned from its first event before a new one is an anomaly (default 1 h). */
        public Builder workloadLearning(java.time.Duration period) {
            bus.workloadLearning(period);
            return this;
        }

        /** Which Connect authorization decisions go to {@code hypermesh.decisions} (default none). */
        public Builder connectDecisions(DecisionLog.Mode mode) {
            bus.connectDecisions(mode);
            return this;
        }

        /**
         * What the adapters use: their inputs' ports (0 for free ones), etcd's client URLs (null:
         * one answering on its default port, if any), a Docker Engine API socket (null: the usual
         * ones that exist) and Tetragon export files.
         */
        public Builder adapters(int transportInputPort, int falcoInputPort, List<String> etcdUrls, Path containerSocket,
                                List<Path> tetragonExports) {
            this.transportPort = transportInputPort;
            this.falcoPort = falcoInputPort;
            this.etcd = etcdUrls;
            this.engineSocket = containerSocket;
            this.tetragonFiles = List.copyOf(tetragonExports);
            return this;
        }

        /**
         * Where progress lines go, as {@code up} prints them, and the coordinator's phase by phase;
         * verbose adds every schema id registered.
         */
        public Builder log(PrintWriter writer, ProgressListener phases, boolean verbose) {
            this.log = writer;
            this.progress = phases;
            this.verbose = verbose;
            bus.log(writer);
            return this;
        }

        /**
         * Starts the bus and its platform; returns once the platform runs.
         *
         * @throws IllegalArgumentException a setting, the preset or the spec refused, with the reason
         * @throws PlatformNotStartedException the coordinator rolled the platform back, with the reasons
         */
        public HyperMeshBus start() throws Exception {
            PlatformSpec declared = specFile != null ? SpecLoader.load(specFile, System.getenv())
                    : SpecLoader.loadResource(preset.spec(), System.getenv());
            BundledPlatform.requireAdapters(declared);
            Bus core = bus.build();
            if (!withPlatform) {
                try {
                    // Returned running: a test's first read is answered, not retried while the folds restore.
                    core.startCore().startFolds().foldsRunning(java.time.Duration.ofMinutes(2));
                    Announcement.endpoints(log, core);
                    log.flush();
                    return new HyperMeshBus(core, null, declared.only(c -> false), null, preset);
                } catch (Exception e) {
                    core.close();
                    throw e;
                }
            }
            BundledPlatform platform;
            PlatformSpec running;
            BundledPlatform.Machine machine;
            try {
                core.startCore();
                // The coordinator is elected while the folds start: its group, fencing and epoch need
                // only the core, and take about 2 s after a crash that need not be spent in turn.
                try (CoordinatorLease lease = BundledPlatform.electEarly(core.access(BusAcls.COORDINATOR), core.registryUrl(),
                        declared.platform())) {
                    core.startFolds();
                    if (verbose) {
                        core.schemaIds().forEach((subject, id) -> log.println("schema " + subject + " -> id " + id));
                    }
                    Announcement.endpoints(log, core);
                    machine = BundledPlatform.Machine.discover(host, transportPort, falcoPort, etcd, engineSocket, tetragonFiles, tokens);
                    Announcement.adapters(log, declared, machine);
                    running = BundledPlatform.spec(declared, machine);
                    platform = BundledPlatform.start(running, machine, core.endpoints(), core::access, dataDir, progress, lease);
                }
            } catch (Exception e) {
                core.close();
                throw e;
            }
            Coordinator.Outcome outcome = platform.outcome();
            log.println("platform " + running.platform() + ": " + outcome.result()
                    + (outcome.reasons().isEmpty() ? "" : " " + outcome.reasons()));
            log.flush();
            if (outcome.result() == Coordinator.Result.ROLLED_BACK) {
                platform.close();
                core.close();
                throw new PlatformNotStartedException(outcome.reasons());
            }
            return new HyperMeshBus(core, platform, running, machine, preset);
        }
    }
}
