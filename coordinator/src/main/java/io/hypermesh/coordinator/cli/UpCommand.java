package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BundledPlatform;
import io.hypermesh.coordinator.run.CoordinatorLease;
import io.hypermesh.coordinator.bus.BusRuntime;
import io.hypermesh.coordinator.run.Coordinator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the bus: an embedded KRaft broker unless --bootstrap-servers is given, the topics, "
                + "the schema registry and the event schemas. Runs until Ctrl-C.")
final class UpCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of the embedded broker.")
    String bootstrapServers;

    @Option(names = "--data-dir", defaultValue = ".hypermesh", description = "Broker data and endpoints file (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Embedded broker port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--api-port", defaultValue = "8500", description = "Query API port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @picocli.CommandLine.Mixin
    BindOption bind;

    @Option(names = "--pki-dir", paramLabel = "DIR",
            description = "Secure the bus with this PKI (created when missing, as `hypermesh pki init` does): the embedded broker "
                    + "speaks only mutual TLS, ACLs give each part its own topics, and each part connects with its own certificate.")
    Path pkiDir;

    @picocli.CommandLine.Mixin
    WriteTokensOption writeTokens;

    @picocli.CommandLine.Mixin
    ConsulAgentOptions consul;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CoordinatorLease[] lease = new CoordinatorLease[1];
        BusRuntime bus;
        try {
            bus = BusRuntime.start(new BusRuntime.Settings(bootstrapServers, dataDir, kafkaPort, bind.host, registryPort, apiPort,
                    pkiDir, writeTokens.tokens(), consul.node(), consul.datacenter), out,
                    (coordinator, registryUrl) -> lease[0] = BundledPlatform.electEarly(coordinator, registryUrl));
        } catch (Exception e) {
            if (lease[0] != null) {
                lease[0].close();
            }
            throw e;
        }
        bus.schemaIds().forEach((subject, id) -> out.println("schema " + subject + " -> id " + id));
        out.println("Kafka bootstrap servers: " + bus.endpoints().bootstrapServers() + (bus.embedded() ? " (embedded)" : "")
                + (pkiDir == null ? "" : "  (mutual TLS: connect with --kafka-config " + pkiDir.resolve("<component>.properties") + ")"));
        out.println("Schema registry:         " + bus.endpoints().registryUrl());
        out.println("Query API:               " + bus.apiUrl() + "  (metrics at /metrics)");
        out.println("Dashboard:               " + bus.apiUrl() + "/ui/");
        out.println("starting the platform " + BundledPlatform.SPEC + " through the coordinator");
        out.flush();
        BundledPlatform platform;
        try {
            platform = BundledPlatform.start(bus.endpoints(), bus.coordinatorAccess(), dataDir, out, lease[0]);
        } catch (Exception e) {
            bus.close();
            throw e;
        }
        if (platform.outcome().result() == Coordinator.Result.ROLLED_BACK) {
            platform.close();
            bus.close();
            out.println("the platform did not start: " + platform.outcome().reasons());
            return 1;
        }
        out.println("HyperMesh Bus is up. Press Ctrl-C to stop.");
        out.flush();
        UntilStopped.await(out, "HyperMesh Bus", platform, bus);
        return 0;
    }
}
