package io.hypermesh.coordinator.bus;

import io.hypermesh.schemas.kafka.TlsIdentity;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.kafka.SaslUsers;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.platform.pki.Pki;
import io.hypermesh.streams.connect.ConnectSettings;
import io.hypermesh.streams.connect.IntentionBook;
import io.hypermesh.schemas.topics.BusAcls;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;

import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.StreamsSettings;

import java.io.PrintWriter;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The bus core `hypermesh up` runs, built by {@link #builder()} and started in two visible steps:
 * {@link #startCore()} (the embedded broker when no bootstrap servers are given, the catalog topics,
 * ACLs on a secured bus, the schema registry service), then {@link #startFolds()} (the folds and
 * their query API, with every envelope schema registered under its subject meanwhile). Between
 * the two the caller may start what needs only the core: `up` elects its coordinator there.
 */
public final class Bus implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Bus.class);
    private final BusBuilder.Settings s;
    private final PrintWriter log;
    private EmbeddedKafka broker;
    private SchemaRegistryService registry;
    private StreamsApp folds;
    private BusEndpoints endpoints;
    private Map<String, Integer> schemaIds = Map.of();
    private Function<String, KafkaAccess> identities;
    private String bootstrap;

    Bus(BusBuilder.Settings s, PrintWriter log) {
        this.s = s;
        this.log = log;
    }

    public static BusBuilder builder() {
        return new BusBuilder();
    }


    /** Step one: the broker (embedded unless given one), the topics, ACLs on a secured bus, and the schema registry. */
    public Bus startCore() throws Exception {
        String refused = s.embedded() ? s.preset().refusalFor(1, true) : null;
        if (refused != null) {
            throw new IllegalArgumentException(refused);
        }
        if (s.pkiDir() != null) {
            Pki.Report pki = Pki.init(s.pkiDir(), BusAcls.PRINCIPALS, BusAccess.hostsFor(s.host()), Duration.ofDays(365), false);
            log.println("PKI in " + s.pkiDir().toAbsolutePath() + ": " + (pki.caCreated() ? "created" : "kept") + " the CA, "
                    + pki.issued().size() + " certificates issued, " + pki.kept().size() + " kept");
        }
        bootstrap = s.bootstrapServers();
        SaslUsers users = s.kafkaSasl() ? SaslUsers.init(s.dataDir().resolve("sasl"), BusAcls.PRINCIPALS) : null;
        if (s.embedded()) {
            Path kafkaDir = s.dataDir().resolve("kafka");
            log.println("starting embedded Kafka (KRaft) with data in " + kafkaDir.toAbsolutePath()
                    + (s.pkiDir() != null ? ", mutual TLS and ACLs" : users != null ? ", SASL/PLAIN and ACLs" : ""));
            log.flush();
            broker = s.pkiDir() != null ? EmbeddedKafka.startSecured(kafkaDir, s.kafkaPort(), s.pkiDir())
                    : users != null ? EmbeddedKafka.startSasl(kafkaDir, s.kafkaPort(), users)
                    : EmbeddedKafka.start(kafkaDir, s.kafkaPort());
            bootstrap = broker.bootstrapServers();
        }
        identities = BusAccess.identities(bootstrap, s.pkiDir(), users);
        try (Admin admin = Admin.create(access(BusAcls.BROKER).clientConfig())) {
            refused = s.embedded() ? null : s.preset().refusalFor(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size(), false);
            if (refused != null) {
                throw new IllegalArgumentException(refused);
            }
            TopicAdmin.Report report = TopicAdmin.ensure(admin, Topics.ALL);
            log.println("topics: " + report.summary(Topics.ALL.size()));
            if (!s.embedded()) {
                // The embedded broker is one node by design: fewer replicas than declared is no news there.
                report.warnings().forEach(w -> log.println("  warning: " + w));
            }
            if (s.pkiDir() != null || users != null) {
                List<AclBinding> acls = BusAcls.all(StreamsSettings.DEFAULT_APPLICATION_ID);
                admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
                BusAccess.awaitAcls(admin, acls.size());
                log.println("ACLs: " + acls.size() + " bindings for " + BusAcls.PRINCIPALS.size() + " principals");
            }
        }
        registry = SchemaRegistryService.start(access(BusAcls.SCHEMA_REGISTRY).clientConfig(), s.host(), s.registryPort());
        return this;
    }

    /** Step two: the folds and their query API; the envelope schemas are registered meanwhile. */
    public Bus startFolds() throws Exception {
        log.println("starting the folds (registry, health, lifecycle, discovery, anomalies, intentions, KV) and the query API");
        log.flush();
        StreamsSettings settings = StreamsSettings.defaults(access(BusAcls.FOLDS), registry.url(), s.dataDir().resolve("streams"),
                s.apiPort())
                .withAdvertisedHost(s.host()).withConsulAgent(s.nodeName(), s.datacenter()).withStreamThreads(s.streamThreads())
                .withAnomalies(s.anomalies()).withProcessingGuarantee(s.preset().processingGuarantee())
                .withConnect(new ConnectSettings(s.pkiDir() != null ? s.pkiDir().resolve("connect") : s.dataDir().resolve("connect-ca"),
                        IntentionBook.DefaultPolicy.of(s.pkiDir() != null || s.kafkaSasl() || s.apiTokens().required()), s.decisions()));
        for (Map.Entry<String, Object> e : s.preset().streamsConfig().entrySet()) {
            settings = settings.withExtra(e.getKey(), e.getValue());
        }
        if (s.preset().staticMembership()) {
            // Named by the data dir: started again on the same folder after a crash, the folds take
            // their old member's place at once instead of waiting out its 45 s session (measured: 42
            // of the 68 s a restart took after kill -9).
            settings = settings.withExtra(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                    staticMember(s.dataDir()));
        }
        // The envelope schemas are registered while the folds start (which register what they
        // write themselves, as any client may): 1.7 s after a crash, no longer spent in turn.
        String registryUrl = registry.url();
        TlsIdentity registryTls = access(BusAcls.BROKER).tls();
        CompletableFuture<Map<String, Integer>> ids = CompletableFuture.supplyAsync(() -> registerEnvelopes(registryUrl, registryTls));
        // Not awaited here: the folds restore their state while the coordinator is elected and
        // runs the first phases; phase 4 waits for them (measured after kill -9: 3 s saved).
        folds = StreamsApp.start(settings, new HttpRegistryClient(registry.url(), settings.kafka().tls()), s.apiTokens());
        try {
            schemaIds = ids.get(2, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the envelope schemas could not be registered: " + e.getCause().getMessage(), e.getCause());
        }
        endpoints = new BusEndpoints(bootstrap, registry.url(), folds.url());
        endpoints.write(s.dataDir());
        return this;
    }

    /** The schema registry's URL, once the core is up. */
    public String registryUrl() {
        return registry.url();
    }

    private static Map<String, Integer> registerEnvelopes(String registryUrl, TlsIdentity tls) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        try (HttpRegistryClient schemas = new HttpRegistryClient(registryUrl, tls)) {
            for (TopicSpec<?> topic : Topics.ALL) {
                if (topic.valueType() != null) {
                    ids.put(topic.valueSubject(), schemas.register(topic.valueSubject(), topic.valueSchema()));
                }
            }
        }
        return ids;
    }

    /** How {@code principal} reaches Kafka: with its own certificate on a secured bus. */
    public KafkaAccess access(String principal) {
        return identities.apply(principal);
    }

    public BusEndpoints endpoints() {
        return endpoints;
    }

    /** Waits until the folds answer (they restore their state after {@link #start} returned). */
    public Bus foldsRunning(Duration timeout) throws InterruptedException {
        folds.awaitRunning(timeout);
        return this;
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

    /** For the operator: where a client's settings are on a secured bus; empty on an open one. */
    public String clientSettingsHint() {
        String file = "<component>.properties";
        return s.pkiDir() != null ? "  (mutual TLS: connect with --kafka-config " + s.pkiDir().resolve(file) + ")"
                : s.kafkaSasl() ? "  (SASL/PLAIN: connect with --kafka-config " + s.dataDir().resolve("sasl").resolve(file) + ")" : "";
    }

    /** Stops what was started, folds first, and removes the endpoints file. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(s.dataDir().resolve(BusEndpoints.FILE));
        } catch (java.io.IOException e) {
            // A stale file only means the next command tries an address that no longer answers.
            LOG.warn("could not remove {}: {}", s.dataDir().resolve(BusEndpoints.FILE), e.toString());
        }
        if (folds != null) {
            folds.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** The folds' consumer-group member name for a data dir: the same folder, the same member. */
    static String staticMember(Path dataDir) {
        java.util.UUID id = java.util.UUID.nameUUIDFromBytes(dataDir.toAbsolutePath().normalize().toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "hypermesh-up-" + id;
    }
}
