package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.coordinator.run.Coordinator;
import io.hypermesh.coordinator.run.Coordination;
import io.hypermesh.coordinator.run.LostLeadershipException;
import io.hypermesh.coordinator.run.ProgressListener;
import io.hypermesh.coordinator.run.WebhookNotifier;
import io.hypermesh.coordinator.spec.PlatformSpec;
import io.hypermesh.coordinator.spec.SpecLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;

@Command(name = "coordinate", mixinStandardHelpOptions = true,
        description = "Start a platform from its spec in seven phases. Several may run: one is active, the others stand by "
                + "and take over if it dies. Exit code 0: running, 3: degraded, 1: failed and rolled back, 4: lost the lease.")
final class CoordinateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    EndpointOptions endpoints;

    @Option(names = "--spec", required = true, description = "Platform spec (YAML).")
    Path specFile;

    @Option(names = "--id", description = "This coordinator's id (default: a random one).")
    String coordinatorId;

    @Option(names = "--notify-url",
            description = "Webhook that gets a JSON POST when a phase completes, degrades, fails or is rolled back.")
    String notifyUrl;

    @Option(names = "--audit-key",
            description = "Key signing the audit checkpoints; created when missing (default: <data-dir>/keys/coordinator.key).")
    java.nio.file.Path auditKey;

    @Option(names = "--election-timeout", defaultValue = "10m", description = "How long to stand by (default: ${DEFAULT-VALUE}).")
    Duration electionTimeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PlatformSpec platform = SpecLoader.load(specFile, System.getenv());
        BusEndpoints bus = endpoints.resolve();
        String id = coordinatorId != null ? coordinatorId : "coordinator-" + UUID.randomUUID().toString().substring(0, 8);
        out.println(id + ": standing by for platform " + platform.platform() + " (" + platform.components().size() + " components)");
        out.flush();
        ProgressListener progress = notifyUrl == null ? new ConsoleProgress(out)
                : WebhookNotifier.alongside(new ConsoleProgress(out), new WebhookNotifier(notifyUrl, platform.platform()));
        try {
            Coordinator.Outcome outcome = Coordination.run(platform, endpoints.kafka(bus), bus.apiUrl(), bus.registryUrl(), id,
                    auditKey != null ? auditKey : endpoints.dataDir.resolve("keys").resolve("coordinator.key"),
                    progress, electionTimeout);
            out.println("platform " + platform.platform() + ": " + outcome.result()
                    + (outcome.reasons().isEmpty() ? "" : " " + outcome.reasons())
                    + (outcome.rolledBack().isEmpty() ? "" : "; rolled back " + outcome.rolledBack()));
            out.flush();
            return switch (outcome.result()) {
                case RUNNING -> 0;
                case DEGRADED -> 3;
                case ROLLED_BACK -> 1;
            };
        } catch (LostLeadershipException e) {
            out.println(id + ": " + e.getMessage());
            return 4;
        }
    }
}
