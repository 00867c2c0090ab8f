package io.hypermesh.streams.anomaly;

import io.hypermesh.events.ComponentKind;
import io.hypermesh.events.EventSource;
import io.hypermesh.events.anomaly.AnomalyCleared;
import io.hypermesh.events.anomaly.AnomalyDetected;
import io.hypermesh.events.anomaly.AnomalyEvent;
import io.hypermesh.events.anomaly.AnomalySubject;
import io.hypermesh.events.metrics.MetricEvent;
import io.hypermesh.events.metrics.MetricSample;
import io.hypermesh.events.metrics.MetricScore;
import io.hypermesh.schemas.events.Envelopes;
import io.hypermesh.schemas.events.SeriesKeys;
import io.hypermesh.schemas.topics.Topics;
import io.hypermesh.state.SeriesState;
import io.hypermesh.streams.FoldMetrics;
import io.hypermesh.streams.InvalidEventException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Judges every sample of {@code hypermesh.metrics} against its series' baseline, in the series'
 * order and at its event time: writes the judgement to {@code hypermesh.metrics.scores}, opens an
 * anomaly when the score reaches {@link AnomalySettings#openAt()} and none is open, and clears it
 * after {@link AnomalySettings#clearAfter()} calm points. Every id it writes is derived from the
 * series and the point's number, so a replay writes the same events.
 */
final class SeriesJudge implements Processor<String, MetricEvent, String, Object> {
    static final String DETECTOR = "series-context";

    private final AnomalySettings settings;
    private final EventSource source;
    private final FoldMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, byte[]> heads;
    private KeyValueStore<String, byte[]> cells;
    private KeyValueStore<String, SeriesState> states;

    SeriesJudge(AnomalySettings settings, String applicationId, FoldMetrics metrics) {
        this.settings = settings;
        this.source = new EventSource(applicationId, ComponentKind.STREAMS);
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.heads = context.getStateStore(AnomalyTopology.HEADS_STORE);
        this.cells = context.getStateStore(AnomalyTopology.CELLS_STORE);
        this.states = context.getStateStore(AnomalyTopology.SERIES_STORE);
    }

    @Override
    public void process(Record<String, MetricEvent> record) {
        MetricEvent event = InvalidEventException.present(record.value(), Topics.METRICS.name());
        InvalidEventException.require(event.getPayload() instanceof MetricSample, "not a MetricSample: " + event.getPayload());
        MetricSample sample = (MetricSample) event.getPayload();
        String key = keyOf(sample);
        InvalidEventException.require(key.equals(record.key()), "record key '" + record.key() + "' is not the sample's series key '"
                + key + "'");
        InvalidEventException.require(Double.isFinite(sample.getValue()), "the value of " + key + " is not finite: " + sample.getValue());
        long at = event.getOccurredAt().toEpochMilli();
        SeriesBaseline baseline = load(key);
        Judgement judgement = baseline.judge(sample.getValue(), at);
        heads.put(key, baseline.encodeHead());
        if (baseline.cellsChanged()) {
            cells.put(key, baseline.encodeCells());
        }
        SeriesState state = next(states.get(key), key, baseline, judgement, sample.getValue(), at);
        states.put(key, state);
        MetricScore score = new MetricScore(key, baseline.points(), sample.getValue(), judgement.score(), judgement.expectedLow(),
                judgement.expectedHigh(), state.getOpenAnomalyId());
        context.forward(new Record<>(key, Envelopes.wrap(Topics.METRIC_SCORES, "score:" + key + ":" + baseline.points(), source,
                event.getOccurredAt(), score), at), AnomalyTopology.SCORES_SINK);
        metrics.folded(Topics.METRICS.name(), FoldMetrics.Outcome.APPLIED, at);
    }

    private static String keyOf(MetricSample sample) {
        try {
            return SeriesKeys.of(sample);
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(e.getMessage());
        }
    }

    private SeriesBaseline load(String key) {
        byte[] head = heads.get(key);
        return head == null ? new SeriesBaseline() : SeriesBaseline.decode(head, cells.get(key));
    }

    /** The series' view after this point, opening or clearing its anomaly as the point says. */
    private SeriesState next(SeriesState before, String key, SeriesBaseline baseline, Judgement judgement, double value, long at) {
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
        if (state.getOpenAnomalyId() == null) {
            if (judgement.score() >= settings.openAt() && baseline.points() > settings.learnPoints()) {
                open(state, key, judgement, value, at);
            }
        } else if (judgement.surprise() >= settings.openAt()) {
            state.setCalmPoints(0);
        } else {
            state.setCalmPoints(state.getCalmPoints() + 1);
            if (state.getCalmPoints() >= settings.clearAfter()) {
                clear(state, key, value, at);
            }
        }
        return state;
    }

    private void open(SeriesState state, String key, Judgement judgement, double value, long at) {
        String id = key + "@" + state.getPoints();
        state.setOpenAnomalyId(id);
        state.setOpenedAt(Instant.ofEpochMilli(at));
        state.setOpenedPoint(state.getPoints());
        state.setCalmPoints(0);
        state.setAnomalies(state.getAnomalies() + 1);
        AnomalyDetected detected = new AnomalyDetected(id, key, AnomalySubject.SERIES, value, judgement.expectedLow(),
                judgement.expectedHigh(), judgement.score(), DETECTOR, cause(value, judgement), evidence(state, judgement));
        emit(key, id + ":detected", at, detected);
    }

    private void clear(SeriesState state, String key, double value, long at) {
        String id = state.getOpenAnomalyId().toString();
        long points = state.getPoints() - state.getOpenedPoint() + 1;
        AnomalyCleared cleared = new AnomalyCleared(id, key, AnomalySubject.SERIES, state.getOpenedAt(), value, points,
                settings.clearAfter() + " points in a row without a surprise of " + settings.openAt() + " or more");
        emit(key, id + ":cleared", at, cleared);
        state.setOpenAnomalyId(null);
        state.setOpenedAt(null);
        state.setCalmPoints(0);
    }

    private void emit(String key, String eventId, long at, Object payload) {
        AnomalyEvent event = Envelopes.wrap(Topics.ANOMALIES, eventId, source, Instant.ofEpochMilli(at),
                (org.apache.avro.specific.SpecificRecord) payload);
        context.forward(new Record<>(key, event, at), AnomalyTopology.ANOMALIES_SINK);
    }

    static String cause(double value, Judgement judgement) {
        String band = "[" + round(judgement.expectedLow()) + ", " + round(judgement.expectedHigh()) + ")";
        return switch (judgement.novelty()) {
            case "season" -> "value " + round(value) + " is in a cell of width " + round(judgement.width())
                    + " this series never visited at this time of day (expected " + band + ")";
            default -> "value " + round(value) + " made a step between cells of width " + round(judgement.width())
                    + " this series never made before (expected " + band + ")";
        };
    }

    static Map<String, String> evidence(SeriesState state, Judgement judgement) {
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("novelty", judgement.novelty());
        evidence.put("cellWidth", round(judgement.width()));
        evidence.put("range", round(judgement.range()));
        evidence.put("min", round(state.getMin()));
        evidence.put("max", round(state.getMax()));
        evidence.put("expectedLow", round(judgement.expectedLow()));
        evidence.put("expectedHigh", round(judgement.expectedHigh()));
        evidence.put("surprise", round(judgement.surprise()));
        evidence.put("points", Long.toString(state.getPoints()));
        return evidence;
    }

    private static String round(double v) {
        return Double.toString(Math.round(v * 1e6) / 1e6);
    }
}
