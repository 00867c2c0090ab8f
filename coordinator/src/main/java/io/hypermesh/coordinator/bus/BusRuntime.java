package io.hypermesh.coordinator.bus;

import io.hypermesh.schemas.kafka.TlsIdentity;
import io.hypermesh.platform.kafka.EmbeddedKafka;
import io.hypermesh.platform.kafka.SaslUsers;
import io.hypermesh.schemas.registry.client.HttpRegistryClient;
import io.hypermesh.platform.registry.service.SchemaRegistryService;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.platform.pki.Pki;
import io.hypermesh.schemas.topics.BusAcls;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;

import io.hypermesh.streams.app.StreamsApp;
import io.hypermesh.streams.StreamsSettings;

import java.io.PrintWriter;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * What `hypermesh up` runs: the embedded broker when no bootstrap servers are given, the catalog
 * topics, the schema registry service and every envelope schema registered under its subject.
 */
public final class BusRuntime implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BusRuntime.class);
    private final EmbeddedKafka broker;
    private final SchemaRegistryService registry;
    private final StreamsApp folds;
    private final BusEndpoints endpoints;
    private final Map<String, Integer> schemaIds;
    private final Path dataDir;
    private final Function<String, KafkaAccess> identities;

    private BusRuntime(EmbeddedKafka broker, SchemaRegistryService registry, StreamsApp folds, BusEndpoints endpoints,
                       Map<String, Integer> schemaIds, Path dataDir, Function<String, KafkaAccess> identities) {
        this.broker = broker;
        this.registry = registry;
        this.folds = folds;
        this.endpoints = endpoints;
        this.schemaIds = schemaIds;
        this.dataDir = dataDir;
        this.identities = identities;
    }

    /**
     * What to start and where.
     *
     * @param bootstrapServers an existing cluster, or null to start the embedded broker in {@code dataDir}
     * @param apiPort          port of the query API (0: any free one)
     * @param pkiDir           null for a plain bus; otherwise the bus's PKI (created there when
     *                         missing): the embedded broker speaks only mutual TLS with ACLs, and
     *                         each part connects with its own certificate. Topics and ACLs are set
     *                         up as the {@value BusAcls#BROKER} principal, the cluster's super user.
     * @param apiTokens        the bearer tokens the query API's write endpoints require
     * @param nodeName         the Consul node the query API answers as
     * @param datacenter       the Consul datacenter the query API answers for
     * @param streamThreads    the folds' stream threads
     * @param kafkaSasl        the embedded broker takes only SASL/PLAIN users (one per part, passwords
     *                         kept in {@code dataDir/sasl}) with ACLs: no TLS, but no anonymous writer
     */
    public record Settings(String bootstrapServers, Path dataDir, int kafkaPort, String host, int registryPort, int apiPort,
                           Path pkiDir, ApiTokens apiTokens, String nodeName, String datacenter, int streamThreads,
                           boolean kafkaSasl) {
        public Settings {
            if (kafkaSasl && pkiDir != null) {
                throw new IllegalArgumentException("--kafka-sasl and --pki-dir both secure the broker: choose one");
            }
            if (kafkaSasl && !(bootstrapServers == null || bootstrapServers.isBlank())) {
                throw new IllegalArgumentException("--kafka-sasl secures the embedded broker; an existing cluster's security "
                        + "is its own (give its client settings with --kafka-config)");
            }
        }

        /** A plain bus with open write APIs and one stream thread, answering as this host in dc1. */
        public static Settings plain(String bootstrapServers, Path dataDir, int kafkaPort, String host, int registryPort, int apiPort) {
            return new Settings(bootstrapServers, dataDir, kafkaPort, host, registryPort, apiPort, null, ApiTokens.open(),
                    io.hypermesh.http.HostName.local(), "dc1", 1, false);
        }

        boolean embedded() {
            return bootstrapServers == null || bootstrapServers.isBlank();
        }
    }

    /** @param log progress lines for the operator */
    public static BusRuntime start(Settings s, PrintWriter log) throws Exception {
        return start(s, log, (coordinatorAccess, registryUrl) -> { });
    }

    /**
     * @param whenRegistryUp told the coordinator's access and the registry's URL as soon as the
     *                       topics exist and the registry answers, before the folds start
     */
    public static BusRuntime start(Settings s, PrintWriter log, java.util.function.BiConsumer<KafkaAccess, String> whenRegistryUp) throws Exception {
        EmbeddedKafka broker = null;
        SchemaRegistryService registry = null;
        StreamsApp folds = null;
        try {
            if (s.pkiDir() != null) {
                Pki.Report pki = Pki.init(s.pkiDir(), BusAcls.PRINCIPALS, hostsFor(s.host()), Duration.ofDays(365), false);
                log.println("PKI in " + s.pkiDir().toAbsolutePath() + ": " + (pki.caCreated() ? "created" : "kept") + " the CA, "
                        + pki.issued().size() + " certificates issued, " + pki.kept().size() + " kept");
            }
            String bootstrap = s.bootstrapServers();
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
            Function<String, KafkaAccess> as = identities(bootstrap, s.pkiDir(), users);
            try (Admin admin = Admin.create(as.apply(BusAcls.BROKER).clientConfig())) {
                TopicAdmin.Report report = TopicAdmin.ensure(admin, Topics.ALL);
                log.println("topics: " + report.summary(Topics.ALL.size()));
                report.warnings().forEach(w -> log.println("  warning: " + w));
                if (s.pkiDir() != null || users != null) {
                    List<AclBinding> acls = BusAcls.all(StreamsSettings.DEFAULT_APPLICATION_ID);
                    admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
                    awaitAcls(admin, acls.size());
                    log.println("ACLs: " + acls.size() + " bindings for " + BusAcls.PRINCIPALS.size() + " principals");
                }
            }
            registry = SchemaRegistryService.start(as.apply(BusAcls.SCHEMA_REGISTRY).clientConfig(), s.host(), s.registryPort());
            whenRegistryUp.accept(as.apply(BusAcls.COORDINATOR), registry.url());
            log.println("starting the folds (registry, health, lifecycle, discovery) and the query API");
            log.flush();
            StreamsSettings settings = StreamsSettings.defaults(as.apply(BusAcls.FOLDS), registry.url(), s.dataDir().resolve("streams"), s.apiPort())
                    .withAdvertisedHost(s.host()).withConsulAgent(s.nodeName(), s.datacenter()).withStreamThreads(s.streamThreads())
                    // Static membership, named by the data dir: started again on the same folder after
                    // a crash, the folds take their old member's place at once instead of waiting out
                    // its 45 s session (measured: 42 of the 68 s a restart took after kill -9).
                    .withExtra(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, staticMember(s.dataDir()));
            // The envelope schemas are registered while the folds start (which register what they
            // write themselves, as any client may): 1.7 s after a crash, no longer spent in turn.
            String registryUrl = registry.url();
            TlsIdentity registryTls = as.apply(BusAcls.BROKER).tls();
            CompletableFuture<Map<String, Integer>> schemaIds = CompletableFuture.supplyAsync(() -> registerEnvelopes(registryUrl, registryTls));
            // Not awaited here: the folds restore their state while the coordinator is elected and
            // runs the first phases; phase 4 waits for them (measured after kill -9: 3 s saved).
            folds = StreamsApp.start(settings, new HttpRegistryClient(registry.url(), settings.kafka().tls()), s.apiTokens());
            Map<String, Integer> ids;
            try {
                ids = schemaIds.get(2, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                throw new IllegalStateException("the envelope schemas could not be registered: " + e.getCause().getMessage(), e.getCause());
            }
            BusEndpoints endpoints = new BusEndpoints(bootstrap, registry.url(), folds.url());
            endpoints.write(s.dataDir());
            return new BusRuntime(broker, registry, folds, endpoints, ids, s.dataDir(), as);
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

    /**
     * Waits until the broker's authorizer holds the ACLs just created: they reach it through the
     * metadata log, and a part starting before that is refused its own topics (seen with SASL,
     * whose faster handshake let the registry ask first).
     */
    private static void awaitAcls(Admin admin, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (admin.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not apply the bus's " + count + " ACLs within 30 s");
            }
            Thread.sleep(50);
        }
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

    /** Each part's access: its own certificate or SASL user on a secured bus, plain access otherwise. */
    private static Function<String, KafkaAccess> identities(String bootstrap, Path pkiDir, SaslUsers users) {
        KafkaAccess plain = KafkaAccess.to(bootstrap);
        return pkiDir != null ? principal -> plain.as(pkiDir, principal)
                : users != null ? principal -> plain.with(users.clientConfig(principal))
                : principal -> plain;
    }

    private static List<String> hostsFor(String host) {
        List<String> hosts = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        if (!hosts.contains(host) && !host.equals("0.0.0.0")) {
            hosts.add(host);
        }
        return hosts;
    }

    /** How {@code principal} reaches Kafka: with its own certificate on a secured bus. */
    public KafkaAccess access(String principal) {
        return identities.apply(principal);
    }

    public BusEndpoints endpoints() {
        return endpoints;
    }

    /** Waits until the folds answer (they restore their state after {@link #start} returned). */
    public BusRuntime foldsRunning(Duration timeout) throws InterruptedException {
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

    @Override
    public void close() {
        try {
            Files.deleteIfExists(dataDir.resolve(BusEndpoints.FILE));
        } catch (java.io.IOException e) {
            // A stale file only means the next command tries an address that no longer answers.
            LOG.warn("could not remove {}: {}", dataDir.resolve(BusEndpoints.FILE), e.toString());
        }
        folds.close();
        registry.close();
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
