package io.hypermesh.platform.kafka;

import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.kafka.PkiDirectory;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker and controller), in this JVM.
 * Its data lives in a folder: started again on the same folder, it keeps its topics.
 * Listens on loopback only.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = "127.0.0.1";

    /** The principal of the broker's own certificate: the one super user of a secured broker. */
    public static final String BROKER_COMPONENT = "broker";
    /** The longest transaction a client may ask for: a transactional producer must set transaction.timeout.ms to at most this. */
    public static final java.time.Duration MAX_TRANSACTION_TIMEOUT = java.time.Duration.ofSeconds(15);
    /** The broker's own connection limit (max.connections); more are closed by the broker. */
    public static final int MAX_CONNECTIONS = 2_048;

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int brokerPort;
    /** Each component's client settings on a secured broker (its certificate, or its SASL user); null on a plain one. */
    private final java.util.function.Function<String, Map<String, Object>> identities;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, int brokerPort,
                          java.util.function.Function<String, Map<String, Object>> identities) {
        this.server = server;
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.identities = identities;
    }

    /**
     * Starts a broker whose data lives in {@code dataDir}.
     *
     * @param brokerPort client port, 0 for any free one
     */
    public static EmbeddedKafka start(Path dataDir, int brokerPort) {
        return start(dataDir, brokerPort, null, (props, port, controllerPort) -> { }, "");
    }

    /**
     * Starts a broker that only speaks mutual TLS, on every listener, with certificates of the bus's
     * PKI ({@code hypermesh pki init}, which must have issued {@value #BROKER_COMPONENT}), and
     * KRaft's StandardAuthorizer: a client without a certificate of that CA cannot connect, and one
     * with a certificate may do only what ACLs grant its principal (the certificate's CN). The
     * broker's own principal is the only super user.
     */
    public static EmbeddedKafka startSecured(Path dataDir, int brokerPort, Path pkiDir) {
        return start(dataDir, brokerPort, component -> PkiDirectory.kafkaClientConfig(pkiDir, component),
                (props, port, controllerPort) -> secure(props, pkiDir, port, controllerPort), " (mutual TLS, ACLs)");
    }

    /**
     * Starts a broker that takes only SASL/PLAIN clients, as the users of {@code users} (which must
     * hold {@value #BROKER_COMPONENT}), with KRaft's StandardAuthorizer as {@link #startSecured}
     * has it: no TLS, but no anonymous client either, and each user may do only what ACLs grant it.
     */
    public static EmbeddedKafka startSasl(Path dataDir, int brokerPort, SaslUsers users) {
        return start(dataDir, brokerPort, users::clientConfig, (props, port, controllerPort) -> sasl(props, users, port,
                controllerPort), " (SASL/PLAIN, ACLs)");
    }

    /** What secures a broker's listeners, given the ports they take. */
    private interface Security {
        void apply(Properties props, int port, int controllerPort);
    }

    private static EmbeddedKafka start(Path dataDir, int brokerPort, java.util.function.Function<String, Map<String, Object>> identities,
                                       Security security, String description) {
        try {
            Files.createDirectories(dataDir);
            int port = brokerPort == 0 ? freePort() : brokerPort;
            int controllerPort = freePort();
            Path logDir = dataDir.resolve("kraft-logs").toAbsolutePath();
            Properties props = serverProperties(port, controllerPort, logDir);
            security.apply(props, port, controllerPort);
            format(props, logDir);
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            LOG.info("embedded Kafka broker listening on {}:{}{} (data in {})", HOST, port, description, logDir);
            return new EmbeddedKafka(server, dataDir, port, identities);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Access to this broker (on a secured broker, as the broker's own super user). */
    public KafkaAccess access() {
        return identities == null ? KafkaAccess.to(bootstrapServers()) : access(BROKER_COMPONENT);
    }

    /** Access to this secured broker as {@code component}, with its certificate or SASL user. */
    public KafkaAccess access(String component) {
        if (identities == null) {
            throw new IllegalStateException("this broker is not secured: there are no component identities");
        }
        return KafkaAccess.to(bootstrapServers()).with(identities.apply(component));
    }

    /** Client settings that reach this broker (on a secured broker, as the broker's own super user). */
    public Map<String, Object> clientConfig() {
        return access().clientConfig();
    }

    /** Client settings that reach this secured broker as {@code component}, with its certificate. */
    public Map<String, Object> clientConfig(String component) {
        return access(component).clientConfig();
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private static Properties serverProperties(int port, int controllerPort, Path logDir) {
        return nodeProperties(1, port, controllerPort, "1@" + HOST + ":" + controllerPort, logDir, 1);
    }

    /**
     * One KRaft node that is broker and controller, on loopback.
     *
     * @param voters      every controller as id@host:port
     * @param replication how many copies of internal topics (and by default of any topic); two must
     *                    be in sync when there are three or more
     */
    public static Properties nodeProperties(int nodeId, int port, int controllerPort, String voters, Path logDir, int replication) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // Internal topics must not ask for more replicas than exist, or groups and transactions
        // never become available.
        String copies = Integer.toString(replication);
        String inSync = replication >= 3 ? "2" : "1";
        p.put("offsets.topic.replication.factor", copies);
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", copies);
        p.put("transaction.state.log.min.isr", inSync);
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", copies);
        p.put("share.coordinator.state.topic.min.isr", inSync);
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", copies);
        p.put("min.insync.replicas", inSync);
        // After kill -9 the controller keeps the dead broker's registration until its session
        // times out (9 s by default), and the new broker waits for that before it is unfenced.
        // 3 s ends that wait while the logs are still being recovered (about 3 s after a crash
        // with 3,000 instances), and is still far from what a GC pause could miss.
        p.put("broker.session.timeout.ms", "3000");
        // The controller appends a no-op record to the metadata log when it has written nothing for
        // this long (500 ms by default), and every metadata listener of the broker wakes for it: on
        // an idle bus that was a steady part of the broker's CPU.
        p.put("metadata.max.idle.interval.ms", "5000");
        p.put("broker.heartbeat.interval.ms", "500");
        // A client's open transaction holds every read_committed reader of its partitions (the
        // folds) at its first offset until it ends, and the broker ends it only after the client's
        // own timeout (up to 15 min by default). The cap bounds that hold; the folds' exactly-once
        // producers ask for 10 s (Streams' default), the registry and coordinator for as much.
        p.put("transaction.max.timeout.ms", Long.toString(MAX_TRANSACTION_TIMEOUT.toMillis()));
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        // Connections to Kafka share the process's file descriptors with the logs: bounded, so a
        // flood of connections is refused by the broker instead of failing its log directory.
        p.put("max.connections", Integer.toString(MAX_CONNECTIONS));
        return p;
    }

    private static void secure(Properties p, Path pkiDir, int port, int controllerPort) {
        secureListeners(p, "SSL", port, controllerPort);
        Map<String, Object> tls = PkiDirectory.kafkaClientConfig(pkiDir, BROKER_COMPONENT);
        tls.forEach((k, v) -> {
            if (k.startsWith("ssl.")) {
                p.put(k, v.toString());
            }
        });
        p.put("ssl.client.auth", "required");
        p.put("ssl.principal.mapping.rules", io.hypermesh.platform.pki.Pki.PRINCIPAL_MAPPING_RULE);
    }

    private static void sasl(Properties p, SaslUsers users, int port, int controllerPort) {
        secureListeners(p, "SASL_PLAINTEXT", port, controllerPort);
        p.put("sasl.enabled.mechanisms", "PLAIN");
        p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        String jaas = users.brokerJaas(BROKER_COMPONENT);
        p.put("listener.name.client.plain.sasl.jaas.config", jaas);
        p.put("listener.name.controller.plain.sasl.jaas.config", jaas);
    }

    /** Both listeners on {@code protocol}, KRaft's authorizer, the broker's own principal the one super user. */
    private static void secureListeners(Properties p, String protocol, int port, int controllerPort) {
        p.put("listeners", "CLIENT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "CLIENT://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", "CLIENT:" + protocol + ",CONTROLLER:" + protocol);
        p.put("inter.broker.listener.name", "CLIENT");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + BROKER_COMPONENT);
        p.put("allow.everyone.if.no.acl.found", "false");
    }

    /** Formats the log folder on first start; a folder already formatted is kept as it is. */
    private static void format(Properties props, Path logDir) throws Exception {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        format(logDir, Uuid.randomUuid().toString(), 1);
    }

    /** Formats a node's log folder as a member of cluster {@code clusterId}. */
    public static void format(Path logDir, String clusterId, int nodeId) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setClusterId(clusterId)
                .setNodeId(nodeId)
                .setDirectories(java.util.List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setUnstableFeatureVersionsEnabled(false)
                .setIgnoreFormatted(true)
                .run();
    }

    /** A port free on loopback right now, for servers that must know their port before they bind. */
    public static int freePort() throws IOException {
        return io.hypermesh.http.FreePorts.onLoopback();
    }
}
