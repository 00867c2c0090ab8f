package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BusEndpoints;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where to find the bus: flags, then environment, then the endpoints file `hypermesh up` wrote. */
final class EndpointOptions {
    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (or env HYPERMESH_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--registry-url", description = "Schema registry URL(s), comma-separated (or env HYPERMESH_REGISTRY_URL).")
    String registryUrl;

    @Option(names = "--api-url", description = "Query API URL (or env HYPERMESH_API_URL).")
    String apiUrl;

    @Option(names = "--data-dir", defaultValue = ".hypermesh", description = "Folder of `hypermesh up` (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    BusEndpoints resolve() {
        return BusEndpoints.resolve(bootstrapServers, registryUrl, apiUrl, dataDir, System.getenv());
    }
}
