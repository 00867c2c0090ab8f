package io.hypermesh.coordinator.bus;

import io.hypermesh.schemas.kafka.EmbeddedKafka;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.schemas.registry.service.SchemaRegistryService;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;

import io.hypermesh.streams.StreamsApp;
import io.hypermesh.streams.StreamsSettings;

import java.io.PrintWriter;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What `hypermesh up` runs: the embedded broker when no bootstrap servers are given, the catalog
 * topics, the schema registry service and every envelope schema registered under its subject.
 */
public final class BusRuntime implements AutoCloseable {
    private final EmbeddedKafka broker;
    private final SchemaRegistryService registry;
    private final StreamsApp folds;
    private final BusEndpoints endpoints;
    private final Map<String, Integer> schemaIds;
    private final Path dataDir;

    private BusRuntime(EmbeddedKafka broker, SchemaRegistryService registry, StreamsApp folds, BusEndpoints endpoints,
                       Map<String, Integer> schemaIds, Path dataDir) {
        this.broker = broker;
        this.registry = registry;
        this.folds = folds;
        this.endpoints = endpoints;
        this.schemaIds = schemaIds;
        this.dataDir = dataDir;
    }

    /**
     * @param bootstrapServers an existing cluster, or null to start the embedded broker in {@code dataDir}
     * @param apiPort          port of the query API (0: any free one)
     * @param log              progress lines for the operator
     */
    public static BusRuntime start(String bootstrapServers, Path dataDir, int kafkaPort, String host, int registryPort,
                                   int apiPort, PrintWriter log) throws Exception {
        EmbeddedKafka broker = null;
        SchemaRegistryService registry = null;
        StreamsApp folds = null;
        try {
            String bootstrap = bootstrapServers;
            if (bootstrap == null || bootstrap.isBlank()) {
                log.println("starting embedded Kafka (KRaft) with data in " + dataDir.resolve("kafka").toAbsolutePath());
                log.flush();
                broker = EmbeddedKafka.start(dataDir.resolve("kafka"), kafkaPort);
                bootstrap = broker.bootstrapServers();
            }
            Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(client)) {
                TopicAdmin.Report report = TopicAdmin.ensure(admin, Topics.ALL);
                log.println("topics: " + report.created().size() + " created, " + report.reconfigured().size()
                        + " reconfigured, " + (Topics.ALL.size() - report.created().size()) + " already present");
                report.warnings().forEach(w -> log.println("  warning: " + w));
            }
            registry = SchemaRegistryService.start(client, host, registryPort);
            Map<String, Integer> ids = new LinkedHashMap<>();
            try (HttpRegistryClient schemas = new HttpRegistryClient(registry.url())) {
                for (TopicSpec topic : Topics.ALL) {
                    if (topic.valueType() == null) {
                        continue;
                    }
                    ids.put(topic.valueSubject(), schemas.register(topic.valueSubject(), topic.valueSchema()));
                }
            }
            log.println("starting the folds (registry, health, lifecycle, discovery) and the query API");
            log.flush();
            StreamsSettings settings = StreamsSettings.defaults(bootstrap, registry.url(), dataDir.resolve("streams"), apiPort)
                    .withAdvertisedHost(host);
            folds = StreamsApp.start(settings, new HttpRegistryClient(registry.url()));
            folds.awaitRunning(Duration.ofMinutes(2));
            BusEndpoints endpoints = new BusEndpoints(bootstrap, registry.url(), folds.url());
            endpoints.write(dataDir);
            return new BusRuntime(broker, registry, folds, endpoints, ids, dataDir);
        } catch (Exception e) {
            if (folds != null) {
                folds.close();
            }
            if (registry != null) {
                registry.close();
            }
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
    }

    public BusEndpoints endpoints() {
        return endpoints;
    }

    /** Subject to global schema id of every envelope registered at start. */
    public Map<String, Integer> schemaIds() {
        return schemaIds;
    }

    /** The query API (catalog, health, lifecycle, agent endpoints). */
    public String apiUrl() {
        return folds.url();
    }

    public boolean embedded() {
        return broker != null;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(dataDir.resolve(BusEndpoints.FILE));
        } catch (Exception ignored) {
            // a stale file only means the next command tries an address that no longer answers
        }
        folds.close();
        registry.close();
        if (broker != null) {
            broker.close();
        }
    }
}
