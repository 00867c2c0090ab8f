package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "registry", mixinStandardHelpOptions = true, subcommands = {RegistryImportCommand.class},
        description = "Run one schema registry instance (Confluent's REST API and wire format) on its Kafka log; "
                + "instances on the same cluster share it and each serves every schema. Runs until Ctrl-C.")
final class RegistryCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    EndpointOptions endpoints;

    @Option(names = "--port", defaultValue = "8081", description = "HTTP port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @picocli.CommandLine.Mixin
    BindOption bind;

    @Override
    public Integer call() throws Exception {
        BusEndpoints bus = endpoints.resolve();
        SchemaRegistryService registry = SchemaRegistryService.start(endpoints.kafka(bus).clientConfig(), bind.host, port);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Schema registry: " + registry.url() + " (log on " + bus.bootstrapServers() + ")");
        out.flush();
        UntilStopped.await(out, "schema registry", registry);
        return 0;
    }
}
