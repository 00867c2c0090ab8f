package io.hypermesh.streams.anomaly;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.anomaly.AnomalyDetected;
import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.health.CheckStatus;
import io.hypermesh.events.health.HealthCheckResult;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricSample;
import io.hypermesh.events.metrics.MetricScore;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.events.SeriesKeys;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.AnomalyRecord;
import io.hypermesh.state.SeriesPoint;
import io.hypermesh.state.SeriesState;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.streams.InvalidEventException;
import io.hypermesh.streams.health.HealthRules;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Judges every sample of {@code hypermesh.metrics} against its series' baseline, in the series'
 * order and at its event time: writes the judgement to {@code hypermesh.metrics.scores} and to the
 * series' recent points, and opens or clears the series' anomaly ({@link SeriesEpisodes}). Every id
 * it writes is derived from the series and the point's number, so a replay writes the same events.
 */
final class SeriesJudge implements Processor<String, MetricEvent, String, SpecificRecord> {
    private final SeriesEpisodes episodes;
    private final EventSource source;
    private final ChangeSignal changes;
    private final FoldMetrics metrics;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, SeriesState> series;
    private KeyValueStore<String, byte[]> cells;
    private KeyValueStore<String, SeriesPoint> points;
    private KeyValueStore<String, AnomalyRecord> records;
    /**
     * The series this task judged lately, decoded: what the stores hold, without reading and decoding them at every point.
     * Emptied whenever the task (re)starts, so it never outlives a rollback of the stores.
     */
    private Map<String, Judged> judged;

    private record Judged(SeriesState state, SeriesBaseline baseline) {
    }

    /** Series kept decoded per task; one beyond is read back from the stores. */
    static final int DECODED = 4_096;

    SeriesJudge(AnomalySettings settings, String applicationId, ChangeSignal changes, FoldMetrics metrics) {
        this.episodes = new SeriesEpisodes(settings);
        this.source = new EventSource(applicationId, ComponentKind.STREAMS);
        this.changes = changes;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.series = context.getStateStore(AnomalyTopology.SERIES_STORE);
        this.cells = context.getStateStore(AnomalyTopology.CELLS_STORE);
        this.points = context.getStateStore(AnomalyTopology.POINTS_STORE);
        this.records = context.getStateStore(AnomalyTopology.RECORDS_STORE);
        this.judged = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Judged> eldest) {
                return size() > DECODED;
            }
        };
    }

    @Override
    public void close() {
        judged.clear();
    }

    @Override
    public void process(Record<String, MetricEvent> record) {
        MetricEvent event = InvalidEventException.present(record.value(), Topics.METRICS.name());
        InvalidEventException.require(event.getPayload() instanceof MetricSample, "not a MetricSample: " + event.getPayload());
        MetricSample sample = (MetricSample) event.getPayload();
        String key = keyOf(sample);
        InvalidEventException.require(key.equals(record.key()), "record key '" + record.key() + "' is not the sample's series key '"
                + key + "'");
        double value = sample.getValue();
        InvalidEventException.require(Double.isFinite(value), "the value of " + key + " is not finite: " + value);
        long at = event.getOccurredAt().toEpochMilli();

        Judged last = judged.get(key);
        if (last == null) {
            SeriesState stored = series.get(key);
            last = new Judged(stored, stored == null || stored.getBaseline().remaining() == 0 ? new SeriesBaseline()
                    : SeriesBaseline.decode(bytes(stored.getBaseline()), cells.get(key)));
        }
        SeriesBaseline baseline = last.baseline();
        Judgement judgement;
        try {
            judgement = baseline.judge(value, at);
        } finally {
            // Judged or not, the decoded baseline is the stores' only if it is written below: read it again next time.
            judged.remove(key);
        }
        if (baseline.cellsChanged()) {
            cells.put(key, baseline.encodeCells());
        }
        SeriesState state = advance(last.state(), key, baseline, judgement, value, at);
        if (last.state() == null) {
            state.setComponent(componentOf(sample, event));
        }
        SeriesEpisodes.Change change = episodes.next(state, judgement, value, at, baseline.firstAt(),
                () -> records.get(AnomalyTopology.recordKey(key, state.getOpenedPoint())));
        state.setBaseline(ByteBuffer.wrap(baseline.encodeHead()));
        series.put(key, state);
        judged.put(key, new Judged(state, baseline));
        SpecificRecord opensOrClears = change.event();
        if (change.record() != null) {
            AnomalyTopology.keep(records, key, change.record());
        }
        SeriesPoint point = new SeriesPoint(baseline.points(), Instant.ofEpochMilli(at), value, judgement.score(),
                judgement.expectedLow(), judgement.expectedHigh(), change.record() != null ? change.record().getAnomalyId()
                : state.getOpenAnomalyId());
        points.put(AnomalyTopology.pointKey(key, baseline.points()), point);

        context.forward(new Record<>(key, Envelopes.wrap(Topics.METRIC_SCORES, "score:" + key + ":" + baseline.points(), source,
                event.getOccurredAt(), new MetricScore(key, baseline.points(), value, judgement.score(), judgement.expectedLow(),
                        judgement.expectedHigh(), point.getAnomalyId())), at));
        if (opensOrClears != null) {
            String suffix = opensOrClears instanceof AnomalyDetected ? ":detected" : ":cleared";
            AnomalyEvent anomaly = Envelopes.wrap(Topics.ANOMALIES, point.getAnomalyId() + suffix, source, Instant.ofEpochMilli(at),
                    opensOrClears);
            context.forward(new Record<>(key, anomaly, at));
            metrics.anomaly(SeriesEpisodes.DETECTOR, opensOrClears instanceof AnomalyDetected);
            if (state.getComponent() != null) {
                // Reported to the component as a check of its own: the health fold takes the anomaly's weight off its score.
                boolean open = opensOrClears instanceof AnomalyDetected;
                HealthCheckResult check = new HealthCheckResult(state.getComponent(), HealthRules.ANOMALY_CHECK + point.getAnomalyId(),
                        open ? CheckStatus.WARNING : CheckStatus.PASSING, 0.0, open ? change.record().getCause() : "cleared");
                context.forward(new Record<>(state.getComponent(), Envelopes.wrap(Topics.HEALTH_CHECKS, point.getAnomalyId() + suffix
                        + ":check", source, Instant.ofEpochMilli(at), check), at));
            }
        }
        if (changes != null) {
            changes.ring(ChangeSignal.series(key));
            if (opensOrClears != null) {
                changes.ring(ChangeSignal.ANOMALIES);
            }
        }
        metrics.folded(Topics.METRICS.name(), FoldMetrics.Outcome.APPLIED, at);
    }

    /** The series' component label, else the component that sent it, unless that is the folds (the bus's own series). */
    private static String componentOf(MetricSample sample, MetricEvent event) {
        String label = sample.getLabels().get("component");
        if (label != null && !label.isBlank()) {
            return label;
        }
        return event.getSource().getKind() == ComponentKind.STREAMS ? null : event.getSource().getComponentId();
    }

    /** The sample's series key; a name or label a series key cannot have makes it an invalid event (a dead letter). */
    static String keyOf(MetricSample sample) {
        try {
            return SeriesKeys.of(sample);
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(e.getMessage());
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** The series' view at this point, before any anomaly opens or clears. */
    private static SeriesState advance(SeriesState before, String key, SeriesBaseline baseline, Judgement judgement, double value,
                                       long at) {
        SeriesState state = before != null ? before : SeriesState.newBuilder().setSeriesKey(key).setPoints(0)
                .setLastAt(Instant.ofEpochMilli(at)).setLastValue(value).setLastScore(0).setExpectedLow(value).setExpectedHigh(value)
                .setMin(value).setMax(value).setAnomalies(0).build();
        state.setPoints(baseline.points());
        state.setLastAt(Instant.ofEpochMilli(at));
        state.setLastValue(value);
        state.setLastScore(judgement.score());
        state.setExpectedLow(judgement.expectedLow());
        state.setExpectedHigh(judgement.expectedHigh());
        state.setMin(baseline.min());
        state.setMax(baseline.max());
        return state;
    }
}
