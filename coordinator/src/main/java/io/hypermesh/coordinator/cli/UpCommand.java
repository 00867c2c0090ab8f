package io.hypermesh.coordinator.cli;

import io.hypermesh.bus.HyperMeshBus;
import io.hypermesh.bus.PlatformNotStartedException;
import io.hypermesh.streams.connect.DecisionLog;
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

    @Option(names = "--preset", defaultValue = "development", paramLabel = "NAME|FILE",
            description = "development, production, performance or reliability (see the README: what each trades), or a settings "
                    + "file of the same keys; production and reliability need a cluster of 3 brokers (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--spec", paramLabel = "FILE",
            description = "A platform spec (YAML) instead of the preset's; its components must be adapters the bus hosts.")
    Path platformSpec;

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
        HyperMeshBus.Builder builder = HyperMeshBus.builder().preset(preset).dataDir(dataDir).ports(kafkaPort, registryPort, apiPort)
                .bootstrapServers(bootstrapServers).host(bind.host).pki(pkiDir).kafkaSasl(kafkaSasl).apiTokens(writeTokens.tokens())
                .consulAgent(consul.node(), consul.datacenter).anomalyHealthWeight(anomalyHealthWeight).workloadLearning(workloadLearning)
                .connectDecisions(connectDecisions)
                .adapters(transportPort, falcoPort, etcd, containerSocket, tetragonFiles)
                .log(out, logs.verbose() ? new ConsoleProgress(out) : ConsoleProgress.quiet(out), logs.verbose());
        if (streamThreads.threads != null) {
            builder.streamThreads(streamThreads.threads);
        }
        if (platformSpec != null) {
            builder.spec(platformSpec);
        }
        HyperMeshBus bus;
        try {
            bus = builder.start();
        } catch (PlatformNotStartedException e) {
            out.println(e.getMessage());
            out.flush();
            return 1;
        }
        String scheme = bus.endpoints().apiUrl().substring(0, bus.endpoints().apiUrl().indexOf(':'));
        out.println("Transport telemetry:     " + scheme + "://" + bind.host + ":" + bus.machine().transportPort()
                + "/v1/transport/telemetry");
        out.println("Falco http_output:       " + scheme + "://" + bind.host + ":" + bus.machine().falcoPort() + "/falco");
        out.println("HyperMesh Bus is up. Press Ctrl-C to stop.");
        out.flush();
        UntilStopped.await(out, "HyperMesh Bus", bus);
        return 0;
    }
}
