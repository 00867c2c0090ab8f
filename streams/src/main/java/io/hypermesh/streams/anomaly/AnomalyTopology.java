package io.hypermesh.streams.anomaly;

import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.anomaly.BaselineChanged;
import io.hypermesh.events.security.SecurityAlert;
import io.hypermesh.events.security.SecurityEvent;
import io.hypermesh.events.health.HealthCheckEvent;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricScoreEvent;
import io.hypermesh.schemas.topics.TopicSpec;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.AnomalyRecord;
import io.hypermesh.state.SeriesPoint;
import io.hypermesh.state.SeriesState;
import io.hypermesh.state.WorkloadState;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.streams.StreamsSettings;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.util.ArrayList;
import java.util.List;

/**
 * The anomaly fold: samples of {@code hypermesh.metrics}, keyed by series, are judged against the
 * series' baseline ({@link SeriesBaseline}); every judgement goes to {@code hypermesh.metrics.scores}
 * and every anomaly opened or cleared to {@code hypermesh.anomalies}. The bus's own events (link telemetry, leader
 * changes, container starts and exits, health transitions, dead letters) feed series of their own ({@link BusSamples}),
 * through a topic of the folds' own.
 */
public final class AnomalyTopology {
    /** The series detector's name, in anomalies and metrics. */
    public static final String SERIES_DETECTOR = SeriesEpisodes.DETECTOR;
    /** Each series' view, with the detector's per-point state: what the query API serves. */
    public static final String SERIES_STORE = "anomaly-series";
    /** What a series' baseline learned (written when it learns). */
    public static final String CELLS_STORE = "anomaly-cells";
    /** Each series' last {@value #RECENT_POINTS} points as judged, under {@link #pointKey}. */
    public static final String POINTS_STORE = "anomaly-points";
    /** Each series' latest {@value #RECORDS_KEPT} anomalies, under {@link #recordKey}. */
    public static final String RECORDS_STORE = "anomaly-records";
    public static final int RECORDS_KEPT = 10;
    /** The previous event of each of the bus's interval and step series ({@link SeriesDerivatives}). */
    public static final String PREVIOUS_STORE = "anomaly-previous";
    /** Points of a series kept for its sparkline: a ring, so a series costs the same whatever its age. */
    public static final int RECENT_POINTS = 120;

    private AnomalyTopology() {
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, settings, serdes, null, FoldMetrics.NONE);
        return builder.build();
    }

    /** The key of a point in {@link #POINTS_STORE}: its series, then its place in the series' ring. */
    public static String pointKey(String seriesKey, long point) {
        return pointsOf(seriesKey) + String.format("%03d", point % RECENT_POINTS);
    }

    /** Each workload's behaviour baseline as the API shows it. */
    public static final String WORKLOADS_STORE = "anomaly-workloads";
    /** Each workload's behaviour filter, in {@link BehaviourFilter#BLOCKS} blocks under {@link #filterKey}. */
    public static final String FILTERS_STORE = "anomaly-filters";

    public static String filterKey(String workload, int block) {
        return workload + "#" + String.format("%02d", block);
    }

    /** Keeps an anomaly's record, and only its subject's latest {@value #RECORDS_KEPT}. */
    static void keep(KeyValueStore<String, AnomalyRecord> records, String subject, AnomalyRecord record) {
        records.put(recordKey(subject, record.getOpenedPoint()), record);
        List<String> kept = new ArrayList<>();
        try (KeyValueIterator<String, AnomalyRecord> all = records.prefixScan(recordsOf(subject), new StringSerializer())) {
            all.forEachRemaining(kv -> kept.add(kv.key));
        }
        // Keys sort by opening point: the oldest come first.
        for (String old : kept.subList(0, Math.max(0, kept.size() - RECORDS_KEPT))) {
            records.delete(old);
        }
    }

    /** The key of an anomaly in {@link #RECORDS_STORE}: its subject, then the point that opened it, so they sort by age. */
    public static String recordKey(String subject, long openedPoint) {
        return recordsOf(subject) + String.format("%019d", openedPoint);
    }

    /** The prefix of every anomaly of a subject in {@link #RECORDS_STORE}. */
    public static String recordsOf(String subject) {
        return subject + "#";
    }

    /** The prefix of every point of a series in {@link #POINTS_STORE}. */
    public static String pointsOf(String seriesKey) {
        return seriesKey + "#";
    }

    /**
     * @param changes rung with each series' scope at each of its points, and the anomalies' scope when one opens or clears;
     *                null for none
     * @param metrics told of every sample judged and every anomaly
     */
    public static void addTo(StreamsBuilder builder, StreamsSettings settings, BusSerdes serdes, ChangeSignal changes,
                             FoldMetrics metrics) {
        AnomalySettings anomalies = settings.anomalies();
        var samples = serdes.of(MetricEvent.class);
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SERIES_STORE), Serdes.String(),
                serdes.of(SeriesState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CELLS_STORE), Serdes.String(),
                Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(POINTS_STORE), Serdes.String(),
                serdes.of(SeriesPoint.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RECORDS_STORE), Serdes.String(),
                serdes.of(AnomalyRecord.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PREVIOUS_STORE), Serdes.String(),
                Serdes.ByteArray()));
        // The bus's own series reach the judge through a topic of this application, keyed by series: written to
        // hypermesh.metrics, they would be judged again by every other application reading it (a replay, a second bus).
        KStream<String, SpecificRecord> busEvents = source(builder, serdes, Topics.TRANSPORT)
                .merge(source(builder, serdes, Topics.CONSENSUS), Named.as("anomaly-bus-consensus"))
                .merge(source(builder, serdes, Topics.CONTAINERS), Named.as("anomaly-bus-containers"))
                .merge(source(builder, serdes, Topics.HEALTH_TRANSITIONS), Named.as("anomaly-bus-transitions"))
                .merge(source(builder, serdes, Topics.DEAD_LETTERS), Named.as("anomaly-bus-deadletters"));
        KStream<String, MetricEvent> busSeries = busEvents
                .process(BusSamples::new, Named.as("anomaly-bus-samples"))
                .repartition(Repartitioned.<String, MetricEvent>as("anomaly-bus-series").withKeySerde(Serdes.String())
                        .withValueSerde(samples).withNumberOfPartitions(Topics.METRICS.partitions()))
                .process(SeriesDerivatives::new, Named.as("anomaly-bus-derivatives"), PREVIOUS_STORE);
        KStream<String, SpecificRecord> judged = builder.stream(Topics.METRICS.name(),
                        Consumed.with(Serdes.String(), samples).withName("anomaly-samples"))
                .merge(busSeries, Named.as("anomaly-every-sample"))
                .process(() -> new SeriesJudge(anomalies, settings.applicationId(), changes, metrics), Named.as("anomaly-judge"),
                        SERIES_STORE, CELLS_STORE, POINTS_STORE, RECORDS_STORE);
        addWorkloads(builder, settings, serdes, changes, metrics);
        judged.split(Named.as("anomaly-"))
                .branch((k, v) -> v instanceof MetricScoreEvent, Branched.withConsumer(scores -> scores
                        .mapValues(v -> (MetricScoreEvent) v, Named.as("anomaly-scores"))
                        .to(Topics.METRIC_SCORES.name(), Produced.with(Serdes.String(), serdes.of(MetricScoreEvent.class)))))
                .branch((k, v) -> v instanceof HealthCheckEvent, Branched.withConsumer(checks -> checks
                        .mapValues(v -> (HealthCheckEvent) v, Named.as("anomaly-checks"))
                        .to(Topics.HEALTH_CHECKS.name(), Produced.with(Serdes.String(), serdes.of(HealthCheckEvent.class)))))
                .defaultBranch(Branched.withConsumer(events -> events
                        .mapValues(v -> (AnomalyEvent) v, Named.as("anomaly-events"))
                        .to(Topics.ANOMALIES.name(), Produced.with(Serdes.String(), serdes.of(AnomalyEvent.class)))));
    }

    private static <V extends SpecificRecord> KStream<String, SpecificRecord> source(StreamsBuilder builder, BusSerdes serdes,
                                                                                      TopicSpec<V> topic) {
        return builder.stream(topic.name(), Consumed.with(Serdes.String(), serdes.of(topic.valueType()))
                .withName("anomaly-from-" + topic.name())).mapValues(v -> (SpecificRecord) v, Named.as("anomaly-of-" + topic.name()));
    }

    /** Security events keyed by workload, with the decisions taken on baselines, to the workload judge. */
    private static void addWorkloads(StreamsBuilder builder, StreamsSettings settings, BusSerdes serdes, ChangeSignal changes,
                                     FoldMetrics metrics) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WORKLOADS_STORE), Serdes.String(),
                serdes.of(WorkloadState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FILTERS_STORE), Serdes.String(),
                Serdes.ByteArray()));
        var anomalyEvents = serdes.of(AnomalyEvent.class);
        KStream<String, SpecificRecord> security = builder.stream(Topics.SECURITY.name(),
                        Consumed.with(Serdes.String(), serdes.of(SecurityEvent.class)).withName("anomaly-from-security"))
                .filter((k, v) -> v != null && v.getPayload() instanceof SecurityAlert, Named.as("anomaly-security-alerts"))
                .selectKey((k, v) -> Behaviours.of((SecurityAlert) v.getPayload()).workload(), Named.as("anomaly-by-workload"))
                .repartition(Repartitioned.<String, SecurityEvent>as("anomaly-workloads").withKeySerde(Serdes.String())
                        .withValueSerde(serdes.of(SecurityEvent.class)).withNumberOfPartitions(Topics.ANOMALIES.partitions()))
                .mapValues(v -> (SpecificRecord) v, Named.as("anomaly-security-events"));
        KStream<String, SpecificRecord> decisions = builder.stream(Topics.ANOMALIES.name(),
                        Consumed.with(Serdes.String(), anomalyEvents).withName("anomaly-from-anomalies"))
                .filter((k, v) -> v != null && v.getPayload() instanceof BaselineChanged, Named.as("anomaly-decisions"))
                .mapValues(v -> (SpecificRecord) v, Named.as("anomaly-decision-events"));
        security.merge(decisions, Named.as("anomaly-workload-events"))
                .process(() -> new WorkloadJudge(settings.anomalies(), settings.applicationId(), changes, metrics),
                        Named.as("anomaly-workload-judge"), WORKLOADS_STORE, FILTERS_STORE, RECORDS_STORE)
                .mapValues(v -> (AnomalyEvent) v, Named.as("anomaly-workload-anomalies"))
                .to(Topics.ANOMALIES.name(), Produced.with(Serdes.String(), anomalyEvents));
    }
}
