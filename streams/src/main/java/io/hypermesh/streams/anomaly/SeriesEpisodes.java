package io.hypermesh.streams.anomaly;

import io.hypermesh.events.anomaly.AnomalyCleared;
import io.hypermesh.events.anomaly.AnomalyDetected;
import io.hypermesh.events.anomaly.AnomalySubject;
import io.hypermesh.state.AnomalyRecord;
import io.hypermesh.state.SeriesState;
import org.apache.avro.specific.SpecificRecord;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * When a series' anomaly opens and clears: at most one open per series; it opens at a score of
 * {@link AnomalySettings#openAt()} once the series has learned for {@link AnomalySettings#learnPoints()}
 * points, and clears after {@link AnomalySettings#clearAfter()} points in a row without such a surprise.
 */
final class SeriesEpisodes {
    static final String DETECTOR = "series-context";
    private final AnomalySettings settings;

    SeriesEpisodes(AnomalySettings settings) {
        this.settings = settings;
    }

    /** What a point did to its series' anomaly: the event to write and the record to keep, both null when nothing. */
    record Change(SpecificRecord event, AnomalyRecord record) {
        static final Change NONE = new Change(null, null);
    }

    /**
     * Updates {@code state} (already at this point) and answers what it opened or cleared.
     *
     * @param firstAt when the series' first point was, in event time
     * @param open the open anomaly's record, read only when the state names one
     */
    Change next(SeriesState state, Judgement judgement, double value, long at, long firstAt, Supplier<AnomalyRecord> open) {
        String key = state.getSeriesKey();
        if (state.getOpenAnomalyId() == null) {
            if (judgement.score() < settings.openAt() || !settings.learned(state.getPoints(), at - firstAt)) {
                return Change.NONE;
            }
            String id = key + "@" + state.getPoints();
            Map<String, String> evidence = evidence(state, judgement);
            AnomalyRecord record = new AnomalyRecord(id, key, DETECTOR, Instant.ofEpochMilli(at), state.getPoints(), null, value,
                    judgement.expectedLow(), judgement.expectedHigh(), judgement.score(), cause(value, judgement), evidence);
            state.setOpenAnomalyId(id);
            state.setOpenedPoint(state.getPoints());
            state.setCalmPoints(0);
            state.setAnomalies(state.getAnomalies() + 1);
            return new Change(new AnomalyDetected(id, key, AnomalySubject.SERIES, value, judgement.expectedLow(),
                    judgement.expectedHigh(), judgement.score(), DETECTOR, record.getCause(), evidence), record);
        }
        if (judgement.surprise() >= settings.openAt()) {
            state.setCalmPoints(0);
            return Change.NONE;
        }
        state.setCalmPoints(state.getCalmPoints() + 1);
        if (state.getCalmPoints() < settings.clearAfter()) {
            return Change.NONE;
        }
        AnomalyRecord record = open.get();
        record.setClearedAt(Instant.ofEpochMilli(at));
        state.setOpenAnomalyId(null);
        state.setCalmPoints(0);
        return new Change(new AnomalyCleared(record.getAnomalyId(), key, AnomalySubject.SERIES, record.getOpenedAt(), value,
                state.getPoints() - state.getOpenedPoint() + 1,
                settings.clearAfter() + " points in a row without a surprise of " + settings.openAt() + " or more"), record);
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
