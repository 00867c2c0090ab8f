package io.hypermesh.coordinator.cli;

import io.hypermesh.http.HostName;

import io.hypermesh.adapters.Adapter;
import io.hypermesh.adapters.AdapterHost;
import io.hypermesh.adapters.audit.AuditKeys;
import io.hypermesh.adapters.audit.AuditedPublisher;
import io.hypermesh.adapters.container.ContainerAdapter;
import io.hypermesh.adapters.transport.TransportAdapter;
import io.hypermesh.coordinator.bus.Adapters;
import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.events.ComponentKind;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.http.auth.ApiTokens;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

@Command(name = "adapter", mixinStandardHelpOptions = true,
        description = "Run an adapter around a real system; each action it observes or takes is published with an audit record.",
        subcommands = {AdapterCommand.Consensus.class, AdapterCommand.Containers.class, AdapterCommand.Security.class,
                AdapterCommand.Transport.class})
final class AdapterCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What every adapter takes: the bus, its id, its signing key and rhythm, and whether to wait for the coordinator. */
    static final class Common {
        @Mixin
        EndpointOptions endpoints;

        @Option(names = "--id", description = "Adapter (component) id; also its transactional id and audit trail name.")
        String id;

        @Option(names = "--key",
                description = "Checkpoint signing key; created with its .pub when missing (default: <data-dir>/keys/<id>.key).")
        Path key;

        @Option(names = "--checkpoint-every", defaultValue = Adapters.CHECKPOINT_EVERY,
                description = "Sign a checkpoint every this many records (default: ${DEFAULT-VALUE}).")
        int checkpointEvery;

        @Option(names = "--checkpoint-interval", defaultValue = Adapters.CHECKPOINT_INTERVAL,
                description = "...and at least this often while records arrive (default: ${DEFAULT-VALUE}).")
        Duration checkpointInterval;

        @Option(names = "--heartbeat", defaultValue = Adapters.HEARTBEAT,
                description = "Heartbeat and self-check interval (default: ${DEFAULT-VALUE}).")
        Duration heartbeat;

        @Option(names = "--phase", defaultValue = "3",
                description = "Startup phase the coordinator starts it in (default: ${DEFAULT-VALUE}).")
        int phase;

        @Option(names = "--wait-for-coordinator", description = "Announce READY and start only on the coordinator's START.")
        boolean waitForCoordinator;

        private static boolean positive(Duration d) {
            return !d.isNegative() && !d.isZero();
        }

        int run(CommandLine.Model.CommandSpec spec, String defaultId, ComponentKind kind, Function<AuditedPublisher,
                Adapter> factory) throws Exception {
            if (checkpointEvery < 1 || !positive(checkpointInterval) || !positive(heartbeat)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--checkpoint-every, --checkpoint-interval and --heartbeat must be positive");
            }
            PrintWriter out = spec.commandLine().getOut();
            BusEndpoints bus = endpoints.resolve();
            String adapterId = id != null ? id : defaultId;
            Path keyFile = key != null ? key : endpoints.dataDir.resolve("keys").resolve(adapterId + ".key");
            HttpRegistryClient registry = new HttpRegistryClient(bus.registryUrl(), endpoints.kafka(bus).tls());
            AuditedPublisher.Settings settings = new AuditedPublisher.Settings(adapterId, kind, endpoints.kafka(bus), registry,
                    AuditKeys.loadOrCreate(keyFile), checkpointEvery, checkpointInterval);
            AdapterHost host = AdapterHost.run(settings, phase, factory, heartbeat, !waitForCoordinator);
            out.println(adapterId + " " + (waitForCoordinator ? "ready, waiting for the coordinator's START" : "running")
                    + "; audit trail continues after sequence " + host.publisher().sequence()
                    + "; verify with: hypermesh audit verify --trust " + AuditKeys.publicFileOf(keyFile));
            out.flush();
            UntilStopped.await(out, adapterId, host, registry);
            return 0;
        }
    }

    @Command(name = "consensus", mixinStandardHelpOptions = true,
            description = "Watch an etcd cluster: status, leader changes, members joining and lost.")
    static final class Consensus implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common;

        @Option(names = "--etcd", required = true, split = ",", description = "etcd client URLs (one is enough: the others are found).")
        List<String> endpoints;

        @Option(names = "--cluster-id", defaultValue = Adapters.ETCD_CLUSTER,
                description = "Name of the cluster on the bus (default: ${DEFAULT-VALUE}).")
        String clusterId;

        @Option(names = "--poll", defaultValue = Adapters.ETCD_POLL, description = "Status poll interval (default: ${DEFAULT-VALUE}).")
        Duration poll;

        @Override
        public Integer call() throws Exception {
            return common.run(spec, "consensus-" + clusterId, ComponentKind.CONSENSUS,
                    Adapters.consensus(clusterId, endpoints, poll));
        }
    }

    @Command(name = "containers", mixinStandardHelpOptions = true,
            description = "Follow the Docker Engine API (Docker or Podman) and register containers labelled "
                    + ContainerAdapter.SERVICE_LABEL + ".")
    static final class Containers implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common;

        @Option(names = "--socket", defaultValue = Adapters.ENGINE_SOCKET,
                description = "Engine API socket (default: ${DEFAULT-VALUE}; Podman: /run/podman/podman.sock).")
        Path socket;

        @Option(names = "--api-version", defaultValue = Adapters.ENGINE_API_VERSION,
                description = "Engine API version prefix (default: ${DEFAULT-VALUE}).")
        String apiVersion;

        @Option(names = "--ttl", defaultValue = Adapters.CONTAINER_TTL,
                description = "TTL of the registrations; heartbeats every third of it (default: ${DEFAULT-VALUE}).")
        Duration ttl;

        @Override
        public Integer call() throws Exception {
            return common.run(spec, "containers-" + HostName.local(), ComponentKind.CONTAINER_RUNTIME,
                    Adapters.containers(socket, apiVersion, ttl));
        }
    }

    @Command(name = "security", mixinStandardHelpOptions = true,
            description = "Take Falco alerts over HTTP and tail Tetragon JSON export files.")
    static final class Security implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common;

        @Option(names = "--falco-port", description = "Port for Falco's http_output (http://host:port/falco); none: no Falco input.")
        Integer falcoPort;

        @Mixin
        BindOption bind;

        @Option(names = "--tetragon-export", split = ",", description = "Tetragon JSON export files to tail.")
        List<Path> tetragonFiles = new ArrayList<>();

        @Option(names = "--from-start", description = "Read the export files from their start, not only new lines.")
        boolean fromStart;

        /** Falco sends a token with http_output.custom_headers. */
        @Mixin
        WriteTokensOption writeTokens;

        @Override
        public Integer call() throws Exception {
            ApiTokens tokens = writeTokens.tokens();
            return common.run(spec, "security-" + HostName.local(), ComponentKind.SECURITY_AGENT,
                    Adapters.security(falcoPort == null ? null : bind.host, falcoPort == null ? 0 : falcoPort, tetragonFiles, fromStart,
                            tokens));
        }
    }

    @Command(name = "transport", mixinStandardHelpOptions = true, description = "Take link telemetry over HTTP and probe endpoints.")
    static final class Transport implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common;

        @Option(names = "--port", defaultValue = Adapters.TRANSPORT_PORT,
                description = "Telemetry port: POST /v1/transport/telemetry (default: ${DEFAULT-VALUE}).")
        int port;

        @Mixin
        BindOption bind;

        @Option(names = "--probe", description = "Endpoint to probe with TCP connects, id=host:port (repeatable).")
        List<String> probes = new ArrayList<>();

        @Option(names = "--probe-interval", defaultValue = Adapters.PROBE_INTERVAL, description = "(default: ${DEFAULT-VALUE})")
        Duration probeInterval;

        @Option(names = "--link-timeout", defaultValue = Adapters.LINK_TIMEOUT,
                description = "A link without telemetry this long is down (default: ${DEFAULT-VALUE}).")
        Duration linkTimeout;

        @Mixin
        WriteTokensOption writeTokens;

        @Override
        public Integer call() throws Exception {
            ApiTokens tokens = writeTokens.tokens();
            List<TransportAdapter.Probe> parsed = new ArrayList<>();
            for (String p : probes) {
                try {
                    parsed.add(TransportAdapter.Probe.parse(p));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--probe: " + e.getMessage());
                }
            }
            return common.run(spec, "transport-" + HostName.local(), ComponentKind.TRANSPORT,
                    Adapters.transport(bind.host, port, parsed, probeInterval, linkTimeout, tokens));
        }
    }
}
