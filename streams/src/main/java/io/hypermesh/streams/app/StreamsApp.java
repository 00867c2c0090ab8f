package io.hypermesh.streams.app;

import io.hypermesh.streams.connect.ConnectCa;
import io.hypermesh.streams.connect.ConnectParts;
import io.hypermesh.streams.connect.DecisionLog;
import io.hypermesh.streams.connect.IntentionBook;
import io.hypermesh.streams.connect.IntentionOutputs;
import io.hypermesh.streams.connect.TrustDomains;
import io.hypermesh.streams.api.dashboard.AuditTail;
import io.hypermesh.streams.api.dashboard.Dashboard;
import io.hypermesh.streams.api.dashboard.DeadLetterTail;
import io.hypermesh.streams.api.dashboard.SchemaCatalog;
import io.hypermesh.streams.api.stores.StoreAccess;
import io.hypermesh.streams.metrics.BusGauges;
import org.apache.kafka.clients.producer.ProducerConfig;
import io.hypermesh.schemas.publish.BusPublisher;
import io.hypermesh.streams.AppliedOffsets;
import io.hypermesh.streams.kv.KvTopology;
import io.hypermesh.state.KvEntry;
import io.hypermesh.state.KvOutcome;
import io.hypermesh.state.KvSession;
import io.hypermesh.state.KvVersion;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.ConsulIndexes;
import io.hypermesh.streams.DeadLetterHandler;
import io.hypermesh.streams.metrics.FoldLagSamples;
import io.hypermesh.streams.metrics.FoldMeters;
import io.hypermesh.streams.StreamsSettings;
import io.hypermesh.http.HttpTls;
import io.hypermesh.http.FreePorts;
import io.hypermesh.schemas.registry.client.RegistryClient;
import io.hypermesh.schemas.topics.TopicAdmin;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.ComponentState;
import io.hypermesh.state.HealthState;
import io.hypermesh.state.PhaseRun;
import io.hypermesh.state.PhaseStatus;
import io.hypermesh.state.SeriesPoint;
import io.hypermesh.state.SeriesState;
import io.hypermesh.state.ServiceInstance;
import io.hypermesh.streams.metrics.EventFlow;
import io.hypermesh.streams.metrics.FoldLag;
import io.hypermesh.streams.api.QueryApiVerticle;
import io.hypermesh.streams.anomaly.AnomalyTopology;
import io.hypermesh.streams.health.HealthTopology;
import io.hypermesh.streams.lifecycle.LifecycleTopology;
import io.hypermesh.streams.registry.RegistryTopology;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One running instance of the folds and their query API. Start as many as needed with the same
 * application id: Kafka Streams spreads the partitions and the API routes each read to its owner.
 */
public final class StreamsApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    private final StreamsSettings settings;
    private final KafkaStreams streams;
    private final Vertx vertx;
    private final BusPublisher writer;
    private final QueryApiVerticle api;
    private final KafkaStreamsMetrics streamsMetrics;
    private final AuditTail audit;
    private final DeadLetterTail deadLetters;
    private final DecisionLog decisions;

    private StreamsApp(StreamsSettings settings, KafkaStreams streams, Vertx vertx, BusPublisher writer, QueryApiVerticle api,
                       KafkaStreamsMetrics streamsMetrics, AuditTail audit, DeadLetterTail deadLetters, DecisionLog decisions) {
        this.decisions = decisions;
        this.audit = audit;
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.streams = streams;
        this.vertx = vertx;
        this.writer = writer;
        this.api = api;
        this.streamsMetrics = streamsMetrics;
    }

    /** Creates missing topics, starts the topology and the HTTP API; returns once the API listens. */
    public static StreamsApp start(StreamsSettings requested, RegistryClient registry) {
        return start(requested, registry, io.hypermesh.http.auth.ApiTokens.open());
    }

    /** As {@link #start(StreamsSettings, RegistryClient)}, with the tokens the write APIs require. */
    public static StreamsApp start(StreamsSettings requested, RegistryClient registry, io.hypermesh.http.auth.ApiTokens tokens) {
        StreamsSettings settings = requested.httpPort() == 0 ? requested.withStateDir(requested.stateDir(), FreePorts.onLoopback())
                : requested;
        // The topics are created once, by `up` or `hypermesh topics`; the folds only check they are there.
        String clusterId;
        try (Admin admin = Admin.create(settings.kafka().clientConfig())) {
            TopicAdmin.verify(admin, Topics.ALL);
            clusterId = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the Kafka cluster's id could not be read: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the Kafka cluster's id", e);
        }
        BusSerdes serdes = new BusSerdes(registry);
        ChangeSignal changes = new ChangeSignal();
        AppliedOffsets applied = new AppliedOffsets();
        ConsulIndexes indexes = new ConsulIndexes();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        FoldMeters foldMeters = new FoldMeters(metrics);
        java.util.Properties properties = settings.streamsProperties(registry);
        properties.put(DeadLetterHandler.METRICS_CONFIG, foldMeters);
        // The write endpoints answer within 10 s even when Kafka cannot take their events. A write
        // waits for its own record to be applied, so its record goes at once, not after a linger;
        // writes that come together still share a request while one is in flight.
        BusPublisher writer = BusPublisher.idempotent(settings.kafka(), registry,
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000, ProducerConfig.LINGER_MS_CONFIG, 0));
        IntentionOutputs intentions = new IntentionOutputs(new IntentionBook(settings.connect().defaultPolicy()), new AppliedOffsets(),
                letter -> writer.publish(letter));
        AppliedOffsets kvApplied = new AppliedOffsets();
        KafkaStreams streams = new KafkaStreams(BusTopology.build(settings, serdes, changes, applied, indexes, foldMeters, intentions,
                kvApplied), properties);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread died; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("{} streams state {} -> {}", settings.applicationServer(), before, now));
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(metrics);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        streams.start();

        Vertx vertx = Vertx.vertx();
        Map<String, Serde<?>> storeSerdes = Map.ofEntries(
                Map.entry(RegistryTopology.BY_SERVICE_STORE, Serdes.String()),
                Map.entry(RegistryTopology.BY_CHECK_STORE, Serdes.String()),
                Map.entry(RegistryTopology.RUNNABLE_CHECKS_STORE, Serdes.String()),
                Map.entry(RegistryTopology.INDEX_STORE, Serdes.Long()),
                Map.entry(HealthTopology.STORE, serdes.of(HealthState.class)),
                Map.entry(LifecycleTopology.COMPONENTS_STORE, serdes.of(ComponentState.class)),
                Map.entry(LifecycleTopology.PHASES_STORE, serdes.of(PhaseStatus.class)),
                Map.entry(LifecycleTopology.PHASE_RUNS_STORE, serdes.of(PhaseRun.class)),
                Map.entry(RegistryTopology.STORE, serdes.of(ServiceInstance.class)),
                Map.entry(AnomalyTopology.SERIES_STORE, serdes.of(SeriesState.class)),
                Map.entry(AnomalyTopology.POINTS_STORE, serdes.of(SeriesPoint.class)),
                Map.entry(AnomalyTopology.RECORDS_STORE, serdes.of(io.hypermesh.state.AnomalyRecord.class)),
                Map.entry(KvTopology.ENTRIES, serdes.of(KvEntry.class)),
                Map.entry(KvTopology.TOMBSTONES, Serdes.Long()),
                Map.entry(KvTopology.SESSIONS, serdes.of(KvSession.class)),
                Map.entry(KvTopology.HISTORY, serdes.of(KvVersion.class)),
                Map.entry(KvTopology.META, Serdes.Long()),
                Map.entry(KvTopology.OUTCOMES, serdes.of(KvOutcome.class)));
        // The query API's HTTPS identity: the instance's certificate when its Kafka settings name one.
        HttpTls tls = new HttpTls(settings.kafka().tls());
        StoreAccess stores = new StoreAccess(vertx, streams, new HostInfo(settings.advertisedHost(), settings.httpPort()), storeSerdes,
                tls);
        // Every instance of one bus shares the trust domain (the cluster's id) and, pointed at the same PKI folder, the CA.
        ConnectParts connect = new ConnectParts(intentions.book(), intentions.applied(),
                ConnectCa.open(settings.caDir(), TrustDomains.of(clusterId), settings.datacenter(), java.time.Clock.systemUTC()),
                new DecisionLog(settings.connect().decisions(), writer, settings.nodeName()));
        AuditTail audit = new AuditTail(settings.kafka(), registry, 50, () -> changes.ring(Dashboard.SCOPE));
        DeadLetterTail deadLetters = new DeadLetterTail(settings.kafka(), registry, 50, () -> changes.ring(Dashboard.SCOPE));
        SchemaCatalog schemas = new SchemaCatalog(registry);
        QueryApiVerticle api = new QueryApiVerticle(streams, stores, writer, new BusGauges(metrics, stores, audit, schemas), changes,
                applied, kvApplied, indexes, connect,
                settings, new Dashboard(vertx, stores, changes, audit, deadLetters, schemas, new EventFlow(metrics, () ->
                        FoldLag.of(streams))), tokens, tls);
        try {
            vertx.deployVerticle(api).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            audit.close();
            deadLetters.close();
            writer.close();
            streams.close(Duration.ofSeconds(10));
            vertx.close();
            throw new IllegalStateException("query API could not listen on " + settings.applicationServer() + ": " + e.getMessage(), e);
        }
        FoldLagSamples.start(vertx, streams, writer, settings.advertisedHost() + ":" + api.port(), settings.applicationId());
        return new StreamsApp(settings, streams, vertx, writer, api, streamsMetrics, audit, deadLetters, connect.decisions());
    }

    public String url() {
        return settings.kafka().tls().scheme() + "://" + settings.advertisedHost() + ":" + api.port();
    }

    public StreamsSettings settings() {
        return settings;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Waits until Kafka Streams runs (partitions assigned, state restored). */
    public void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("streams not running after " + timeout + ": " + streams.state());
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The streams and clients are closed all the same, so their state is flushed and locks released.
            LOG.warn("the query API did not stop cleanly: {}", e.toString());
        }
        audit.close();
        deadLetters.close();
        decisions.close();
        writer.close();
        streamsMetrics.close();
        streams.close(Duration.ofSeconds(30));
    }
}
