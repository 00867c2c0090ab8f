package io.hypermesh.streams.anomaly;

import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricScoreEvent;
import io.hypermesh.events.transport.TransportEvent;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.AnomalyRecord;
import io.hypermesh.state.SeriesPoint;
import io.hypermesh.state.SeriesState;
import io.hypermesh.streams.BusSerdes;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.streams.StreamsSettings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The anomaly fold: samples of {@code hypermesh.metrics}, keyed by series, are judged against the
 * series' baseline ({@link SeriesBaseline}); every judgement goes to {@code hypermesh.metrics.scores}
 * and every anomaly opened or cleared to {@code hypermesh.anomalies}. Link telemetry of
 * {@code hypermesh.transport} feeds three series per link through {@code hypermesh.metrics}.
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
    /** Points of a series kept for its sparkline: a ring, so a series costs the same whatever its age. */
    public static final int RECENT_POINTS = 120;
    static final String SCORES_SINK = "anomaly-scores-sink";
    static final String ANOMALIES_SINK = "anomaly-anomalies-sink";
    private static final String SAMPLES = "anomaly-samples";
    private static final String JUDGE = "anomaly-judge";
    private static final String TELEMETRY = "anomaly-telemetry";
    private static final String TELEMETRY_SAMPLES = "anomaly-telemetry-samples";
    private static final String TELEMETRY_SINK = "anomaly-telemetry-sink";

    private AnomalyTopology() {
    }

    public static Topology build(StreamsSettings settings, BusSerdes serdes) {
        Topology topology = new Topology();
        addTo(topology, settings, serdes, null, FoldMetrics.NONE);
        return topology;
    }

    /** The key of a point in {@link #POINTS_STORE}: its series, then its place in the series' ring. */
    public static String pointKey(String seriesKey, long point) {
        return pointsOf(seriesKey) + String.format("%03d", point % RECENT_POINTS);
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
    public static void addTo(Topology topology, StreamsSettings settings, BusSerdes serdes, ChangeSignal changes, FoldMetrics metrics) {
        AnomalySettings anomalies = settings.anomalies();
        var samples = serdes.of(MetricEvent.class);
        topology.addSource(TELEMETRY, Serdes.String().deserializer(), serdes.of(TransportEvent.class).deserializer(),
                Topics.TRANSPORT.name());
        topology.addProcessor(TELEMETRY_SAMPLES, TelemetrySamples::new, TELEMETRY);
        topology.addSink(TELEMETRY_SINK, Topics.METRICS.name(), Serdes.String().serializer(), samples.serializer(), TELEMETRY_SAMPLES);

        topology.addSource(SAMPLES, Serdes.String().deserializer(), samples.deserializer(), Topics.METRICS.name());
        topology.addProcessor(JUDGE, () -> new SeriesJudge(anomalies, settings.applicationId(), changes, metrics), SAMPLES);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SERIES_STORE), Serdes.String(),
                serdes.of(SeriesState.class)), JUDGE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CELLS_STORE), Serdes.String(),
                Serdes.ByteArray()), JUDGE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(POINTS_STORE), Serdes.String(),
                serdes.of(SeriesPoint.class)), JUDGE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RECORDS_STORE), Serdes.String(),
                serdes.of(AnomalyRecord.class)), JUDGE);
        topology.addSink(SCORES_SINK, Topics.METRIC_SCORES.name(), Serdes.String().serializer(),
                cast(serdes.of(MetricScoreEvent.class).serializer()), JUDGE);
        topology.addSink(ANOMALIES_SINK, Topics.ANOMALIES.name(), Serdes.String().serializer(),
                cast(serdes.of(AnomalyEvent.class).serializer()), JUDGE);
    }

    /** The judge forwards two value types, each to its own sink by name. */
    @SuppressWarnings("unchecked")
    private static Serializer<Object> cast(Serializer<?> serializer) {
        return (Serializer<Object>) serializer;
    }
}
