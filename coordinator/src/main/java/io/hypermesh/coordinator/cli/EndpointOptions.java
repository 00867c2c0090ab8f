package io.hypermesh.coordinator.cli;

import io.hypermesh.coordinator.bus.BusEndpoints;
import io.hypermesh.schemas.kafka.KafkaAccess;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where to find the bus: flags, then environment, then the endpoints file `hypermesh up` wrote. */
final class EndpointOptions {
    static final String ENV_KAFKA_CONFIG = "HYPERMESH_KAFKA_CONFIG";

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (or env HYPERMESH_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client settings (TLS identity, SASL), as Kafka's --command-config takes them; "
                    + "`hypermesh pki init` writes one per component (or env " + ENV_KAFKA_CONFIG + ").")
    Path kafkaConfig;

    @Option(names = "--registry-url", description = "Schema registry URL(s), comma-separated (or env HYPERMESH_REGISTRY_URL).")
    String registryUrl;

    @Option(names = "--api-url", description = "Query API URL (or env HYPERMESH_API_URL).")
    String apiUrl;

    @Option(names = "--data-dir", defaultValue = ".hypermesh", description = "Folder of `hypermesh up` (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    BusEndpoints resolve() {
        return BusEndpoints.resolve(bootstrapServers, registryUrl, apiUrl, dataDir, System.getenv());
    }

    /** How this command reaches Kafka: the bus's bootstrap servers and the client settings file, if any. */
    KafkaAccess kafka(BusEndpoints bus) {
        KafkaAccess plain = KafkaAccess.to(bus.bootstrapServers());
        Path settings = kafkaConfig != null ? kafkaConfig : envPath();
        return settings == null ? plain : plain.withPropertiesFile(settings);
    }

    private static Path envPath() {
        String value = System.getenv(ENV_KAFKA_CONFIG);
        return value == null || value.isBlank() ? null : Path.of(value);
    }
}
