package io.hypermesh.streams;

import io.hypermesh.http.HostName;
import io.hypermesh.streams.anomaly.AnomalySettings;
import io.hypermesh.streams.connect.ConnectSettings;

import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.serde.SerdeConfig;
import io.hypermesh.schemas.kafka.KafkaAccess;
import io.hypermesh.schemas.kafka.LongPollConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Settings of the folds and the query API. Topologies are pure functions of these; the same
 * settings also produce the Kafka Streams properties.
 *
 * @param applicationId            Kafka Streams application id; a new id rebuilds every fold from offset 0
 * @param processingGuarantee      exactly_once_v2 (default) or at_least_once
 * @param commitInterval           how often state is committed; under EOS the bound on visibility latency
 * @param expiryEnabled            whether this instance expires instances whose TTL lapsed (off for audit rebuilds)
 * @param expiryScanInterval       how often TTLs are checked
 * @param selfPreservationRatio    above this share of instances lapsing in one scan, nothing is expired (a bus outage, not a fleet death)
 * @param selfPreservationMinimum  the guard applies only with at least this many instances
 * @param healthAlpha              weight of the newest check result in the score (0..1)
 * @param latencyBudgetMs          check latency above this lowers the score
 * @param nodeName                 the Consul node of this instance: registrations it accepts name it unless they name their own
 * @param datacenter               the Consul datacenter the API answers for ("dc1" unless told)
 * @param maxRequestBytes          the largest request body the query API reads; a larger one is answered 413
 * @param maxWatchers              how many blocking queries and event streams may be open at once; more are answered 429
 * @param apiLimits                the query API's other bulkheads (per client, answers in flight, connections)
 * @param anomalies                when the series detector opens and clears anomalies
 * @param connect                  the Connect CA's folder, the default intention policy and the decision log
 */
public record StreamsSettings(String applicationId, KafkaAccess kafka, String registryUrl,
                              String processingGuarantee, Duration commitInterval, Path stateDir,
                              String advertisedHost, int httpPort,
                              boolean expiryEnabled, Duration expiryScanInterval,
                              double selfPreservationRatio, int selfPreservationMinimum,
                              double healthAlpha, double latencyBudgetMs,
                              String nodeName, String datacenter, int maxRequestBytes, int maxWatchers,
                              ApiLimits apiLimits, AnomalySettings anomalies, ConnectSettings connect,
                              Map<String, Object> extraStreamsConfig) {
    /** The folds' application id unless told otherwise; ACLs on a secured bus are granted under it. */
    public static final String DEFAULT_APPLICATION_ID = "hypermesh-bus";

    public StreamsSettings {
        if (healthAlpha <= 0 || healthAlpha > 1) {
            throw new IllegalArgumentException("healthAlpha must be in (0, 1], was " + healthAlpha);
        }
        if (selfPreservationRatio <= 0 || selfPreservationRatio > 1) {
            throw new IllegalArgumentException("selfPreservationRatio must be in (0, 1], was " + selfPreservationRatio);
        }
        if (!processingGuarantee.equals(StreamsConfig.EXACTLY_ONCE_V2) && !processingGuarantee.equals(StreamsConfig.AT_LEAST_ONCE)) {
            throw new IllegalArgumentException("processing guarantee must be exactly_once_v2 or at_least_once, was " + processingGuarantee);
        }
        if (nodeName == null || nodeName.isBlank() || datacenter == null || !datacenter.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("node name must not be blank and the datacenter must be letters, digits, '_', '.' or "
                    + "'-'; were '"
                    + nodeName + "', '" + datacenter + "'");
        }
        if (maxWatchers < 1) {
            throw new IllegalArgumentException("at least one watcher must be allowed, was " + maxWatchers);
        }
        if (maxRequestBytes < 1024) {
            throw new IllegalArgumentException("the largest request body must be at least 1024 bytes, was " + maxRequestBytes);
        }
        extraStreamsConfig = Map.copyOf(extraStreamsConfig);
    }

    /** Defaults for one instance; tests and the command line override what they need. */
    public static StreamsSettings defaults(KafkaAccess kafka, String registryUrl, Path stateDir, int httpPort) {
        return new StreamsSettings(DEFAULT_APPLICATION_ID, kafka, registryUrl, StreamsConfig.EXACTLY_ONCE_V2,
                Duration.ofMillis(100), stateDir, "127.0.0.1", httpPort, true, Duration.ofMillis(250),
                0.5, 3, 0.3, 250, HostName.local(), "dc1", 1024 * 1024, 10_000, ApiLimits.DEFAULTS, AnomalySettings.DEFAULTS,
                ConnectSettings.DEFAULTS, Map.of());
    }

    public StreamsSettings withApplicationId(String id) {
        return toBuilder().applicationId(id).build();
    }

    public StreamsSettings withExpiry(boolean enabled, Duration scanInterval) {
        return toBuilder().expiry(enabled, scanInterval).build();
    }

    public StreamsSettings withStateDir(Path dir, int port) {
        return toBuilder().stateDir(dir).httpPort(port).build();
    }

    public StreamsSettings withAdvertisedHost(String host) {
        return toBuilder().advertisedHost(host).build();
    }

    /** The Consul node and datacenter this instance answers as. */
    public StreamsSettings withConsulAgent(String node, String dc) {
        Builder b = toBuilder();
        b.nodeName = node;
        b.datacenter = dc;
        return b.build();
    }

    public StreamsSettings withMaxWatchers(int watchers) {
        Builder b = toBuilder();
        b.maxWatchers = watchers;
        return b.build();
    }

    public StreamsSettings withApiLimits(ApiLimits limits) {
        Builder b = toBuilder();
        b.apiLimits = limits;
        return b.build();
    }

    public StreamsSettings withAnomalies(AnomalySettings settings) {
        Builder b = toBuilder();
        b.anomalies = settings;
        return b.build();
    }

    public StreamsSettings withConnect(ConnectSettings settings) {
        Builder b = toBuilder();
        b.connect = settings;
        return b.build();
    }

    /** Where the Connect CA keeps its roots: the folder configured, else one in the state folder. */
    public java.nio.file.Path caDir() {
        return connect.caDir() != null ? connect.caDir() : stateDir.resolve("connect-ca");
    }

    public StreamsSettings withMaxRequestBytes(int bytes) {
        Builder b = toBuilder();
        b.maxRequestBytes = bytes;
        return b.build();
    }

    public StreamsSettings withProcessingGuarantee(String guarantee) {
        return toBuilder().processingGuarantee(guarantee).build();
    }

    /**
     * Stream threads of this instance (Kafka Streams' {@code num.stream.threads}): each runs some
     * of the tasks, one per input partition, so more than one helps only while this instance owns
     * more partitions than threads and a thread's core is saturated.
     */
    public StreamsSettings withStreamThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("stream threads must be at least 1, was " + threads);
        }
        return withExtra(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    }

    public StreamsSettings withExtra(String key, Object value) {
        Builder b = toBuilder();
        b.extra.put(key, value);
        return b.build();
    }

    private Builder toBuilder() {
        return new Builder(this);
    }

    /** Copies settings with some values changed; records have no "with" of their own. */
    private static final class Builder {
        private String applicationId;
        private String processingGuarantee;
        private Path stateDir;
        private String advertisedHost;
        private int httpPort;
        private boolean expiryEnabled;
        private Duration expiryScanInterval;
        private String nodeName;
        private String datacenter;
        private int maxRequestBytes;
        private int maxWatchers;
        private ApiLimits apiLimits;
        private AnomalySettings anomalies;
        private ConnectSettings connect;
        private final StreamsSettings from;
        private final Map<String, Object> extra;

        Builder(StreamsSettings from) {
            this.from = from;
            this.applicationId = from.applicationId;
            this.processingGuarantee = from.processingGuarantee;
            this.stateDir = from.stateDir;
            this.advertisedHost = from.advertisedHost;
            this.httpPort = from.httpPort;
            this.expiryEnabled = from.expiryEnabled;
            this.expiryScanInterval = from.expiryScanInterval;
            this.nodeName = from.nodeName;
            this.datacenter = from.datacenter;
            this.maxRequestBytes = from.maxRequestBytes;
            this.maxWatchers = from.maxWatchers;
            this.apiLimits = from.apiLimits;
            this.anomalies = from.anomalies;
            this.connect = from.connect;
            this.extra = new HashMap<>(from.extraStreamsConfig);
        }

        Builder applicationId(String v) {
            applicationId = v;
            return this;
        }

        Builder processingGuarantee(String v) {
            processingGuarantee = v;
            return this;
        }

        Builder stateDir(Path v) {
            stateDir = v;
            return this;
        }

        Builder advertisedHost(String v) {
            advertisedHost = v;
            return this;
        }

        Builder httpPort(int v) {
            httpPort = v;
            return this;
        }

        Builder expiry(boolean enabled, Duration interval) {
            expiryEnabled = enabled;
            expiryScanInterval = interval;
            return this;
        }

        StreamsSettings build() {
            return new StreamsSettings(applicationId, from.kafka, from.registryUrl, processingGuarantee,
                    from.commitInterval, stateDir, advertisedHost, httpPort, expiryEnabled, expiryScanInterval,
                    from.selfPreservationRatio, from.selfPreservationMinimum, from.healthAlpha, from.latencyBudgetMs, nodeName,
                            datacenter, maxRequestBytes, maxWatchers, apiLimits, anomalies, connect, extra);
        }
    }

    /** host:port other instances use to reach this one's query API. */
    public String applicationServer() {
        return advertisedHost + ":" + httpPort;
    }

    /** The settings of the Kafka Streams instance, whose dead-letter handler writes through {@code registry}. */
    public Properties streamsProperties(RegistryClient registry) {
        Properties p = streamsProperties();
        p.put(SerdeConfig.REGISTRY_CLIENT, registry);
        return p;
    }

    /** The settings of the Kafka Streams instance, without a registry client (enough to build its topology). */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.putAll(kafka.clientConfig());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        // The same handler for global stores too (5.0's default; we have none today): one rule, no startup warning.
        p.put("processing.exception.handler.global.enabled", true);
        p.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
        p.put(SerdeConfig.REGISTRY_URL, registryUrl);
        p.put(StreamsConfig.producerPrefix("acks"), "all");
        // Latency over batching: each fold is several topic hops (state topic, foreign-key join, regrouping),
        // and Streams' defaults (100 ms linger, a record cache flushed on commit) add their delay at every hop.
        p.put(StreamsConfig.producerPrefix("linger.ms"), 1);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        // A task reading several topics processes what it has instead of waiting for a fetch of the others
        // (at 0, Kafka also formats a log line per task per loop, trace on or not: 5-8% of the fold's allocation).
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // A record is fetched as soon as it is written; an idle fold asks the broker once a second, not twice.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), LongPollConsumer.FOLDS_FETCH_MAX_WAIT_MS);
        p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), LongPollConsumer.FOLDS_FETCH_MAX_WAIT_MS);
        p.putAll(extraStreamsConfig);
        return p;
    }
}
