package io.hypermesh.coordinator.cli;

import io.hypermesh.streams.connect.DecisionLog;
import io.hypermesh.coordinator.bus.BundledPlatform;
import io.hypermesh.coordinator.run.CoordinatorLease;
import io.hypermesh.coordinator.bus.Bus;
import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.schemas.topics.BusAcls;
import io.hypermesh.coordinator.run.Coordinator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the bus: its core (an embedded KRaft broker unless --bootstrap-servers is given, the topics, "
                + "the schema registry, the folds and the query API), then the adapters through the coordinator. Runs until Ctrl-C.")
final class UpCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of the embedded broker.")
    String bootstrapServers;

    @Option(names = "--data-dir", defaultValue = ".hypermesh", description = "Broker data and endpoints file (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "9092",
            description = "Embedded broker port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081",
            description = "Schema registry port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--api-port", defaultValue = "8500", description = "Query API port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @picocli.CommandLine.Mixin
    BindOption bind;

    @Option(names = "--pki-dir", paramLabel = "DIR",
            description = "Secure the bus with this PKI (created when missing, as `hypermesh pki init` does): the embedded broker "
                    + "speaks only mutual TLS, ACLs give each part its own topics, and each part connects with its own certificate.")
    Path pkiDir;

    @Option(names = "--kafka-sasl",
            description = "Without TLS, still no anonymous writer: the embedded broker takes only SASL/PLAIN users, one per part of "
                    + "the bus "
                    + "(passwords in <data-dir>/sasl, with a client settings file per user for --kafka-config), and ACLs give each its "
                            + "own topics.")
    boolean kafkaSasl;

    @picocli.CommandLine.Mixin
    WriteTokensOption writeTokens;

    @picocli.CommandLine.Mixin
    LogOptions logs;

    @picocli.CommandLine.Mixin
    ConsulAgentOptions consul;

    @picocli.CommandLine.Mixin
    StreamThreadsOption streamThreads;

    @Option(names = "--anomaly-health-weight", defaultValue = "20", paramLabel = "POINTS",
            description = "Points an open anomaly takes off the health score of its series' component, 0..100 (default: ${DEFAULT-VALUE}).")
    double anomalyHealthWeight;

    @Option(names = "--workload-learning", defaultValue = "1h", paramLabel = "DURATION",
            description = "How long a workload's behaviours (execs, connections, writes) are learned from its first event before a "
                    + "new one is an anomaly, a Go duration (default: ${DEFAULT-VALUE}).")
    java.time.Duration workloadLearning;

    @Option(names = "--connect-decisions", defaultValue = "off", paramLabel = "MODE", converter = DecisionModes.class,
            description = "Connect authorization decisions logged to hypermesh.decisions: off, all, denials, or sample:<share> "
                    + "(every denial and that share of the rest) (default: ${DEFAULT-VALUE}).")
    DecisionLog.Mode connectDecisions;

    @Option(names = "--transport-port", defaultValue = "0",
            description = "The transport adapter's telemetry input, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int transportPort;

    @Option(names = "--falco-port", defaultValue = "0",
            description = "The security adapter's input for Falco's http_output, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int falcoPort;

    @Option(names = "--tetragon-export", split = ",", paramLabel = "FILE",
            description = "Tetragon JSON export files the security adapter tails.")
    List<Path> tetragonFiles = new ArrayList<>();

    @Option(names = "--etcd", split = ",", paramLabel = "URL",
            description = "etcd client URLs for the consensus adapter (default: an etcd answering at http://127.0.0.1:2379; "
                    + "without one the platform has no consensus adapter).")
    List<String> etcd;

    @Option(names = "--container-socket", paramLabel = "SOCKET",
            description = "Docker Engine API socket for the containers adapter (default: the first of /var/run/docker.sock, "
                    + "$XDG_RUNTIME_DIR/podman/podman.sock and /run/podman/podman.sock that exists; without one, no containers adapter).")
    Path containerSocket;

    /** Reads --connect-decisions, refusing a bad mode with its reason. */
    static final class DecisionModes implements picocli.CommandLine.ITypeConverter<DecisionLog.Mode> {
        @Override
        public DecisionLog.Mode convert(String value) {
            return DecisionLog.Mode.parse(value);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        logs.toFilesUnder(dataDir);
        Bus bus = Bus.builder().bootstrapServers(bootstrapServers).dataDir(dataDir).ports(kafkaPort, registryPort, apiPort).host(bind.host)
                .pki(pkiDir).kafkaSasl(kafkaSasl).apiTokens(writeTokens.tokens()).consulAgent(consul.node(), consul.datacenter)
                .streamThreads(streamThreads.threads).anomalyHealthWeight(anomalyHealthWeight)
                .workloadLearning(workloadLearning).connectDecisions(connectDecisions).log(out).build();
        PlatformSpec bundled = BundledPlatform.bundled();
        PlatformSpec platformSpec;
        BundledPlatform platform;
        BundledPlatform.Machine machine;
        try {
            bus.startCore();
            // The coordinator is elected while the folds start: its group, fencing and epoch need
            // only the core, and take about 2 s after a crash that need not be spent in turn.
            try (CoordinatorLease lease = BundledPlatform.electEarly(bus.access(BusAcls.COORDINATOR), bus.registryUrl(),
                    bundled.platform())) {
                bus.startFolds();
                machine = announce(out, bus);
                platformSpec = BundledPlatform.spec(bundled, machine);
                platform = BundledPlatform.start(platformSpec, machine, bus.endpoints(), bus::access, dataDir,
                        logs.verbose() ? new ConsoleProgress(out) : ConsoleProgress.quiet(out), lease);
            }
        } catch (Exception e) {
            bus.close();
            throw e;
        }
        Coordinator.Outcome outcome = platform.outcome();
        out.println("platform " + platformSpec.platform() + ": " + outcome.result()
                + (outcome.reasons().isEmpty() ? "" : " " + outcome.reasons()));
        if (outcome.result() == Coordinator.Result.ROLLED_BACK) {
            platform.close();
            bus.close();
            out.println("the platform did not start: " + outcome.reasons());
            return 1;
        }
        String scheme = bus.apiUrl().substring(0, bus.apiUrl().indexOf(':'));
        out.println("Transport telemetry:     " + scheme + "://" + bind.host + ":" + machine.transportPort() + "/v1/transport/telemetry");
        out.println("Falco http_output:       " + scheme + "://" + bind.host + ":" + machine.falcoPort() + "/falco");
        out.println("HyperMesh Bus is up. Press Ctrl-C to stop.");
        out.flush();
        UntilStopped.await(out, "HyperMesh Bus", platform, bus);
        return 0;
    }

    /** Where the bus's endpoints are, and what this machine offers the adapters. */
    private BundledPlatform.Machine announce(PrintWriter out, Bus bus) {
        if (logs.verbose()) {
            bus.schemaIds().forEach((subject, id) -> out.println("schema " + subject + " -> id " + id));
        }
        out.println("Kafka bootstrap servers: " + bus.endpoints().bootstrapServers() + (bus.embedded() ? " (embedded)" : "")
                + (pkiDir != null ? "  (mutual TLS: connect with --kafka-config " + pkiDir.resolve("<component>.properties") + ")"
                : kafkaSasl ? "  (SASL/PLAIN: connect with --kafka-config " + dataDir.resolve("sasl").resolve("<component>.properties")
                        + ")" : ""));
        out.println("Schema registry:         " + bus.endpoints().registryUrl());
        out.println("Query API:               " + bus.apiUrl() + "  (metrics at /metrics)");
        out.println("Dashboard:               " + bus.apiUrl() + "/ui/");
        BundledPlatform.Machine machine = BundledPlatform.Machine.discover(bind.host, transportPort, falcoPort, etcd, containerSocket,
                tetragonFiles, writeTokens.tokens());
        out.println("the bus core is up; starting the adapters of " + BundledPlatform.SPEC + " through the coordinator");
        if (machine.etcd().isEmpty()) {
            out.println("  consensus: no etcd configured (--etcd) or answering at http://127.0.0.1:2379; not in the platform");
        }
        if (machine.engineSocket().isEmpty()) {
            out.println("  containers: no Docker or Podman socket (--container-socket); not in the platform");
        }
        out.flush();
        return machine;
    }
}
