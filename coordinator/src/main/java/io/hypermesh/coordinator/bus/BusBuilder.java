package io.hypermesh.coordinator.bus;

import io.hypermesh.http.auth.ApiTokens;
import io.hypermesh.schemas.topics.BusAcls;
import io.hypermesh.streams.anomaly.AnomalySettings;
import io.hypermesh.streams.connect.DecisionLog;

import java.io.PrintWriter;
import java.nio.file.Path;

/** What to start and where; every setting has the default `up` documents. */
public final class BusBuilder {
    private String bootstrapServers;
    private Path dataDir = Path.of(".hypermesh");
    private int kafkaPort = 9092;
    private String host = "127.0.0.1";
    private int registryPort = 8081;
    private int apiPort = 8500;
    private Path pkiDir;
    private boolean kafkaSasl;
    private ApiTokens apiTokens = ApiTokens.open();
    /** Null: this host's name, looked up only when no node name was given. */
    private String nodeName;
    private String datacenter = "dc1";
    /** Null: the preset's. */
    private Integer streamThreads;
    private BusPreset preset = BusPreset.bundled("development");
    private AnomalySettings anomalies = AnomalySettings.DEFAULTS;
    private DecisionLog.Mode decisions = DecisionLog.Mode.OFF;
    private PrintWriter log = new PrintWriter(java.io.Writer.nullWriter());

    BusBuilder() {
    }

    /** An existing cluster; none (the default) starts the embedded broker in the data dir. */
    public BusBuilder bootstrapServers(String servers) {
        this.bootstrapServers = servers;
        return this;
    }

    public BusBuilder dataDir(Path dir) {
        this.dataDir = dir;
        return this;
    }

    /** Ports of the embedded broker, the registry and the query API; 0 for any free one. */
    public BusBuilder ports(int kafka, int registry, int api) {
        this.kafkaPort = kafka;
        this.registryPort = registry;
        this.apiPort = api;
        return this;
    }

    /** The address every part listens on and advertises. */
    public BusBuilder host(String address) {
        this.host = address;
        return this;
    }

    /**
     * Secures the bus with this PKI (created there when missing): the embedded broker speaks only
     * mutual TLS with ACLs, and each part connects with its own certificate. Topics and ACLs are
     * set up as the {@value BusAcls#BROKER} principal, the cluster's super user.
     */
    public BusBuilder pki(Path dir) {
        this.pkiDir = dir;
        return this;
    }

    /** The embedded broker takes only SASL/PLAIN users (one per part, passwords in {@code <data-dir>/sasl}) with ACLs. */
    public BusBuilder kafkaSasl(boolean sasl) {
        this.kafkaSasl = sasl;
        return this;
    }

    /** The bearer tokens the query API's write endpoints require. */
    public BusBuilder apiTokens(ApiTokens tokens) {
        this.apiTokens = tokens;
        return this;
    }

    /** The Consul node and datacenter the query API answers as. */
    public BusBuilder consulAgent(String node, String dc) {
        this.nodeName = node;
        this.datacenter = dc;
        return this;
    }

    /** The preset's settings (development unless given); a setting given here as well wins over the preset's. */
    public BusBuilder preset(BusPreset settings) {
        this.preset = settings;
        return this;
    }

    public BusBuilder streamThreads(int threads) {
        this.streamThreads = threads;
        return this;
    }

    /** Points an open anomaly takes off the health score of its series' component (0 for none). */
    public BusBuilder anomalyHealthWeight(double points) {
        this.anomalies = anomalies.withHealthWeight(points);
        return this;
    }

    /** How long a workload's behaviours are learned, from its first event, before a new one is an anomaly. */
    public BusBuilder workloadLearning(java.time.Duration period) {
        this.anomalies = anomalies.withWorkloadLearnFor(period);
        return this;
    }

    /** Which Connect authorization decisions go to {@code hypermesh.decisions} (the CA's keys: in the PKI folder). */
    public BusBuilder connectDecisions(DecisionLog.Mode mode) {
        this.decisions = mode;
        return this;
    }

    /** Where the operator's progress lines go. */
    public BusBuilder log(PrintWriter writer) {
        this.log = writer;
        return this;
    }

    /** The bus, checked and not yet started. */
    public Bus build() {
        String node = nodeName != null ? nodeName : io.hypermesh.http.HostName.local();
        // A preset of mutual TLS keeps its PKI beside the data unless told where it is.
        Path pki = pkiDir == null && preset.mutualTls() ? dataDir.resolve("pki") : pkiDir;
        return new Bus(new Settings(bootstrapServers, dataDir, kafkaPort, host, registryPort, apiPort, pki, apiTokens, node,
                datacenter, streamThreads != null ? streamThreads : preset.streamThreads(), kafkaSasl, anomalies, decisions, preset),
                log);
    }

    /** Builds the bus and starts it whole: core, then folds. */
    public Bus start() throws Exception {
        Bus bus = build();
        try {
            return bus.startCore().startFolds();
        } catch (Exception e) {
            bus.close();
            throw e;
        }
    }

    /** What {@link BusBuilder} gathered, checked. */
    record Settings(String bootstrapServers, Path dataDir, int kafkaPort, String host, int registryPort, int apiPort,
                    Path pkiDir, ApiTokens apiTokens, String nodeName, String datacenter, int streamThreads,
                    boolean kafkaSasl, AnomalySettings anomalies, DecisionLog.Mode decisions, BusPreset preset) {
        Settings {
            // The preset first: its PKI is set before this check, and the other message would name a flag never given.
            if (kafkaSasl && preset.mutualTls()) {
                throw new IllegalArgumentException("preset " + preset.name() + " secures the bus with mutual TLS; --kafka-sasl is the "
                        + "other way: choose one");
            }
            if (kafkaSasl && pkiDir != null) {
                throw new IllegalArgumentException("--kafka-sasl and --pki-dir both secure the broker: choose one");
            }
            if (kafkaSasl && !(bootstrapServers == null || bootstrapServers.isBlank())) {
                throw new IllegalArgumentException("--kafka-sasl secures the embedded broker; an existing cluster's security "
                        + "is its own (give its client settings with --kafka-config)");
            }
        }

        boolean embedded() {
            return bootstrapServers == null || bootstrapServers.isBlank();
        }
    }
}
