package io.hypermesh.coordinator.cli;

import io.hypermesh.streams.connect.ConnectSettings;
import io.hypermesh.streams.connect.DecisionLog;
import io.hypermesh.streams.connect.IntentionBook;
import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.StreamsSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "folds", mixinStandardHelpOptions = true,
        description = "Run one more instance of the folds and the query API against an existing bus (scale-out). Runs until stopped.")
final class FoldsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    EndpointOptions endpoints;

    @Mixin
    ConsulAgentOptions consul;

    @Option(names = "--application-id", defaultValue = "hypermesh-bus",
            description = "Instances with the same id share the work (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--state-dir", required = true, description = "Local state of this instance.")
    Path stateDir;

    @Option(names = "--api-port", defaultValue = "0", description = "Query API port (default: any free one).")
    int apiPort;

    @picocli.CommandLine.Mixin
    BindOption bind;

    @picocli.CommandLine.Mixin
    WriteTokensOption writeTokens;

    @picocli.CommandLine.Mixin
    StreamThreadsOption streamThreads;

    @Option(names = "--processing-guarantee", defaultValue = "exactly_once_v2", description = "exactly_once_v2 or at_least_once.")
    String guarantee;

    @Option(names = "--connect-ca-dir", paramLabel = "DIR",
            description = "The Connect CA's folder (roots and keys): the same for every instance of a bus, such as its PKI folder's "
                    + "connect/ (default: <state-dir>/connect-ca, this instance's own).")
    Path connectCaDir;

    @Option(names = "--connect-decisions", defaultValue = "off", paramLabel = "MODE", converter = UpCommand.DecisionModes.class,
            description = "Connect authorization decisions logged to hypermesh.decisions: off, all, denials or sample:<share> "
                    + "(default: ${DEFAULT-VALUE}).")
    DecisionLog.Mode connectDecisions;

    @Override
    public Integer call() throws Exception {
        BusEndpoints bus = endpoints.resolve();
        StreamsSettings settings = StreamsSettings.defaults(endpoints.kafka(bus), bus.registryUrl(), stateDir, apiPort)
                .withApplicationId(applicationId).withAdvertisedHost(bind.host).withProcessingGuarantee(guarantee)
                .withConsulAgent(consul.node(), consul.datacenter).withStreamThreads(streamThreads.or(1));
        // Secured (a certificate to Kafka, or write tokens): no intention means deny, as on a secured `up`.
        settings = settings.withConnect(new ConnectSettings(connectCaDir,
                IntentionBook.DefaultPolicy.of(settings.kafka().tls().enabled() || writeTokens.tokens().required()), connectDecisions));
        StreamsApp app = StreamsApp.start(settings, new HttpRegistryClient(bus.registryUrl(), settings.kafka().tls()),
                writeTokens.tokens());
        app.awaitRunning(Duration.ofMinutes(2));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Query API: " + app.url());
        out.flush();
        UntilStopped.await(out, "folds instance", app);
        return 0;
    }
}
