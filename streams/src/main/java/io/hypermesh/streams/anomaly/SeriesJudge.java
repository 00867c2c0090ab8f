package io.hypermesh.streams.anomaly;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.anomaly.AnomalyDetected;
import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricSample;
import io.hypermesh.events.metrics.MetricScore;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.events.SeriesKeys;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.SeriesPoint;
import io.hypermesh.state.SeriesState;
import io.hypermesh.streams.ChangeSignal;
import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.streams.InvalidEventException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/**
 * Judges every sample of {@code hypermesh.metrics} against its series' baseline, in the series'
 * order and at its event time: writes the judgement to {@code hypermesh.metrics.scores} and to the
 * series' recent points, and opens or clears the series' anomaly ({@link SeriesEpisodes}). Every id
 * it writes is derived from the series and the point's number, so a replay writes the same events.
 */
final class SeriesJudge implements Processor<String, MetricEvent, String, Object> {
    private final SeriesEpisodes episodes;
    private final EventSource source;
    private final ChangeSignal changes;
    private final FoldMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, SeriesState> series;
    private KeyValueStore<String, byte[]> cells;
    private KeyValueStore<String, SeriesPoint> points;

    SeriesJudge(AnomalySettings settings, String applicationId, ChangeSignal changes, FoldMetrics metrics) {
        this.episodes = new SeriesEpisodes(settings);
        this.source = new EventSource(applicationId, ComponentKind.STREAMS);
        this.changes = changes;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.series = context.getStateStore(AnomalyTopology.SERIES_STORE);
        this.cells = context.getStateStore(AnomalyTopology.CELLS_STORE);
        this.points = context.getStateStore(AnomalyTopology.POINTS_STORE);
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

        SeriesState state = series.get(key);
        SeriesBaseline baseline = state == null || state.getBaseline().remaining() == 0 ? new SeriesBaseline()
                : SeriesBaseline.decode(bytes(state.getBaseline()), cells.get(key));
        Judgement judgement = baseline.judge(value, at);
        if (baseline.cellsChanged()) {
            cells.put(key, baseline.encodeCells());
        }
        state = advance(state, key, baseline, judgement, value, at);
        SpecificRecord opensOrClears = episodes.next(state, judgement, value, at);
        state.setBaseline(ByteBuffer.wrap(baseline.encodeHead()));
        series.put(key, state);
        SeriesPoint point = new SeriesPoint(baseline.points(), Instant.ofEpochMilli(at), value, judgement.score(),
                judgement.expectedLow(), judgement.expectedHigh(), state.getOpenAnomalyId() != null ? state.getOpenAnomalyId()
                : opensOrClears != null ? state.getRecent().get(0).getAnomalyId() : null);
        points.put(AnomalyTopology.pointKey(key, baseline.points()), point);

        context.forward(new Record<>(key, Envelopes.wrap(Topics.METRIC_SCORES, "score:" + key + ":" + baseline.points(), source,
                event.getOccurredAt(), new MetricScore(key, baseline.points(), value, judgement.score(), judgement.expectedLow(),
                        judgement.expectedHigh(), point.getAnomalyId())), at), AnomalyTopology.SCORES_SINK);
        if (opensOrClears != null) {
            String suffix = opensOrClears instanceof AnomalyDetected ? ":detected" : ":cleared";
            AnomalyEvent anomaly = Envelopes.wrap(Topics.ANOMALIES, point.getAnomalyId() + suffix, source, Instant.ofEpochMilli(at),
                    opensOrClears);
            context.forward(new Record<>(key, anomaly, at), AnomalyTopology.ANOMALIES_SINK);
            metrics.anomaly(SeriesEpisodes.DETECTOR, opensOrClears instanceof AnomalyDetected);
        }
        if (changes != null) {
            changes.ring(ChangeSignal.series(key));
            if (opensOrClears != null) {
                changes.ring(ChangeSignal.ANOMALIES);
            }
        }
        metrics.folded(Topics.METRICS.name(), FoldMetrics.Outcome.APPLIED, at);
    }

    private static String keyOf(MetricSample sample) {
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
                .setMin(value).setMax(value).setAnomalies(0).setRecent(List.of()).build();
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
